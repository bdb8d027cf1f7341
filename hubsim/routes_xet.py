"""Xet token endpoints (``xet-write-token`` / ``xet-read-token``) and the broken-CAS stand-ins.

The token answer follows hf_xet's refresh contract: JSON ``{"accessToken", "exp", "casUrl"}``, plus
the ``X-Xet-*`` headers huggingface_hub reads for downloads. ``casUrl`` is a ``local://`` store of
this simulator (see ``xet.py``), or, when ``settings.cas_fault`` is set, a CAS that is down.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .access import load_repo
from .errors import HubError, bad_request, revision_not_found
from .web import Request, Response, Url, json_response

if TYPE_CHECKING:
    from .model import Hub

WRITE_FORBIDDEN = "Forbidden: you don't have write access to this repository"
NOT_ENABLED = "Xet storage is not enabled for this repository"


def _token_response(body: dict[str, object]) -> Response:
    headers = {
        "X-Xet-Access-Token": str(body["accessToken"]),
        "X-Xet-Token-Expiration": str(body["exp"]),
        "X-Xet-Cas-Url": str(body["casUrl"]),
    }
    return json_response(body, headers=headers)


def _check(hub: Hub, req: Request) -> None:
    if not hub.settings.xet:
        raise HubError(404, NOT_ENABLED, code="XetNotEnabled")
    rev = req.params.get("rev", "main")
    if rev not in ("main", "refs/heads/main", "None"):
        raise revision_not_found(rev)
    if req.query.get("create_pr") in ("1", "true"):
        raise bad_request("hubsim does not simulate pull requests (create_pr=1)")


def _fault_url(hub: Hub, req: Request) -> str | None:
    fault = hub.settings.cas_fault
    if fault is None:
        return None
    if fault == "unreachable":
        return "http://127.0.0.1:9"  # discard port: nothing listens, the connection is refused
    return f"{req.base_url}/xet-cas-fault/{fault}"


def _issue(hub: Hub, req: Request) -> dict[str, object]:
    body = hub.xet.issue_token()
    if (url := _fault_url(hub, req)) is not None:
        body["casUrl"] = url
        # The broken CAS lives on this server: let its bearer token through the Hub's auth check.
        hub.auth.tokens[str(body["accessToken"])] = "cas"
    return body


def write_token(hub: Hub, req: Request) -> Response:
    """A write token for a new store; same rules as a commit (write access to the namespace)."""
    load_repo(hub, req, write=WRITE_FORBIDDEN)
    _check(hub, req)
    body = _issue(hub, req)
    hub.counters.bump("xet_write_tokens")
    return _token_response(body)


def read_token(hub: Hub, req: Request) -> Response:
    """A read token: any principal that can see the repo."""
    load_repo(hub, req)
    _check(hub, req)
    return _token_response(_issue(hub, req))


def cas_fault(hub: Hub, req: Request) -> Response:
    """A CAS that answers 503 to everything (``error``) or never answers (``hang``)."""
    mode = req.params["path"].split("/", 1)[0]
    hub.counters.bump("cas_fault_requests")
    if mode == "hang":
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not req.stopping.wait(0.2):
            pass
    raise HubError(503, "Service Unavailable")


URLS: tuple[Url, ...] = (
    ("GET", "/api/{type}s/{repo}/xet-write-token/{rev}", write_token),
    ("GET", "/api/{type}s/{repo}/xet-read-token/{rev}", read_token),
    ("HEAD", "/xet-cas-fault/{path}", cas_fault),
    ("PUT", "/xet-cas-fault/{path}", cas_fault),
    ("POST", "/xet-cas-fault/{path}", cas_fault),
    ("GET", "/xet-cas-fault/{path}", cas_fault),
)
