"""Each Space's app, served by the simulator itself so a smoke check has something to call.

With ``settings.serve_apps`` on, a Space's ``host`` is ``{hubsim}/_apps/{subdomain}`` (in production:
``https://{subdomain}.hf.space``) and a GET there answers as the app of the build shown would:
200, 500, or never (``settings.app_answers[space_id]``, else a ``hubsim: app-answers 500|none`` marker
in a file of the running commit, else 200).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import HubError
from .web import Request, Response, Url, text_response

if TYPE_CHECKING:
    from .model import Hub

HANG_SECONDS = 60.0  # "never answers": held this long (or until the simulator stops), then 504
ANSWERS = ("200", "500", "none")


def _space_of(hub: Hub, req: Request) -> Any:
    sub = req.params["sub"]
    with hub.lock:
        repos = [r for (t, _), r in hub.repos.items() if t == "space" and r.subdomain == sub]
    if not repos:
        raise HubError(404, "Sorry, we can't find the page you are looking for.")
    return repos[0]


def app(hub: Hub, req: Request) -> Response:
    """A private Space's app wants a token that may read the Space (``Authorization: Bearer``,
    as gradio_client sends for private Spaces); without it the Space does not exist (404)."""
    repo = _space_of(hub, req)
    authorized = req.principal is not None and req.principal.user is not None
    hub.app_visits.append((repo.repo_id, "/" + req.params.get("path", ""), authorized))
    if not hub.auth.can_read(req.principal, repo.owner, repo.private):
        raise HubError(404, "Sorry, we can't find the page you are looking for.")
    now = hub.now()
    stage = repo.space.view(now).stage
    if stage in ("SLEEPING", "STOPPED"):
        hub.wake(repo.repo_id)  # a visit wakes it, as on the Hub
    if stage != "RUNNING":
        return _page(503, f"Space {repo.repo_id} is not running ({stage}).")
    build = repo.space.visible_build(now)
    planned = build.plan.answers if build is not None else "200"
    answer = hub.settings.app_answers.get(repo.repo_id, planned)
    if answer == "none":
        req.stopping.wait(HANG_SECONDS)
        return _page(504, "Gateway Timeout")
    body = hub.settings.app_bodies.get(repo.repo_id)
    if answer == "500":
        return _page(
            500, body or "Internal Server Error\nTraceback (most recent call last):\n  ..."
        )
    return _page(200, body or f"<!doctype html><title>{repo.name}</title><h1>{repo.repo_id}</h1>")


def _page(status: int, text: str) -> Response:
    resp = text_response(text, status)
    resp.content_type = "text/html; charset=utf-8"
    return resp


URLS: tuple[Url, ...] = (
    ("GET", "/_apps/{sub}/{path}", app),
    ("GET", "/_apps/{sub}/", app),  # the app's root, as `smoke-path: /` asks it
    ("GET", "/_apps/{sub}", app),
)
