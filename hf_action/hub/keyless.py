"""Keyless deploys: no `hf-token`, but the job may mint a GitHub OIDC id token (`permissions: id-token:
write`), which the Hub exchanges for a token scoped to one Space for an hour ("Trusted Publishers").

huggingface_hub 2.4 does both steps (`huggingface_hub._oidc`): we call it rather than speak the
protocol again, and only add what a deploy needs: the two runner variables checked first, every
token masked the moment it exists, the refusals told apart (their words: hub/explain.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

REQUEST_URL = "ACTIONS_ID_TOKEN_REQUEST_URL"
REQUEST_TOKEN = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"  # noqa: S105 - a variable name


#: huggingface_hub's own assumption when the exchange answer has no `expires_in`
#: (utils/_auth.py `_get_token_from_oidc`); hub-docs trusted-publishers documents 3600.
DEFAULT_LIFETIME = 3600


@dataclass(frozen=True)
class KeylessToken:
    """The exchange's answer, as far as a run depends on it: the token and how long it lives. Its
    prefix (`hf_jwt_`, `hf_oauth_`, …) and its whoami answer are never read."""

    token: str
    resource: str
    expires_in: int
    expiry_stated: bool = True  # False: the answer had no usable `expires_in`; DEFAULT_LIFETIME


def lifetime(answer: Mapping[str, object]) -> tuple[int, bool]:
    """Seconds the token lives, from `expires_in`; (DEFAULT_LIFETIME, False) when it says none."""
    value = answer.get("expires_in")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return DEFAULT_LIFETIME, False
    try:
        seconds = int(float(value))
    except ValueError:
        return DEFAULT_LIFETIME, False
    return (seconds, True) if seconds > 0 else (DEFAULT_LIFETIME, False)


def oidc_available(env: Mapping[str, str]) -> bool:
    """The runner sets both variables only for jobs with `permissions: id-token: write`."""
    return bool((env.get(REQUEST_URL) or "").strip() and (env.get(REQUEST_TOKEN) or "").strip())


def exchange(
    space_id: str,
    endpoint: str,
    env: Mapping[str, str],
    mask: Callable[[str], None],
    repository: str = "",
) -> KeylessToken:
    """Mint the id token (aud = the Hub URL) and exchange it for a token on `spaces/<space_id>`;
    a refusal names `repository` (the workflow's) as the publisher to add."""
    from hf_action.hub.explain import keyless_needs_owner, no_access_token  # see _exchange

    mask((env.get(REQUEST_TOKEN) or "").strip())
    if "/" not in space_id:
        raise keyless_needs_owner(space_id)
    resource = f"spaces/{space_id}"
    id_token = _mint(endpoint)
    mask(id_token)
    answer = _exchange(id_token, resource, endpoint, space_id, repository)
    token = str(answer.get("access_token") or "")
    mask(token)
    if not token:
        raise no_access_token(resource)
    return KeylessToken(token, resource, *lifetime(answer))


def _mint(audience: str) -> str:
    """GitHub's id token for this job, `aud` = the Hub URL (huggingface_hub's own request)."""
    import httpx2
    from huggingface_hub import _oidc
    from huggingface_hub.errors import HfHubHTTPError

    from hf_action.hub.explain import id_token_unreachable, no_id_token  # see _exchange

    try:
        return _oidc.get_oidc_token(provider=_oidc.Provider.GITHUB, audience=audience)
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise no_id_token(status) from None
    except httpx2.TransportError as exc:
        raise id_token_unreachable(exc) from None


def _exchange(
    id_token: str, resource: str, endpoint: str, space_id: str, repository: str
) -> dict[str, Any]:
    """RFC 8693 at {endpoint}/oauth/token: a refusal names the publisher to add; a Hub that is
    down or rate-limits is explained like any other Hub failure (after our retries)."""
    from huggingface_hub import _oidc
    from huggingface_hub.errors import HfHubHTTPError

    from hf_action.hub.client import hub_step  # this module is imported by every run: the
    from hf_action.hub.explain import keyless_refused  # HTTP stack only by a keyless one

    with hub_step(f"exchange the GitHub id token for a token on {resource}", space_id):
        try:
            return _oidc.exchange_oidc_token(
                subject_token=id_token, resource=resource, endpoint=endpoint
            )
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (400, 401, 403):
                raise keyless_refused(exc, resource, repository) from None
            raise  # hub_step explains it like any other Hub failure


@contextlib.contextmanager
def refused_delete(keyless: bool, space_id: str) -> Iterator[None]:
    """A keyless run's delete that the Hub forbids becomes `cannot_delete`, not a bare 403."""
    try:
        yield
    except Exception as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if keyless and status == 403:
            from hf_action.hub.explain import cannot_delete  # see _exchange

            raise cannot_delete("delete", space_id) from None
        raise


def secrets_key(token: str, space_id: str, keyless: bool) -> str:
    """The HMAC key of the secrets' fingerprints (their descriptions on the Space). A keyless run has
    a new token every time, which would re-set every secret (and restart the Space) on each deploy:
    it keys them with the Space id instead. Only those who may write the Space read the
    descriptions, and they can read the secrets themselves through the app."""
    return f"hf-deploy keyless {space_id}" if keyless else token
