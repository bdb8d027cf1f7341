"""The smoke check: RUNNING means the container started, not that the app serves. GET the app's URL
plus a path until it answers 2xx (or a status the user accepts), or the time is up."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx2

from hf_action.text import one_line

BODY_BYTES = 4096  # read of each answer's body, for the excerpt a failure shows
EXCERPT = 300
MIN_TRY = 0.5  # seconds: with less time left, no further request is sent


@dataclass(frozen=True)
class SmokeResult:
    url: str
    passed: bool
    status: int | None  # of the last answer; None: no answer came
    body: str  # the last answer's body, the first BODY_BYTES as text
    error: str | None  # why no answer came (timeout, refused connection)
    tries: int
    seconds: float

    def describe(self) -> str:
        """One line: what the app answered, or that it did not."""
        said = (
            f"answered {self.status}"
            if self.status is not None
            else f"did not answer ({self.error})"
        )
        return f"GET {self.url} {said} ({self.tries} {'try' if self.tries == 1 else 'tries'}, {self.seconds:.1f}s)"

    def excerpt(self) -> str:
        text = one_line(self.body)
        return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def intervals(scale: float = 1.0) -> Iterator[float]:
    """1 s, then longer, at most 5 s between tries, times `scale` (policy.poll_scale: tests shorten them)."""
    delay = 1.0
    while True:
        yield delay * scale
        delay = min(delay * 1.5, 5.0)


def smoke_check(
    transport: httpx2.BaseTransport,
    url: str,
    *,
    token: str | None,
    accept: frozenset[int],
    timeout: float,
    say: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    scale: float = 1.0,
    pace: Callable[[float], float] = float,
) -> SmokeResult:
    """Bounded by `timeout`, each request included. Redirects are not followed: a 3xx passes only when
    listed in `accept` (so the token never follows one to another host). `pace`: a pause as the
    Hub's quota allows it (`pace.Quota.pause`: the app's host is the Hub's too)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    start, tries, pauses = clock(), 0, intervals(scale)
    last: tuple[int | None, str, str | None] = (None, "", "not tried")
    said = ""
    with httpx2.Client(transport=transport, follow_redirects=False, headers=headers) as client:
        while (left := timeout - (clock() - start)) >= MIN_TRY:
            tries += 1
            last = _get(client, url, left, lambda: clock() - start >= timeout)
            status = last[0]
            if status is not None and (200 <= status < 300 or status in accept):
                return SmokeResult(url, True, status, last[1], None, tries, clock() - start)
            if tries == 1 or _said(last) != said:  # one line per change of answer, not per try
                say(f"Smoke check: {_said(last)}; trying again until {timeout:.0f}s have passed")
            said = _said(last)
            sleep(min(pace(next(pauses)), max(timeout - (clock() - start), 0.0)))
    return SmokeResult(url, False, last[0], last[1], last[2], tries, clock() - start)


def _get(
    client: httpx2.Client, url: str, left: float, over: Callable[[], bool]
) -> tuple[int | None, str, str | None]:
    """(status, start of the body, None), or (None, "", why) when no answer came in `left` seconds.
    The body is read until BODY_BYTES or until `over()`: an app that drips its body cannot hold the
    check past its bound by more than one read's timeout."""
    try:
        with client.stream("GET", url, timeout=httpx2.Timeout(left)) as response:
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) >= BODY_BYTES or over():
                    break
            return response.status_code, body[:BODY_BYTES].decode("utf-8", "replace"), None
    except httpx2.TimeoutException:
        return None, "", f"no answer within {left:.0f}s"
    except httpx2.TransportError as exc:
        return None, "", f"{type(exc).__name__}: {exc}"


def _said(last: tuple[int | None, str, str | None]) -> str:
    return f"answered {last[0]}" if last[0] is not None else f"no answer ({last[2]})"
