"""The Hub client and the translation of its errors into sentences a user can act on."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx2

from hf_action.errors import ActionError
from hf_action.hub import transport
from hf_action.hub.policy import RetryPolicy
from hf_action.hub.urls import endpoint

if TYPE_CHECKING:
    from huggingface_hub import HfApi

WRITE_ACCESS_ADVICE = (
    "Create a token with write access at https://huggingface.co/settings/tokens"
    " and store it as a repository secret (e.g. HF_TOKEN)."
)


def prepare_client(on_retry: Callable[[str], None], policy: RetryPolicy) -> None:
    """huggingface_hub reads HF_ENDPOINT at import: import it only now, after the environment is final
    (the entrypoint and the CLI set it, `app.action.configure_process`). Every request it makes from
    then on (the keyless exchange included) goes through our transport, retried by `policy`."""
    transport.install(on_retry, policy)


def make_api(token: str, on_retry: Callable[[str], None], policy: RetryPolicy) -> HfApi:
    prepare_client(on_retry, policy)
    from huggingface_hub import HfApi

    return HfApi(endpoint=endpoint(), token=token, library_name="hf-deploy")


@dataclass(frozen=True)
class Identity:
    user: str | None  # None: the answer names no user (not the shape of a user's token)
    orgs: dict[str, str]  # org -> role
    role: str | None  # "write" | "read" | "fineGrained" | None


def whoami(api: HfApi) -> Identity:
    """Only what the answer has: a missing `name`, `auth` or `orgs` is not a crash."""
    info = api.whoami()
    auth = info.get("auth")
    token = auth.get("accessToken") if isinstance(auth, dict) else None
    role = token.get("role") if isinstance(token, dict) else None
    orgs: dict[str, str] = {}
    for org in info.get("orgs") or []:
        if isinstance(org, dict) and isinstance(org.get("name"), str):
            orgs[org["name"]] = str(org.get("roleInOrg") or "")
    name = info.get("name")
    return Identity(
        user=name if isinstance(name, str) and name else None,
        orgs=orgs,
        role=role if isinstance(role, str) else None,
    )


def no_owner(space: str) -> ActionError:
    return ActionError(
        f"'space' is '{space}', and the token's whoami answer names no user to own it.",
        "Write the owner too (e.g. my-name/my-app).",
        title="Space needs owner/name",
    )


def check_can_write(identity: Identity, namespace: str) -> None:
    if identity.role == "read":
        raise ActionError(
            f"The Hugging Face token of '{identity.user or 'an unnamed account'}' is read-only.",
            "Use a token with the 'write' role (or a fine-grained token with write access to "
            f"'{namespace}').",
            title="Read-only token",
        )
    if namespace == identity.user or identity.role == "fineGrained" or identity.user is None:
        return  # no account named: nothing to check against; the Hub refuses a write it forbids
    if namespace not in identity.orgs:
        raise ActionError(
            f"The token belongs to '{identity.user}', who is not a member of '{namespace}'.",
            f"Use a token of a member of '{namespace}' with write access, or deploy to {identity.user}/<name>.",
            title="No access to the namespace",
        )
    if identity.orgs[namespace] == "read":
        raise ActionError(
            f"'{identity.user}' has only read access to the organization '{namespace}'.",
            f"Ask an admin of '{namespace}' for the write role, or use another token.",
            title="No write access to the organization",
        )


@contextlib.contextmanager
def hub_step(action: str, space_id: str) -> Iterator[None]:
    """Name what the run is doing with the Hub: a failure inside becomes one error that says so
    ("... while trying to <action>"). Our own errors pass through unchanged."""
    try:
        yield
    except ActionError:
        raise
    except Exception as exc:
        raise explain(exc, action=action, space_id=space_id) from None


def explain(exc: BaseException, *, action: str, space_id: str) -> ActionError:
    """Map a Hub failure to one actionable sentence."""
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

    if isinstance(exc, ActionError):
        return exc
    sent = transport.tries(exc)
    bound = f" (gave up after {sent} attempts)" if sent > 1 else ""
    if isinstance(exc, httpx2.TransportError):
        return ActionError(
            f"Could not reach the Hub at {endpoint()} while trying to {action}{bound}: {exc}.",
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
