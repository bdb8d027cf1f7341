"""The Hub client: made once the environment is final, the token's rights checked, and `hub_step`, which
names the step a Hub failure happened in (the sentence itself is hub/explain.py's)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hf_action.errors import ActionError
from hf_action.hub import transport
from hf_action.hub.explain import explain, not_a_member, org_read_only, read_only_token
from hf_action.hub.pace import Quota
from hf_action.hub.policy import RetryPolicy

if TYPE_CHECKING:
    from huggingface_hub import HfApi


def prepare_client(
    endpoint: str, on_retry: Callable[[str], None], policy: RetryPolicy, quota: Quota
) -> None:
    """Every request huggingface_hub makes from now on (the keyless exchange included) goes through
    our transport, retried by `policy`, to `endpoint`, the run's Hub; `quota` hears its answers."""
    transport.install(endpoint, on_retry, policy, quota)


def make_api(
    token: str, endpoint: str, on_retry: Callable[[str], None], policy: RetryPolicy, quota: Quota
) -> HfApi:
    prepare_client(endpoint, on_retry, policy, quota)
    from huggingface_hub import HfApi

    return HfApi(endpoint=endpoint, token=token, library_name="hf-deploy")


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


def check_can_write(identity: Identity, namespace: str) -> None:
    if identity.role == "read":
        raise read_only_token(identity.user, namespace)
    if namespace == identity.user or identity.role == "fineGrained" or identity.user is None:
        return  # no account named: nothing to check against; the Hub refuses a write it forbids
    if namespace not in identity.orgs:
        raise not_a_member(identity.user, namespace)
    if identity.orgs[namespace] == "read":
        raise org_read_only(identity.user, namespace)


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
