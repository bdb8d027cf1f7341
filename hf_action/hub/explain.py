"""Every Hub failure as the user's sentence, by cause, in one place: what went wrong, and the fix.

The modules that meet a failure tell which it is (`hub_step` an HTTP answer or a network error,
the commit a Xet upload or a head that keeps moving, `space.paid` a 402, the build watch a stage);
the words are here, as huggingface_hub keeps its errors in errors.py. HTTP answers are read from
the fields `HfHubHTTPError` carries (`server_message`, `request_id`), not parsed again.
"""

from __future__ import annotations

import os
import re
import time
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx2

from hf_action.errors import ActionError, BuildFailed
from hf_action.hub import transport
from hf_action.hub.billing import Asked, Gate, gate
from hf_action.text import one_line

if TYPE_CHECKING:
    from huggingface_hub.errors import HfHubHTTPError

KEYLESS_DOCS = "https://huggingface.co/docs/hub/trusted-publishers"
WRITE_ACCESS_ADVICE = (
    "Create a token with write access at https://huggingface.co/settings/tokens"
    " and store it as a repository secret (e.g. HF_TOKEN)."
)


# ---------------------------------------- the Hub unreachable, an HTTP answer
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
        return _refused(exc, action=action, space_id=space_id, bound=bound)
    return ActionError(
        f"Unexpected error while trying to {action}: {type(exc).__name__}: {exc}",
        None,
        title="Unexpected error",
    )


def _at(exc: httpx2.TransportError) -> str:
    """Where the failed request went (the Hub, or the server of an upload), from the request."""
    try:
        url = exc.request.url
    except RuntimeError:  # httpx2 raises RuntimeError for an unset .request
        return ""
    return f" at {url.scheme}://{url.netloc.decode('ascii')}"


def hub_said(exc: HfHubHTTPError) -> str:
    """What the Hub said in its refusal (huggingface_hub gathers it from the X-Error-Message header
    and the JSON body into `server_message`), on one line. whoami's 401 is re-raised by the library
    with its own words and no server_message: the Hub's are on the error it chained."""
    said = exc.server_message or getattr(exc.__cause__, "server_message", None)
    return " ".join((said or "").split())


def _refused(exc: HfHubHTTPError, *, action: str, space_id: str, bound: str) -> ActionError:
    """An HTTP error answer of the Hub, by status: what it means for this run, and the fix. The
    Hub's request id is quoted where the fix is the Hub's (its support asks for it)."""
    assert exc.response is not None  # explain() checked
    response, status, server = exc.response, exc.response.status_code, hub_said(exc)
    detail = f" The Hub said: {server}" if server else ""
    request = f" (Request ID: {exc.request_id})" if exc.request_id else ""
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
        return _rate_limited(response, action, bound, detail)
    if status >= 500:
        return ActionError(
            f"The Hub failed ({status}) while trying to {action}{bound}{request}.{detail}",
            "The Hub may be having an incident: re-run the job later.",
            title="Hub error",
        )
    return ActionError(
        f"The Hub answered {status} while trying to {action}{request}.{detail}",
        None,
        title=f"Hub error {status}",
    )


def _rate_limited(response: httpx2.Response, action: str, bound: str, detail: str) -> ActionError:
    after = transport.reset_after(response)
    left = transport.past_deadline(response)
    if after is not None and left is not None:
        return rate_limit_past_deadline(action, after, left, detail)
    wait = f" Retry after {after:.0f}s." if after is not None else ""
    return ActionError(
        f"The Hub's rate limit was hit (429) while trying to {action}{bound}.{wait}{detail}",
        "Wait and re-run; if it keeps happening, deploy less often (a concurrency group per branch helps).",
        title="Rate limited",
    )


def rate_limit_past_deadline(action: str, reset: float, left: float, detail: str) -> ActionError:
    """A 429 whose reset comes after the run's deadline: waiting could not help, so the run stops
    at once and says when the quota returns."""
    at = time.strftime("%H:%M:%S UTC", time.gmtime(time.time() + reset))
    return ActionError(
        f"The Hub's API rate limit for this token is used up (429) while trying to {action}: it"
        f" resets in {reset:.0f}s (at {at}), after this run's timeout ({left:.0f}s left), so the"
        f" run stops now instead of waiting.{detail}",
        "Re-run after the reset, or raise timeout so the run can wait for it; jobs that share the"
        " token share its quota (1,000 requests per 5 minutes on a free account): spread them out.",
        title="Rate limited",
    )


# ---------------------------------------- the commit: a head that keeps moving, a Xet upload
def kept_changing() -> ActionError:
    """The commit's 412 re-plans ran out: another writer keeps moving the Space's head."""
    return ActionError(
        "The Space kept changing while we tried to commit.",
        "Use a concurrency group so two deploys of one Space do not race.",
        title="Space kept changing",
    )


def changed_while_sent(path: str) -> ActionError:
    """A small file's size changed between the plan and the commit request that carries it: the
    request stops short, so the Space is left as it was, never given a file the plan did not read."""
    return ActionError(
        f"{path} changed size while the commit was being sent: nothing was committed.",
        "Keep the job's earlier steps from writing into the deployed folder while this step runs,"
        " then re-run it.",
        title="File changed during the deploy",
    )


def card_refused(exc: ValueError) -> ActionError:
    """The Hub's check of README.md's front matter (validate-yaml) refused what the local check let
    through; asked before any upload, so nothing was sent. huggingface_hub words the 400 with the
    errors its body lists; the Hub's own message (its X-Error-Message) is on the error it chained."""
    from huggingface_hub.errors import HfHubHTTPError

    said, cause = one_line(str(exc)), exc.__cause__
    server = hub_said(cause) if isinstance(cause, HfHubHTTPError) else ""
    if server and server not in said:
        said = f"{said} The Hub said: {server}"
    return ActionError(
        f"The Hub refused the Space card's front matter (README.md): {said}",
        "Fix the keys it names in the block between the two '---' lines; nothing was uploaded.",
        title="Invalid Space card",
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


# ---------------------------------------- keyless: the id token and its exchange, what the token cannot do
def keyless_refused(exc: HfHubHTTPError, resource: str, repository: str) -> ActionError:
    """The Hub said no: which resource, which repository asked, and the Hub's own reason."""
    status = exc.response.status_code if exc.response is not None else "?"
    reason = hub_said(exc)
    repo = repository or "this repository"
    told = f" The Hub said: {reason}." if reason else ""
    return ActionError(
        f"The Hub refused the keyless token exchange for {resource} ({status}).{told}",
        f"Add a trusted publisher for the GitHub repository {repo} (and this workflow, and its"
        f" environment if the job has one) in the settings of {resource}; see {KEYLESS_DOCS}.",
        title="Keyless exchange refused",
    )


def no_id_token(status: int | str) -> ActionError:
    return ActionError(
        f"GitHub refused to mint an OIDC id token ({status}).",
        "Check that the deploying job has `permissions: id-token: write`.",
        title="No GitHub id token",
    )


def id_token_unreachable(exc: BaseException) -> ActionError:
    return ActionError(
        f"Could not reach GitHub's id-token endpoint ({type(exc).__name__}: {exc}).",
        "Re-run the job; on a self-hosted runner, check that it can reach GitHub.",
        title="No GitHub id token",
    )


def no_access_token(resource: str) -> ActionError:
    return ActionError(
        f"The Hub's token exchange for {resource} answered no access_token.", None,
        title="Keyless exchange failed",
    )  # fmt: skip


def keyless_needs_owner(space_id: str) -> ActionError:
    return ActionError(
        f"'space' is '{space_id}': a keyless deploy needs it as owner/name.",
        "Write the owner too (e.g. my-name/my-app): the Space is what the token is issued for,"
        " and there is no token yet to look the owner up.",
        title="Keyless deploy needs owner/name",
    )


def cannot_create(space_id: str) -> ActionError:
    return ActionError(
        f"The Space '{space_id}' does not exist, and a keyless token works on one existing Space"
        " only: it cannot create it. Nothing was written.",
        "Create the Space once (on the Hub, or with one run that passes hf-token), add the trusted"
        " publisher in its settings, then deploy keyless.",
        title="Keyless deploys need an existing Space",
    )


def cannot_delete(operation: str, space_id: str) -> ActionError:
    """`cleanup-previews` deletes other Spaces than the one a Trusted-Publisher token is for: said
    before asking. `delete` is tried: the Hub's refusal of it to such a token is a bare 403."""
    if operation == "cleanup-previews":
        what = (
            "it deletes preview Spaces, and a keyless (Trusted Publishing) token is scoped to the"
            f" one Space '{space_id}' and may not delete any Space"
        )
        who = f"a token with write access to '{space_id.split('/')[0]}'"
    else:
        what = (
            f"the Hub refused the keyless (Trusted Publishing) token the deletion of '{space_id}'"
            " (403): such a token may deploy, restart and pause its Space"
        )
        who = "a write token of the Space's owner"
    return ActionError(
        f"operation: {operation} needs an hf-token: {what}. Nothing was deleted.",
        f"Pass {who} for this operation (`hf-token: ${{{{ secrets.HF_TOKEN }}}}`); deploys can stay"
        " keyless.",
        title=f"Keyless token cannot {operation}",
    )


# ---------------------------------------- the Space and its history
def space_missing(space_id: str, operation: str) -> ActionError:
    """An operation on an existing Space (restart, pause, rollback) found none."""
    doing = "roll back" if operation == "rollback" else operation
    first = "" if operation == "rollback" else "; deploy it first with operation: deploy"
    return ActionError(
        f"Cannot {doing} '{space_id}': the Space does not exist (or the token cannot see it).",
        f"Check the 'space' input{first}.",
        title="Space not found",
    )


def no_previous_deploy(space_id: str, commits: int, marker: str, history: str) -> ActionError:
    return ActionError(
        f"There is no earlier deploy in the history of '{space_id}' ({commits} commits):"
        " 'previous' is the newest commit before the head written by hf-deploy (its"
        f" description has a '{marker.strip()}' line).",
        f"Set revision to the sha of the commit to return to (see {history}).",
        title="No previous deploy",
    )


def ambiguous_revision(wanted: str, matches: int, space_id: str) -> ActionError:
    return ActionError(
        f"The revision '{wanted}' matches {matches} commits of '{space_id}'.",
        "Give more digits of the sha.",
        title="Ambiguous revision",
    )


def revision_not_found(wanted: str, space_id: str, commits: int, history: str) -> ActionError:
    return ActionError(
        f"The revision '{wanted}' is not in the history of '{space_id}' (its main branch has"
        f" {commits} commits); nothing was changed.",
        f"Give a commit of the Space from {history} (a GitHub commit sha is not a Space commit),"
        " or revision: previous.",
        title="Revision not in the Space's history",
    )


# ---------------------------------------- the token's rights (whoami)
def no_owner(space: str) -> ActionError:
    return ActionError(
        f"'space' is '{space}', and the token's whoami answer names no user to own it.",
        "Write the owner too (e.g. my-name/my-app).",
        title="Space needs owner/name",
    )


def read_only_token(user: str | None, namespace: str) -> ActionError:
    return ActionError(
        f"The Hugging Face token of '{user or 'an unnamed account'}' is read-only.",
        "Use a token with the 'write' role (or a fine-grained token with write access to "
        f"'{namespace}').",
        title="Read-only token",
    )


def not_a_member(user: str, namespace: str) -> ActionError:
    return ActionError(
        f"The token belongs to '{user}', who is not a member of '{namespace}'.",
        f"Use a token of a member of '{namespace}' with write access, or deploy to {user}/<name>.",
        title="No access to the namespace",
    )


def org_read_only(user: str, namespace: str) -> ActionError:
    return ActionError(
        f"'{user}' has only read access to the organization '{namespace}'.",
        f"Ask an admin of '{namespace}' for the write role, or use another token.",
        title="No write access to the organization",
    )


# ---------------------------------------- a 402: the plan rules' advice
PRO_URL = "https://huggingface.co/pro"
BILLING_URL = "https://huggingface.co/settings/billing"
PLANS_DOCS = "https://huggingface.co/docs/hub/spaces-overview"
ZEROGPU_DOCS = "https://huggingface.co/docs/hub/spaces-zerogpu"


def payment_refused(space_id: str, asked: Asked, said: str = "") -> ActionError:
    """The 402 as one error whose advice is true under the rules for what was asked."""
    rule = gate(asked, said)
    verb = "create" if asked.creating else "change"
    head = f"The Hub refused to {verb} the {asked.sdk} Space '{space_id}' (402)"
    tail = (" Nothing was written." if asked.creating else " Nothing has changed.") + (
        f" The Hub said: {said.strip()}" if said.strip() else ""
    )
    message, hint, title = _ADVICE[rule](asked)
    return ActionError(f"{head}: {message}{tail}", hint, title=title)


Advice = tuple[str, str, str]  # what refused it, the ways out, the error's title


def _compute_space(asked: Asked) -> Advice:
    zerogpu = (
        "; a Gradio app may also run on ZeroGPU (hardware: zero-a10g), which a free account in"
        " good standing may host twice"
        if asked.sdk == "gradio"
        else ""
    )
    return (
        "since 2026-07-21 creating a Gradio or Docker Space needs a paid plan, on cpu-basic too.",
        "Ways out: deploy a static Space (sdk: static; free for everyone), subscribe to PRO"
        f" ({PRO_URL}), or deploy to an organization with a paid plan (Team or Enterprise)"
        f"{zerogpu}. Spaces that already exist keep deploying; each pull-request preview is a new"
        f" Space, so previews need the plan too. See {PLANS_DOCS}.",
        "Paid plan required to create this Space",
    )


def _zerogpu(asked: Asked) -> Advice:
    gradio_only = (
        f" ZeroGPU runs the Gradio SDK only, and this Space is {asked.sdk}."
        if asked.sdk != "gradio"
        else ""
    )
    return (
        f"{Gate.ZEROGPU.value}.{gradio_only}",
        "A free personal account in good standing (verified email, older than 30 days) may host"
        " 2 ZeroGPU Spaces, a PRO account 10, an organization needs Team or Enterprise. Wait until"
        " the account is 30 days old or request a community grant, move another of its ZeroGPU"
        f" Spaces to other hardware, or subscribe to PRO ({PRO_URL}). See {ZEROGPU_DOCS}.",
        "ZeroGPU not available to this account",
    )


def _paid_hardware(asked: Asked) -> Advice:
    compute = asked.sdk != "static"
    plan = (
        " Creating a Gradio or Docker Space also needs a paid plan (PRO, or an organization with"
        " Team or Enterprise), on cpu-basic too."
        if asked.creating and compute
        else ""
    )
    billing_at = f"a payment method ({BILLING_URL}, or the organization's billing settings)"
    if not asked.creating:
        fix = (
            f"Add {billing_at}, or leave `hardware` unset or ask for cpu-basic: the existing Space"
            " keeps deploying on it."
        )
    elif compute:
        fix = (
            f"Subscribe to PRO ({PRO_URL}) or use an organization with Team or Enterprise, with"
            f" {billing_at}; or deploy a static Space (sdk: static), free for everyone."
        )
    else:
        fix = f"Add {billing_at}, or leave `hardware` unset: static Spaces are free for everyone."
    return (
        f"{Gate.PAID_HARDWARE.value}. '{asked.hardware}' is billed by the minute and needs a"
        f" payment method on the account or organization.{plan}",
        f"{fix} See {PLANS_DOCS}.",
        "Payment required for this hardware",
    )


def _protected(asked: Asked) -> Advice:
    return (
        f"{Gate.PROTECTED.value}.",
        f"Subscribe to PRO ({PRO_URL}) or use an organization with a paid plan, or set"
        " `visibility` to public or private.",
        "Protected visibility needs PRO",
    )


def _unknown(asked: Asked) -> Advice:
    return (
        "payment required.",
        "Check the plan and the billing settings of the account or organization"
        f" ({BILLING_URL}); static Spaces are free for everyone. See {PLANS_DOCS}.",
        "Payment required",
    )


_ADVICE: dict[Gate, Callable[[Asked], Advice]] = {
    Gate.COMPUTE_SPACE: _compute_space,
    Gate.ZEROGPU: _zerogpu,
    Gate.PAID_HARDWARE: _paid_hardware,
    Gate.PROTECTED: _protected,
    Gate.UNKNOWN: _unknown,
}


# ---------------------------------------- the build watch
_STAGE_MESSAGES = {  # SpaceStage values: a stage (a str enum) finds its key by value
    "BUILD_ERROR": "The Space's build failed.",
    "CONFIG_ERROR": "The Space's configuration (README front matter) is invalid.",
    "NO_APP_FILE": "The Space has no app file to run.",
    "RUNTIME_ERROR": "The app crashed at start.",
}
_STAGE_HINTS = {
    "BUILD_ERROR": "Read the build log below; the failing step is near the end.",
    "NO_APP_FILE": "Set 'app-file' (or app_file in the README front matter) to the file that starts the app.",
    "CONFIG_ERROR": "Fix the README front matter (sdk, app_file, app_port, sdk_version).",
    "RUNTIME_ERROR": "Read the run log below for the app's traceback.",
    "PAUSED": "Restart it (operation: restart) or un-pause it in the Space settings.",
}


def stage_failed(stage: str, hub_message: str | None, tail: str) -> BuildFailed:
    """A stage that ends the watch: the Hub's own error message when it gave one, the log's tail."""
    if stage == "PAUSED":
        message = (
            "The Space is paused, so it will not start this commit (the files are on the Space)."
        )
        return BuildFailed(message, stage, hint=_STAGE_HINTS["PAUSED"])
    if stage == "DELETING":
        return BuildFailed("The Space is being deleted.", stage)
    message = hub_message or _STAGE_MESSAGES.get(stage, f"The Space ended in {stage}.")
    return BuildFailed(f"{stage}: {message}", stage, tail, hint=_STAGE_HINTS.get(stage))


def timed_out(want: str, stage: str, timeout: float, evidence: str, tail: str) -> BuildFailed:
    return BuildFailed(
        f"The Space did not reach {want} within {timeout:.0f}s (last stage {stage}; {evidence}).",
        "TIMEOUT",
        tail,
        hint="Raise 'timeout' if the build is just slow, or read the build log below.",
    )


def superseded(sha: str, by: str, what: str, ours: str, stage: str) -> BuildFailed:
    """Another commit became the Space's head during the watch: the Hub builds that one."""
    return BuildFailed(
        f"Superseded: {sha[:7]}{by} replaced {what} {ours[:7]} as the Space's head during"
        f" the build watch; the Space will run {sha[:7]}, not {ours[:7]}.",
        stage,
        hint="Let one deploy to a Space run at a time (a workflow `concurrency` group per Space);"
        " if the newer commit is meant to win, nothing needs doing.",
    )
