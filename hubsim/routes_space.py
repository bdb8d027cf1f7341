"""Space endpoints: runtime, logs (SSE), secrets, variables, hardware, sleep, pause, restart."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from .access import load_repo
from .errors import bad_request
from .lifecycle import runtime_json
from .server import Request, Response, json_response, route
from .state import Repo, iso_now

ADMIN = "You don't have the rights to manage this Space's settings"
SSE_MAX_SECONDS = 120.0


def _space(req: Request, write: str | None = None) -> Repo:
    return load_repo(req, write=write, repo_type="space")


def set_item(repo: Repo, kind: str, item: dict[str, Any]) -> None:
    """Store one secret or variable (``{"key","value","description"?}``) like the Hub does."""
    key = item.get("key")
    if not isinstance(key, str) or not key:
        raise bad_request("key is required")
    value = item.get("value", "")
    meta: dict[str, Any] = {}
    if kind == "variable":
        meta["value"] = value
    if item.get("description") is not None:
        meta["description"] = item["description"]
    meta["updatedAt"] = iso_now()
    if kind == "secret":
        repo.secrets[key] = value
        repo.secret_meta[key] = meta
    else:
        repo.variables[key] = meta


@route("GET", "/api/spaces/{repo}/runtime")
def runtime(req: Request) -> Response:
    return json_response(runtime_json(_space(req)))


@route("GET", "/api/spaces/{repo}/logs/{kind}")
def logs(req: Request) -> Response:
    """Server-sent events, one per line; the stream ends once the phase's lines are all out."""
    repo = _space(req, write="You don't have the rights to read this Space's logs")
    build = repo.space.visible_build(time.monotonic())
    events = build.log_events(req.params["kind"]) if build is not None else []
    return Response(200, content_type="text/event-stream", stream=_sse(req, build, events))


def _sse(req: Request, build: Any, events: list[tuple[float, str]]) -> Iterator[bytes]:
    stop, deadline = req.sim.stopping, time.monotonic() + SSE_MAX_SECONDS
    yield b": hubsim\n\n"
    for when, line in events:
        while time.monotonic() < when:
            if stop.wait(min(0.02, max(when - time.monotonic(), 0))) or time.monotonic() > deadline:
                return
        payload = {"data": line + "\n", "timestamp": _iso(build.wall(when))}
        yield b"data: " + json.dumps(payload).encode() + b"\n\n"


def _iso(epoch: float) -> str:
    from .state import iso_at

    return iso_at(epoch)


@route("GET", "/api/spaces/{repo}/secrets")
def get_secrets(req: Request) -> Response:
    repo = _space(req, write=ADMIN)
    return json_response({k: dict(v) for k, v in repo.secret_meta.items()})


@route("POST", "/api/spaces/{repo}/secrets")
def add_secret(req: Request) -> Response:
    repo = _space(req, write=ADMIN)
    set_item(repo, "secret", req.json())
    req.sim.restart(repo, implicit=True)
    return json_response({})


@route("DELETE", "/api/spaces/{repo}/secrets")
def delete_secret(req: Request) -> Response:
    repo = _space(req, write=ADMIN)
    key = req.json().get("key")
    existed = key in repo.secrets
    repo.secrets.pop(key, None)
    repo.secret_meta.pop(key, None)
    if existed:
        req.sim.restart(repo, implicit=True)
    return json_response({})


@route("GET", "/api/spaces/{repo}/variables")
def get_variables(req: Request) -> Response:
    return json_response(_space(req, write=ADMIN).variables)


@route("POST", "/api/spaces/{repo}/variables")
def add_variable(req: Request) -> Response:
    repo = _space(req, write=ADMIN)
    set_item(repo, "variable", req.json())
    req.sim.restart(repo, implicit=True)
    return json_response(repo.variables)


@route("DELETE", "/api/spaces/{repo}/variables")
def delete_variable(req: Request) -> Response:
    repo = _space(req, write=ADMIN)
    if repo.variables.pop(req.json().get("key"), None) is not None:
        req.sim.restart(repo, implicit=True)
    return json_response(repo.variables)


@route("POST", "/api/spaces/{repo}/hardware")
def hardware(req: Request) -> Response:
    repo = _space(req, write=ADMIN)
    body = req.json()
    flavor = body.get("flavor")
    if not isinstance(flavor, str):
        raise bad_request("flavor is required")
    req.sim.check_hardware(flavor, repo.repo_id)
    if body.get("sleepTimeSeconds") is not None:
        repo.sleep_time = int(body["sleepTimeSeconds"])
    if flavor != repo.hardware:
        repo.hardware = flavor
        req.sim.restart(repo, implicit=True)
    return json_response(runtime_json(repo))


@route("POST", "/api/spaces/{repo}/sleeptime")
def sleeptime(req: Request) -> Response:
    repo = _space(req, write=ADMIN)
    seconds = req.json().get("seconds")
    if not isinstance(seconds, int):
        raise bad_request("seconds must be an integer")
    repo.sleep_time = seconds
    return json_response(runtime_json(repo))


@route("POST", "/api/spaces/{repo}/pause")
def pause(req: Request) -> Response:
    repo = _space(req, write=ADMIN)
    repo.space.paused = True
    return json_response(runtime_json(repo))


@route("POST", "/api/spaces/{repo}/restart")
def restart(req: Request) -> Response:
    repo = _space(req, write=ADMIN)
    if req.query.get("factory", "").lower() in ("true", "1"):
        req.sim.counters.bump("factory_reboots")  # a rebuild without the build cache
    req.sim.restart(repo)
    return json_response(runtime_json(repo))
