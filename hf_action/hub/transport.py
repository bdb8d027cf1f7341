"""Retries for every Hub call, as the transport of huggingface_hub's shared client (the library has no
client per HfApi: `install` sets its client factory once, with the policy the run hands in).

Retrying at the transport keeps the deploy flow free of retry loops. Only requests whose body can be sent
again are retried; commits are safe to replay because we always send `parentCommit` (a replay of a commit
that did land gets 412, which the sync answers by re-planning). A rate limit (429) is waited out to its
reset when the reset comes before the run's deadline, and answered at once otherwise; every answer's
`RateLimit` is noted in the run's `Quota` (hub/pace.py), which paces the polls.
"""

from __future__ import annotations

import email.utils
import random
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from functools import partial

import httpx2

from hf_action.hub.background import in_background
from hf_action.hub.pace import Quota
from hf_action.hub.policy import RetryPolicy
from hf_action.hub.progress import observe, track

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


TRIES = "hf_deploy_tries"  # request extension: how many times the transport sent the request
#: request extension: the run's time left when a 429's reset came after it (not waited for)
PAST_DEADLINE = "hf_deploy_past_deadline"


def _retry_after(response: httpx2.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def reset_after(response: httpx2.Response) -> float | None:
    """Seconds to wait before retrying: a 429's `RateLimit: "api";r=0;t=N` (what the Hub sends, usually
    without Retry-After; read with huggingface_hub's own parser) plus 1 s as the library adds for
    rounding, else `Retry-After`."""
    if response.status_code == 429:
        from huggingface_hub.utils import parse_ratelimit_headers

        info = parse_ratelimit_headers(response.headers)
        if info is not None and info.remaining == 0:
            return float(info.reset_in_seconds) + 1.0
    return _retry_after(response)


def note_quota(response: httpx2.Response, quota: Quota) -> None:
    """Every answer's `RateLimit` (the Hub's API quota; huggingface_hub's parser) into `quota`."""
    if "RateLimit" not in response.headers:
        return
    from huggingface_hub.utils import parse_ratelimit_headers

    info = parse_ratelimit_headers(response.headers)
    if info is not None and info.resource_type == "api":
        quota.note(info.remaining, float(info.reset_in_seconds))


def _quota_reset(response: httpx2.Response) -> float | None:
    """A 429's wait for the API quota's reset (`RateLimit: "api"`, or `Retry-After` alone); None
    for another status, or another resource's limit (Space creations), which the policy's
    capped retries answer."""
    if response.status_code != 429:
        return None
    from huggingface_hub.utils import parse_ratelimit_headers

    header = response.headers.get("RateLimit", "")
    info = parse_ratelimit_headers(response.headers)  # None for a name it cannot read either
    other = (info is not None and info.resource_type != "api") or (
        header and not header.lstrip().startswith('"api"')
    )
    return None if other else reset_after(response)


def _why(response: httpx2.Response) -> str:
    """The retry line's reason: the status, and the rate limit it hit when the Hub says which."""
    reason = f"HTTP {response.status_code}"
    if response.status_code == 429 and response.headers.get("RateLimit"):
        reason += f" (RateLimit {response.headers['RateLimit']})"
    return reason


def _who(url: httpx2.URL, hub_host: str) -> str:
    """The retry line's subject: the Hub, or the other host it is (GitHub's id-token endpoint for
    a keyless run, an LFS storage server), so a retry of GitHub is not blamed on the Hub."""
    return "Hub" if url.host == hub_host else url.host


def tries(exc: BaseException) -> int:
    """How many times the request behind a failure was sent (0: it never reached our transport)."""
    response = getattr(exc, "response", None)  # huggingface_hub's errors and httpx2's status errors
    try:
        if isinstance(response, httpx2.Response):
            request = response.request
        elif isinstance(exc, httpx2.RequestError):
            request = exc.request
        else:
            return 0
    except RuntimeError:  # httpx2 raises RuntimeError for an unset .request
        return 0
    return int(request.extensions.get(TRIES, 0))


class ReplayableStream(httpx2.SyncByteStream):
    """A streamed request body that starts afresh each time it is iterated, so the transport may
    send it again as it does a body held in memory (the commit's, hub/commit_body.py)."""


_thread = threading.local()


@contextmanager
def one_attempt() -> Iterator[None]:
    """This thread's requests are sent once, never retried: for a request made ahead of need, whose
    failure its caller answers by asking again, with retries, once it needs the answer (a retry
    here would print its lines and hold the process's exit for a request nobody may read)."""
    _thread.once = True
    try:
        yield
    finally:
        _thread.once = False


def past_deadline(response: httpx2.Response) -> float | None:
    """The run's seconds left when this 429's reset came after them (not waited for), else None."""
    try:
        left = response.request.extensions.get(PAST_DEADLINE)
    except RuntimeError:  # httpx2 raises RuntimeError for an unset .request
        return None
    return float(left) if left is not None else None


class RetryTransport(httpx2.BaseTransport):
    def __init__(
        self,
        inner: httpx2.BaseTransport,
        policy: RetryPolicy,
        on_retry: Callable[[str], None] | None = None,
        *,
        hub_host: str,  # the run's Hub, named "Hub" in the retry lines
        sleep: Callable[[float], None] = time.sleep,
        quota: Quota | None = None,
    ) -> None:
        self.inner = inner
        self.policy = policy
        self.quota = quota if quota is not None else Quota()
        self.on_retry = on_retry or (lambda message: None)
        self.hub_host = hub_host
        self.sleep = sleep

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        replayable = isinstance(request.stream, (httpx2.ByteStream, ReplayableStream))
        track(request)
        hub = request.url.host == self.hub_host
        waited = 0.0
        ahead = getattr(_thread, "once", False)  # asked ahead of need: sent once, never held
        attempts = 1 if ahead else self.policy.attempts
        for attempt in range(1, attempts + 1):
            request.extensions[TRIES] = (
                attempt  # for the error message: how often it was really sent
            )
            last = attempt == attempts or not replayable
            if hub and not ahead:
                self._hold(request)
            try:
                response = self.inner.handle_request(request)
            except httpx2.TransportError as exc:
                delay, reset = self._delay(attempt, None), None
                if last or waited + delay > self.policy.budget:
                    raise
                reason = type(exc).__name__
            else:
                if hub:
                    note_quota(response, self.quota)
                if response.status_code not in RETRY_STATUSES or last:
                    return response
                reset = _quota_reset(response)
                reset = None if reset is None else self.quota.staggered(reset)
                if reset is not None and not self.quota.fits(reset, self.policy.max_retry_after):
                    request.extensions[PAST_DEADLINE] = self.quota.time_left()
                    return response  # the reset comes after the run's deadline: say so now
                delay = reset if reset is not None else self._delay(attempt, reset_after(response))
                if reset is None and waited + delay > self.policy.budget:
                    return response  # out of budget: let the caller see the Hub's own answer
                reason = _why(response)
                response.read()
                response.close()
            self.on_retry(
                self._line(request, reason, (attempt, attempts), delay, reset is not None)
            )
            self.sleep(delay)
            waited += delay
        raise AssertionError("unreachable")

    def _hold(self, request: httpx2.Request) -> None:
        """The last answer said the quota is spent: wait for its reset before sending (a 429
        would only say so again), when the reset comes before the run's deadline."""
        spent = self.quota.spent_for()
        if spent is None:
            return
        wait = self.quota.staggered(spent + 1.0)  # 1 s after the reset, as huggingface_hub
        if not self.quota.fits(wait, self.policy.max_retry_after):
            return
        self.on_retry(
            f"Hub API quota spent (by the last answer's RateLimit and the pace since): waiting"
            f" {wait:.1f}s for its reset before {request.method} {request.url.path}"
        )
        self.sleep(wait)

    def _line(
        self,
        request: httpx2.Request,
        reason: str,
        attempt: tuple[int, int],  # this one, and how many the request may make
        delay: float,
        reset: bool,
    ) -> str:
        """The one line a retry prints: what failed, and how long the run waits, and why."""
        who = _who(request.url, self.hub_host)
        where = f"{who} {reason} on {request.method} {request.url.path}"
        if not reset:
            return f"{where}; retry {attempt[0]}/{attempt[1] - 1} in {delay:.1f}s"
        left = self.quota.time_left()
        within = f" within the run's timeout ({left:.0f}s left)" if left < float("inf") else ""
        return f"{where}: the rate limit resets{within}; retry in {delay:.1f}s"

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.policy.max_retry_after)
        backoff = self.policy.base_delay * 2.0 ** (attempt - 1)
        jitter = 0.75 + random.random() / 2  # noqa: S311 - not security related
        return min(self.policy.max_delay, backoff * jitter)

    def close(self) -> None:
        self.inner.close()


def direct_transport(url: str, tls: ssl.SSLContext | None = None) -> httpx2.HTTPTransport:
    """No retries: for the Hub under RetryTransport, and for a caller that polls by itself (the
    smoke check of the Space's app). Passing our own transport turns off httpx2's environment
    proxies: re-apply them for `url`'s host (HTTPS_PROXY, NO_PROXY, via the stdlib's rules) and keep
    SSL_CERT_FILE & co (trust_env), as self-hosted runners need. `tls`: the context httpx2 would
    build itself (`tls_ahead`), already loaded."""
    host = urllib.parse.urlsplit(url).hostname or ""
    proxies = urllib.request.getproxies()
    proxy = proxies.get("https") or proxies.get("all")
    if proxy and urllib.request.proxy_bypass(host):
        proxy = None
    return httpx2.HTTPTransport(verify=tls or True, trust_env=True, proxy=proxy)


def tls_ahead() -> Future[ssl.SSLContext]:
    """The TLS context httpx2 builds for a client (`create_ssl_context`: the system's CA bundle, or
    SSL_CERT_FILE / SSL_CERT_DIR), loaded on a thread of its own. Loading the bundle takes ~15 ms
    and OpenSSL does it without the GIL, so it runs while huggingface_hub loads, not after it, in
    front of the first request (bench/results.md, "First deploys on two links"). An error (a
    missing SSL_CERT_FILE) is raised where httpx2 would raise it: when the client is made."""
    return in_background(partial(httpx2.create_ssl_context, trust_env=True), "hf-deploy-tls")


def install(
    endpoint: str, on_retry: Callable[[str], None], policy: RetryPolicy, quota: Quota
) -> None:
    """Make huggingface_hub's shared client retry through our transport; `endpoint`, the run's
    Hub, chooses the proxy (`direct_transport`) and is the host the retry lines call "Hub";
    `quota`, the run's, hears every answer's `RateLimit`. The TLS context starts loading first
    (`tls_ahead`), while huggingface_hub does."""
    tls = tls_ahead()
    from huggingface_hub.utils import _http as hf_http

    hub_host = urllib.parse.urlsplit(endpoint).hostname or ""

    def factory() -> httpx2.Client:
        return httpx2.Client(
            transport=RetryTransport(
                direct_transport(endpoint, tls.result()),
                policy,
                on_retry,
                hub_host=hub_host,
                quota=quota,
            ),
            event_hooks={"request": [hf_http.hf_request_event_hook], "response": [observe]},
            follow_redirects=True,
            timeout=httpx2.Timeout(60.0, connect=15.0),
        )

    hf_http.set_client_factory(factory)
