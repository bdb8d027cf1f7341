"""Space endpoints: runtime, logs (SSE), secrets, variables, hardware, sleep, pause, restart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .access import load_repo
from .clock import STREAM_HEADER
from .lifecycle import Build, runtime_json
from .model import Restart, Setting
from .state import Repo, iso_at
from .web import Request, Response, Url, json_response

if TYPE_CHECKING:
    from .model import Hub

ADMIN = "You don't have the rights to manage this Space's settings"
SSE_MAX_SECONDS = 120.0
KEEPALIVES = {"keepalive": b"data: \n\n", "keepalive-comment": b": keep-alive\n\n", "silent": b""}


def _space(hub: Hub, req: Request, write: str | None = None) -> Repo:
    return load_repo(hub, req, write=write, repo_type="space")


def runtime(hub: Hub, req: Request) -> Response:
    return json_response(runtime_json(_space(hub, req), hub.now()))


def logs(hub: Hub, req: Request) -> Response:
    """Server-sent events, one per line, of the build shown. ``variants.log_stream``: ``close``
    ends the stream after the lines written so far; ``keepalive`` keeps it open, sending new
    lines as they are written and an empty ``data:`` event every ``keepalive`` seconds."""
    repo = _space(hub, req, write="You don't have the rights to read this Space's logs")
    kind = req.params["kind"]
    stream = (
        _keepalive(hub, req, repo, kind) if hub.settings.variants.log_stream != "close" else None
    )
    if stream is None:
        build = repo.space.visible_build(hub.now())
        events = build.log_events(kind) if build is not None else []
        stream = _written(build, [e for e in events if e[0] <= hub.now()])
    return Response(200, content_type="text/event-stream", stream=stream)


def _event(build: Build, when: float, line: str) -> bytes:
    payload = {"data": line + "\n", "timestamp": iso_at(build.wall(when))}
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def _written(build: Build | None, events: list[tuple[float, str]]) -> Iterator[bytes]:
    yield b": hubsim\n\n"
    for when, line in events:
        assert build is not None
        yield _event(build, when, line)


def _keepalive(hub: Hub, req: Request, repo: Repo, kind: str) -> Iterator[bytes]:
    """The lines written so far, then each new one at its time, and between them a keep-alive
    every ``keepalive`` seconds (none when ``silent``), until the client leaves (or
    ``SSE_MAX_SECONDS``). On a fake
    clock the stream waits for the clock to reach those times (see clock.client_factory)."""
    clock, every, stop = hub.clock, hub.settings.variants.keepalive, req.stopping
    deadline = clock.monotonic() + SSE_MAX_SECONDS
    build = repo.space.visible_build(hub.now())
    key, sent, nbytes = req.headers.get(STREAM_HEADER) or "", 0, 0
    ping = KEEPALIVES[hub.settings.variants.log_stream]
    yield b": hubsim\n\n"
    nbytes += len(b": hubsim\n\n")
    while clock.monotonic() < deadline:
        events = build.log_events(kind) if build is not None else []
        while sent < len(events) and events[sent][0] <= clock.monotonic():
            assert build is not None
            chunk = _event(build, *events[sent])
            yield chunk
            sent, nbytes = sent + 1, nbytes + len(chunk)
        pause = every
        if sent < len(events):
            pause = min(every, events[sent][0] - clock.monotonic())
        gone = lambda: req.client_gone(0.0)  # noqa: E731 - checked while waiting
        if clock.wait(max(pause, 0.001), stop, gone, (key, nbytes) if key else None):
            return
        if sent >= len(events) or events[sent][0] > clock.monotonic():
            nbytes += len(ping)
            yield ping


def get_secrets(hub: Hub, req: Request) -> Response:
    repo = _space(hub, req, write=ADMIN)
    return json_response({k: dict(v) for k, v in repo.secret_meta.items()})


def add_secret(hub: Hub, req: Request) -> Response:
    hub.put_setting(_space(hub, req, write=ADMIN), Setting.SECRET, req.json())
    return json_response({})


def delete_secret(hub: Hub, req: Request) -> Response:
    hub.delete_setting(_space(hub, req, write=ADMIN), Setting.SECRET, req.json().get("key"))
    return json_response({})


def get_variables(hub: Hub, req: Request) -> Response:
    return json_response(_space(hub, req, write=ADMIN).variables)


def add_variable(hub: Hub, req: Request) -> Response:
    repo = _space(hub, req, write=ADMIN)
    hub.put_setting(repo, Setting.VARIABLE, req.json())
    return json_response(repo.variables)


def delete_variable(hub: Hub, req: Request) -> Response:
    repo = _space(hub, req, write=ADMIN)
    hub.delete_setting(repo, Setting.VARIABLE, req.json().get("key"))
    return json_response(repo.variables)


def hardware(hub: Hub, req: Request) -> Response:
    repo = _space(hub, req, write=ADMIN)
    body = req.json()
    hub.set_hardware(repo, body.get("flavor"), body.get("sleepTimeSeconds"))
    return json_response(runtime_json(repo, hub.now()))


def sleeptime(hub: Hub, req: Request) -> Response:
    repo = _space(hub, req, write=ADMIN)
    hub.set_sleep_time(repo, req.json().get("seconds"))
    return json_response(runtime_json(repo, hub.now()))


def pause(hub: Hub, req: Request) -> Response:
    repo = _space(hub, req, write=ADMIN)
    hub.pause(repo)
    return json_response(runtime_json(repo, hub.now()))


def restart(hub: Hub, req: Request) -> Response:
    repo = _space(hub, req, write=ADMIN)
    factory = req.query.get("factory", "").lower() in ("true", "1")
    hub.restart(repo, Restart.FACTORY if factory else Restart.ASKED)
    return json_response(runtime_json(repo, hub.now()))


URLS: tuple[Url, ...] = (
    ("GET", "/api/spaces/{repo}/runtime", runtime),
    ("GET", "/api/spaces/{repo}/logs/{kind}", logs),
    ("GET", "/api/spaces/{repo}/secrets", get_secrets),
    ("POST", "/api/spaces/{repo}/secrets", add_secret),
    ("DELETE", "/api/spaces/{repo}/secrets", delete_secret),
    ("GET", "/api/spaces/{repo}/variables", get_variables),
    ("POST", "/api/spaces/{repo}/variables", add_variable),
    ("DELETE", "/api/spaces/{repo}/variables", delete_variable),
    ("POST", "/api/spaces/{repo}/hardware", hardware),
    ("POST", "/api/spaces/{repo}/sleeptime", sleeptime),
    ("POST", "/api/spaces/{repo}/pause", pause),
    ("POST", "/api/spaces/{repo}/restart", restart),
)
