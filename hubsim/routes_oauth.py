"""Keyless-deploy and 2026 endpoints: ``POST /oauth/token`` (RFC 8693 token exchange, as
huggingface_hub's ``_oidc.py`` calls it) and ``GET /api/spaces/hardware``."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from .oidc import OAuthError
from .web import Request, Response, Url, json_response

if TYPE_CHECKING:
    from .model import Hub


def token_exchange(hub: Hub, req: Request) -> Response:
    """JSON body (what huggingface_hub sends) or form-encoded (RFC 8693's own encoding)."""
    if "application/x-www-form-urlencoded" in req.headers.get("Content-Type", ""):
        raw = req.body().decode("utf-8", errors="replace")
        body = {k: v[-1] for k, v in parse_qs(raw).items()}
    else:
        body = req.json()
    if not isinstance(body, dict):
        raise OAuthError("invalid_request", "the request body must be an object")
    answer = hub.oidc.exchange(body, req.base_url)
    return json_response(answer, headers={"Cache-Control": "no-store"})


def spaces_hardware(hub: Hub, req: Request) -> Response:
    return json_response(hub.plans.hardware)


URLS: tuple[Url, ...] = (
    ("POST", "/oauth/token", token_exchange),
    ("GET", "/api/spaces/hardware", spaces_hardware),
)
