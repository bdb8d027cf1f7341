"""Hub answers turned into the user's sentence, one place and by cause, as huggingface_hub's errors.py
and hf_raise_for_status do for the library: a transport failure (the Hub unreachable), an HTTP answer
by its status (`explain`, through `hub_step`), a Xet upload failure by what hf_xet was told
(`explain_xet`), a refused keyless exchange (`keyless_refused`). The plan gate's 402 advice, which
needs what the request asked, is hub/billing.py's."""

from __future__ import annotations

import os
import re
import urllib.parse
from typing import TYPE_CHECKING

import httpx2

from hf_action.errors import ActionError
from hf_action.hub import transport

if TYPE_CHECKING:
    from huggingface_hub.errors import HfHubHTTPError

KEYLESS_DOCS = "https://huggingface.co/docs/hub/trusted-publishers"
WRITE_ACCESS_ADVICE = (
    "Create a token with write access at https://huggingface.co/settings/tokens"
    " and store it as a repository secret (e.g. HF_TOKEN)."
)


def explain(exc: BaseException, *, action: str, space_id: str) -> ActionError:
    """Map a Hub failure to one actionable sentence."""
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

    if isinstance(exc, ActionError):
        return exc
    sent = transport.tries(exc)
    bound = f" (gave up after {sent} attempts)" if sent > 1 else ""
    if isinstance(exc, httpx2.TransportError):
        return ActionError(
            f"Could not reach the Hub{_at(exc)} while trying to {action}{bound}: {exc}.",
            "The Hub may be down: re-run the job later (a re-run uploads only what is still missing).",
            title="Hub unreachable",
        )
    if isinstance(exc, RepositoryNotFoundError):
        return ActionError(
            f"The Space '{space_id}' was not found (or the token cannot see it) while trying to {action}.",
            "Check the 'space' input and that the token's user can access it.",
            title="Space not found",
        )
    if isinstance(exc, HfHubHTTPError) and exc.response is not None:
        return _refused(exc.response, action=action, space_id=space_id, bound=bound)
    return ActionError(
        f"Unexpected error while trying to {action}: {type(exc).__name__}: {exc}",
        None,
        title="Unexpected error",
    )


def _at(exc: httpx2.TransportError) -> str:
    """Where the request that failed went, from the request itself: the run's Hub (HF_ENDPOINT),
    or the server it sent an upload to."""
    try:
        url = exc.request.url
    except RuntimeError:  # httpx2 raises RuntimeError for an unset .request
        return ""
    return f" at {url.scheme}://{url.netloc.decode('ascii')}"


def _refused(response: httpx2.Response, *, action: str, space_id: str, bound: str) -> ActionError:
    """An HTTP error answer of the Hub, by status: what it means for this run, and the fix."""
    status = response.status_code
    server = response.headers.get("X-Error-Message") or _json_error(response) or ""
    detail = f" The Hub said: {server}" if server else ""
    if status == 401:
        return ActionError(
            f"The Hub refused the token (401) while trying to {action}.{detail}",
            WRITE_ACCESS_ADVICE,
            title="Invalid token",
        )
    if status == 403:
        if "create_pr" in server:
            return ActionError(
                f"The token may not push to '{space_id}' (403): it has no write access to that namespace.",
                "Use a token with write access to the organization (an org admin can grant the"
                " write role), or a fine-grained token with 'Write access to contents' for this Space.",
                title="No write access",
            )
        return ActionError(
            f"The Hub forbade this (403) while trying to {action}.{detail}",
            "Check the token's role and the namespace's permissions.",
            title="Forbidden",
        )
    if status == 402:
        return ActionError(
            f"The Hub requires a paid plan or a payment method (402) to {action}.{detail}",
            "Check the plan and the billing settings of the account or organization"
            " (https://huggingface.co/settings/billing); docs/troubleshooting.md#402 lists the rules.",
            title="Payment required",
        )
    if status == 409:
        return ActionError(
            f"The name '{space_id}' is already taken (409).{detail}",
            "Pick another Space name, or use a token of the Space's owner.",
            title="Name taken",
        )
    if status == 429:
        after = transport.reset_after(response)
        wait = f" Retry after {after:.0f}s." if after is not None else ""
        return ActionError(
            f"The Hub's rate limit was hit (429) while trying to {action}{bound}.{wait}{detail}",
            "Wait and re-run; if it keeps happening, deploy less often (a concurrency group per branch helps).",
            title="Rate limited",
        )
    if status >= 500:
        return ActionError(
            f"The Hub failed ({status}) while trying to {action}{bound}.{detail}",
            "The Hub may be having an incident: re-run the job later.",
            title="Hub error",
        )
    return ActionError(
        f"The Hub answered {status} while trying to {action}.{detail}",
        None,
        title=f"Hub error {status}",
    )


def _json_error(response: httpx2.Response) -> str | None:
    try:
        body = response.json()
    except Exception:
        return None
    return (
        body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), str) else None
    )


def kept_changing() -> ActionError:
    """The commit's 412 re-plans ran out: another writer keeps moving the Space's head."""
    return ActionError(
        "The Space kept changing while we tried to commit.",
        "Use a concurrency group so two deploys of one Space do not race.",
    )


XET_STEP = "upload the large files to Xet storage"


def from_xet(exc: BaseException) -> bool:
    """Whether a failure of the upload step is hf_xet's, by its kind: hf_xet's own errors, or the plain
    RuntimeError/ConnectionError its core raises. Nothing else in that step raises those: our client's
    failures are httpx2 errors, and huggingface_hub's are HfHubHTTPError."""
    import hf_xet  # installed with huggingface_hub; imported only on this failure path

    return isinstance(
        exc,
        RuntimeError
        | ConnectionError
        | hf_xet.XetAuthenticationError
        | hf_xet.XetObjectNotFoundError,
    )


def explain_xet(exc: BaseException) -> ActionError:
    """One sentence for a failed Xet upload: the token request or the CAS, what it answered, whether
    hf_xet retried it, and that nothing was committed (the commit comes after every upload)."""
    text = " ".join(str(exc).split())
    url = next(iter(re.findall(r"https?://[^\s),]+", text)), "")
    status = re.search(r"\((\d{3})[ A-Za-z]*\)", text)
    said = f"{status.group(1)} {_REASONS.get(status.group(1), '')}".strip() if status else ""
    final = status is not None and status.group(1) not in _XET_RETRIED  # a refusal: asked once
    if "/xet-write-token/" in url or "/xet-read-token/" in url:
        return _token_error(said, final, text)
    host = urllib.parse.urlsplit(url).netloc or "the CAS"
    what = (
        f"answered {said}" if said else "did not answer" if "sending request" in text else "failed"
    )
    return ActionError(
        f"Could not {XET_STEP}: the storage server {host} {what} ({_xet_tries(final)})."
        f" {XET_UNCHANGED} hf_xet said: {text}",
        f"Re-run later (chunks already stored are not sent again); behind a firewall or proxy, allow"
        f" {host}. HF_HUB_DISABLE_XET=1 in the step's env uploads through classic LFS instead.",
        title="Xet upload failed",
    )


XET_UNCHANGED = "Nothing was committed: the Space's files are unchanged."
# What hf_xet retries (connection errors too); any other answer is final and asked once.
_XET_RETRIED = frozenset({"408", "429", "500", "502", "503", "504"})


def _xet_tries(final: bool) -> str:
    """How often hf_xet asked: a refusal once; else its retries, bounded by HF_XET_CLIENT_* (its
    RETRY_MAX_ATTEMPTS counts retries after the first request; RETRY_MAX_DURATION may stop sooner)."""
    if final:
        return "not retried: the same request would be refused again"
    # os.environ, not the run's env: hf_xet reads its own setting there when its session starts
    # (configure_process writes it, the job's value winning), and the message says what hf_xet used.
    return (
        f"gave up after at most {os.environ.get('HF_XET_CLIENT_RETRY_MAX_ATTEMPTS', '5')} retries"
    )


def _token_error(said: str, final: bool, text: str) -> ActionError:
    """The Hub's Xet token endpoint: a refusal is the token's rights; anything else, the Hub's state."""
    if final:
        return ActionError(
            f"Could not {XET_STEP}: the Hub refused an upload token ({said}; {_xet_tries(final)})."
            f" {XET_UNCHANGED} hf_xet said: {text}",
            "A 401/403 means the token may not write to this Space: use a token with write access"
            " to it (check its role).",
            title="Xet upload token refused",
        )
    return ActionError(
        f"Could not {XET_STEP}: the Hub gave no upload token ({said or 'no answer'};"
        f" {_xet_tries(final)}). {XET_UNCHANGED} hf_xet said: {text}",
        "The Hub may have an incident: re-run later.",
        title="Xet upload token unavailable",
    )


_REASONS = {"401": "Unauthorized", "403": "Forbidden", "429": "Too Many Requests",
            "500": "Internal Server Error", "502": "Bad Gateway", "503": "Service Unavailable",
            "504": "Gateway Timeout"}  # fmt: skip


def keyless_refused(exc: HfHubHTTPError, resource: str, repository: str) -> ActionError:
    """The Hub said no: which resource, which repository asked, and the Hub's own reason."""
    response = exc.response
    status = response.status_code if response is not None else "?"
    reason = ""
    try:
        body = response.json()
        reason = ": ".join(str(body[k]) for k in ("error", "error_description") if body.get(k))
    except Exception:  # noqa: S110 - the status alone still explains it
        pass
    repo = repository or "this repository"
    said = f" The Hub said: {reason}." if reason else ""
    return ActionError(
        f"The Hub refused the keyless token exchange for {resource} ({status}).{said}",
        f"Add a trusted publisher for the GitHub repository {repo} (and this workflow, and its"
        f" environment if the job has one) in the settings of {resource}; see {KEYLESS_DOCS}.",
        title="Keyless exchange refused",
    )
