"""A small fake of GitHub's REST API that PyGithub really talks to over HTTP.

Covers what the sticky PR comment needs: the repository, the issue behind a
pull request, and its comments (listed with ``Link`` pagination, created,
edited). Every request is recorded for assertions. ``base_path`` mimics GitHub
Enterprise Server, whose API lives under ``/api/v3``.

Also Deployments as GitHub documents them (docs.github.com/rest/deployments),
with the shapes of the octokit webhook examples: create (``auto_merge`` and
``required_contexts`` checked like GitHub: a merge into a PR sha conflicts and
pending checks fail the request unless ``[]``), list by environment (newest
first), statuses with ``log_url``/``environment_url`` and ``auto_inactive``,
environments created on first use, and the ``deployments`` permission of the
token (``none`` -> 403 "Resource not accessible by integration"); the same for the
``pulls`` permission (reading pull requests).

The token's identity: an installation token (the workflow's GITHUB_TOKEN, login
``github-actions[bot]``) gets 403 on ``GET /user`` exactly as on GitHub; a
personal access token (``token_kind="user"``) gets its user. Pull requests have
a state and a head (``set_pull``, or ``deliver`` from a webhook payload, as GitHub fires the event
once the pull request is at that head): listed by ``state`` and fetched one by one.

``on_request`` is called with each request before it is answered (outside the state lock): a test
can hold one run's request there while another run goes ahead, as two overlapping runs do.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

DOCS = "https://docs.github.com/rest"
FORBIDDEN = {
    "message": "Resource not accessible by integration",
    "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
    "status": "403",
}
BOT_LOGIN = "github-actions[bot]"
#: What GitHub says to an installation token (GITHUB_TOKEN) on ``GET /user``.
USER_FORBIDDEN = {
    "message": "Resource not accessible by integration",
    "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
    "status": "403",
}
PULLS_FORBIDDEN = {
    "message": "Resource not accessible by integration",
    "documentation_url": "https://docs.github.com/rest/pulls/pulls#get-a-pull-request",
    "status": "403",
}
DEPLOYMENTS_FORBIDDEN = {
    "message": "Resource not accessible by integration",
    "documentation_url": "https://docs.github.com/rest/deployments/deployments#create-a-deployment",
    "status": "403",
}
STATUS_STATES = frozenset(
    {"error", "failure", "inactive", "in_progress", "queued", "pending", "success"}
)


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str  # without base_path and query
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]


@dataclass
class _State:
    comments: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    deployments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # oldest first
    statuses: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # oldest first
    environments: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    pulls: dict[tuple[str, int], dict[str, Any] | None] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1_000_001))
    connections: set[socket.socket] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeGitHub:
    """Run with ``with FakeGitHub(token="t") as gh:`` and point PyGithub at ``gh.api_url``."""

    def __init__(
        self,
        token: str = "test-token",  # noqa: S107 - a fake server's fake credential
        *,
        base_path: str = "",
        page_size: int | None = None,
        forbid_comments: bool = False,
        fail_status: int | None = None,
        login: str = BOT_LOGIN,
        web_url: str = "https://github.com",
        token_kind: str = "installation",  # noqa: S107 - a kind, not a secret
        deployments: str = "write",
        pulls: str = "read",
        pending_contexts: tuple[str, ...] = ("ci/test",),
    ) -> None:
        self.token = token
        self.base_path = base_path.rstrip("/")
        self.page_size = page_size  # None: honor per_page like GitHub (default 30, max 100)
        self.forbid_comments = forbid_comments
        self.fail_status = fail_status  # answer every API call with this error status
        self.login = login
        self.web_url = web_url
        # "installation": GITHUB_TOKEN or a GitHub App token (GET /user is 403);
        # "user": a personal access token, GET /user answers ``login``.
        self.token_kind = token_kind
        self.deployments_permission = deployments  # "write", "read" or "none"
        self.pulls_permission = pulls  # "read" or "none" (GET of pull requests: 403)
        # Commit statuses still pending on every ref (the PR's other checks are running):
        # a deployment that does not pass required_contexts=[] is refused with 409, as on GitHub.
        self.pending_contexts = pending_contexts
        self._state = _State()
        self.on_request: Callable[[Recorded], None] | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = False  # server_close() joins every handler thread
        server.block_on_close = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            with self._state.lock:
                open_connections = list(self._state.connections)
            for conn in open_connections:  # idle keep-alive clients would block the join
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """What to pass as PyGithub's ``base_url`` (and what GITHUB_API_URL would be)."""
        return self.origin + self.base_path

    # -- state for tests -----------------------------------------------------------------
    @property
    def requests(self) -> list[Recorded]:
        with self._state.lock:
            return list(self._state.requests)

    def comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        with self._state.lock:
            return [dict(c) for c in self._state.comments.get((repo, number), [])]

    def add_comment(
        self, repo: str, number: int, body: str, *, login: str = "someone"
    ) -> dict[str, Any]:
        """Seed a comment written by ``login`` (another user or bot)."""
        with self._state.lock:
            return dict(self._new_comment(repo, number, body, login))

    def set_pull(
        self,
        repo: str,
        number: int,
        state: str | None = "open",
        *,
        merged: bool = False,
        head: str | None = None,
    ) -> None:
        """Make pull request ``number`` open or closed at ``head``; ``state=None``: no such pull
        request.

        Numbers never set answer as open pull requests (``GET``) but are not listed; a head never
        set is ``number`` as a 40-digit sha.
        """
        with self._state.lock:
            self._state.pulls[(repo, number)] = (
                None if state is None else {"state": state, "merged": merged, "head": head}
            )

    def deliver(self, event: dict[str, Any]) -> None:
        """The pull request as GitHub holds it when it fires ``event`` (a ``pull_request`` payload):
        its state and its head."""
        pull = event["pull_request"]
        self.set_pull(
            pull["base"]["repo"]["full_name"],
            event.get("number", pull["number"]),
            pull["state"],
            merged=bool(pull.get("merged")),
            head=pull["head"]["sha"],
        )

    def seed_deployment(
        self, repo: str, environment: str, ref: str, *, states: tuple[str, ...] = ("success",)
    ) -> dict[str, Any]:
        """A transient deployment made earlier (another run), with its statuses in order."""
        with self._state.lock:
            body = {"ref": ref, "environment": environment, "transient_environment": True}
            deployment = self._new_deployment(repo, body)
            for state in states:
                self._new_status(repo, deployment, {"state": state})
            return dict(deployment)

    def deployments(self, repo: str, environment: str | None = None) -> list[dict[str, Any]]:
        """Deployments of ``repo`` (optionally of one environment), oldest first."""
        with self._state.lock:
            return [
                dict(d)
                for d in self._state.deployments.get(repo, [])
                if environment is None or d["environment"] == environment
            ]

    def statuses(self, deployment_id: int) -> list[dict[str, Any]]:
        """Statuses of one deployment, oldest first."""
        with self._state.lock:
            return [dict(s) for s in self._state.statuses.get(deployment_id, [])]

    def environments(self, repo: str) -> list[str]:
        """Environment names GitHub created for ``repo`` (one per distinct deployment environment)."""
        with self._state.lock:
            return list(self._state.environments.get(repo, {}))

    # -- internals used by the handler ---------------------------------------------------
    def _new_comment(self, repo: str, number: int, body: str, login: str) -> dict[str, Any]:
        cid = next(self._state.ids)
        now = _now()
        comment = {
            "id": cid,
            "node_id": f"IC_kwDO{cid:08d}",
            "url": f"{self.api_url}/repos/{repo}/issues/comments/{cid}",
            "html_url": f"{self.web_url}/{repo}/pull/{number}#issuecomment-{cid}",
            "issue_url": f"{self.api_url}/repos/{repo}/issues/{number}",
            "body": body,
            "user": _user(login, self.web_url, self.api_url),
            "created_at": now,
            "updated_at": now,
            "author_association": "NONE" if login == BOT_LOGIN else "CONTRIBUTOR",
            "performed_via_github_app": None,
        }
        self._state.comments.setdefault((repo, number), []).append(comment)
        return comment

    def _find_comment(self, repo: str, cid: int) -> dict[str, Any] | None:
        for (r, _), items in self._state.comments.items():
            if r == repo:
                for comment in items:
                    if comment["id"] == cid:
                        return comment
        return None

    def _new_deployment(self, repo: str, body: dict[str, Any]) -> dict[str, Any]:
        did = next(self._state.ids)
        now = _now()
        environment = body.get("environment") or "production"
        url = f"{self.api_url}/repos/{repo}/deployments/{did}"
        deployment = {
            "url": url,
            "id": did,
            "node_id": f"DE_kwDO{did:08d}",
            "sha": body["ref"] if re.fullmatch(r"[0-9a-f]{40}", body["ref"]) else "f" * 40,
            "ref": body["ref"],
            "task": body.get("task") or "deploy",
            "payload": body.get("payload") or {},
            "original_environment": environment,
            "environment": environment,
            "description": body.get("description"),
            "creator": _user(self.login, self.web_url, self.api_url),
            "created_at": now,
            "updated_at": now,
            "statuses_url": f"{url}/statuses",
            "repository_url": f"{self.api_url}/repos/{repo}",
            "transient_environment": bool(body.get("transient_environment", False)),
            "production_environment": bool(
                body.get("production_environment", environment == "production")
            ),
            "performed_via_github_app": None,
        }
        self._state.deployments.setdefault(repo, []).append(deployment)
        envs = self._state.environments.setdefault(repo, {})
        if environment not in envs:
            eid = next(self._state.ids)
            envs[environment] = {
                "id": eid,
                "node_id": f"EN_kwDO{eid:08d}",
                "name": environment,
                "url": f"{self.api_url}/repos/{repo}/environments/{environment}",
                "html_url": f"{self.web_url}/{repo}/deployments/activity_log?environments_filter={environment}",
                "created_at": now,
                "updated_at": now,
                "protection_rules": [],
                "deployment_branch_policy": None,
            }
        return deployment

    def _new_status(
        self, repo: str, deployment: dict[str, Any], body: dict[str, Any]
    ) -> dict[str, Any]:
        sid = next(self._state.ids)
        now = _now()
        log_url = body.get("log_url") or body.get("target_url") or ""
        if body.get("environment"):
            deployment["environment"] = body["environment"]
        status = {
            "url": f"{deployment['url']}/statuses/{sid}",
            "id": sid,
            "node_id": f"DES_kwDO{sid:08d}",
            "state": body["state"],
            "creator": _user(self.login, self.web_url, self.api_url),
            "description": body.get("description") or "",
            "environment": deployment["environment"],
            "target_url": log_url,  # setting log_url sets target_url to the same value
            "log_url": log_url,
            "environment_url": body.get("environment_url") or "",
            "created_at": now,
            "updated_at": now,
            "deployment_url": deployment["url"],
            "repository_url": f"{self.api_url}/repos/{repo}",
            "performed_via_github_app": None,
        }
        self._state.statuses.setdefault(deployment["id"], []).append(status)
        deployment["updated_at"] = now
        if body["state"] == "success" and body.get("auto_inactive", True):
            self._auto_inactivate(repo, deployment)
        return status

    def _auto_inactivate(self, repo: str, current: dict[str, Any]) -> None:
        """GitHub's ``auto_inactive``: prior successful deployments of the same environment
        become inactive, except transient and production ones."""
        for other in self._state.deployments.get(repo, []):
            if other is current or other["environment"] != current["environment"]:
                continue
            if other["transient_environment"] or other["production_environment"]:
                continue
            history = self._state.statuses.get(other["id"], [])
            if history and history[-1]["state"] == "success":
                self._new_status(repo, other, {"state": "inactive"})

    def _pull(self, repo: str, number: int) -> dict[str, Any] | None:
        known = (repo, number) in self._state.pulls
        info = self._state.pulls.get((repo, number)) if known else {"state": "open"}
        if info is None:
            return None
        closed = info["state"] == "closed"
        merged = closed and bool(info.get("merged"))
        when = "2024-01-02T00:00:00Z"
        return {
            "url": f"{self.api_url}/repos/{repo}/pulls/{number}",
            "id": 7_000_000 + number,
            "node_id": f"PR_kwDO{number:08d}",
            "html_url": f"{self.web_url}/{repo}/pull/{number}",
            "number": number,
            "state": info["state"],
            "locked": False,
            "title": f"Pull request {number}",
            "user": _user("contributor", self.web_url, self.api_url),
            "body": None,
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": when,
            "closed_at": when if closed else None,
            "merged_at": when if merged else None,
            "merged": merged,
            "draft": False,
            "head": {
                "label": f"{repo.split('/')[0]}:branch-{number}",
                "ref": f"branch-{number}",
                "sha": info.get("head") or f"{number:040x}"[-40:],
                "repo": self._repo(repo),
            },
            "base": {
                "label": f"{repo.split('/')[0]}:main",
                "ref": "main",
                "repo": self._repo(repo),
            },
        }

    def _repo(self, repo: str) -> dict[str, Any]:
        owner, name = repo.split("/")
        return {
            "id": abs(hash(repo)) % 10**8,
            "node_id": "R_kgDO" + name,
            "name": name,
            "full_name": repo,
            "private": False,
            "owner": _user(owner, self.web_url, self.api_url, kind="Organization"),
            "html_url": f"{self.web_url}/{repo}",
            "url": f"{self.api_url}/repos/{repo}",
            "issues_url": f"{self.api_url}/repos/{repo}/issues{{/number}}",
            "default_branch": "main",
            "fork": False,
        }

    def _issue(self, repo: str, number: int) -> dict[str, Any]:
        return {
            "id": 5_000_000 + number,
            "node_id": f"PR_kwDO{number:08d}",
            "number": number,
            "title": f"Pull request {number}",
            "state": (self._state.pulls.get((repo, number)) or {"state": "open"})["state"],
            "url": f"{self.api_url}/repos/{repo}/issues/{number}",
            "html_url": f"{self.web_url}/{repo}/pull/{number}",
            "comments_url": f"{self.api_url}/repos/{repo}/issues/{number}/comments",
            "comments": len(self._state.comments.get((repo, number), [])),
            "user": _user("contributor", self.web_url, self.api_url),
            "pull_request": {
                "url": f"{self.api_url}/repos/{repo}/pulls/{number}",
                "html_url": f"{self.web_url}/{repo}/pull/{number}",
            },
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": _now(),
        }


_REPO = r"^/repos/(?P<repo>[^/]+/[^/]+)"
_ROUTES = [
    ("GET", re.compile(r"^/user$"), "get_user"),
    ("GET", re.compile(_REPO + r"$"), "get_repo"),
    ("GET", re.compile(_REPO + r"/issues/(?P<number>\d+)$"), "get_issue"),
    ("GET", re.compile(_REPO + r"/pulls/(?P<number>\d+)$"), "get_pull"),
    ("GET", re.compile(_REPO + r"/pulls$"), "list_pulls"),
    ("GET", re.compile(_REPO + r"/deployments$"), "list_deployments"),
    ("POST", re.compile(_REPO + r"/deployments$"), "create_deployment"),
    ("GET", re.compile(_REPO + r"/deployments/(?P<did>\d+)$"), "get_deployment"),
    ("GET", re.compile(_REPO + r"/deployments/(?P<did>\d+)/statuses$"), "list_statuses"),
    ("POST", re.compile(_REPO + r"/deployments/(?P<did>\d+)/statuses$"), "create_status"),
    ("GET", re.compile(_REPO + r"/environments$"), "list_environments"),
    (
        "GET",
        re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<number>\d+)/comments$"),
        "list_comments",
    ),
    (
        "POST",
        re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<number>\d+)/comments$"),
        "create_comment",
    ),
    (
        "PATCH",
        re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/comments/(?P<cid>\d+)$"),
        "edit_comment",
    ),
]


def _handler_for(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes

        def setup(self) -> None:
            super().setup()
            with fake._state.lock:
                fake._state.connections.add(self.connection)

        def finish(self) -> None:
            with fake._state.lock:
                fake._state.connections.discard(self.connection)
            super().finish()

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_PATCH(self) -> None:
            self._dispatch("PATCH")

        def do_DELETE(self) -> None:
            self._dispatch("DELETE")

        def _dispatch(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            path = parts.path
            in_base = path.startswith(fake.base_path + "/") if fake.base_path else True
            if in_base:
                path = path[len(fake.base_path) :]
            recorded = Recorded(method, path, query, body, dict(self.headers.items()))
            with fake._state.lock:
                fake._state.requests.append(recorded)
            if fake.on_request is not None:
                fake.on_request(recorded)
            if not in_base:
                return self._send(404, {"message": "Not Found", "documentation_url": DOCS})
            if fake.fail_status is not None:
                return self._send(
                    fake.fail_status, {"message": "Server Error", "documentation_url": DOCS}
                )
            if not self._authorized():
                return self._send(401, {"message": "Bad credentials", "documentation_url": DOCS})
            for route_method, pattern, name in _ROUTES:
                match = pattern.match(path)
                if match and route_method == method:
                    with fake._state.lock:
                        return getattr(self, name)(query=query, body=body, **match.groupdict())
            self._send(404, {"message": "Not Found", "documentation_url": DOCS})

        def _authorized(self) -> bool:
            scheme, _, value = (self.headers.get("Authorization") or "").partition(" ")
            return scheme.lower() in {"token", "bearer"} and value == fake.token

        # -- routes (called with the state lock held) ----------------------------------
        def get_repo(self, repo: str, **_: Any) -> None:
            self._send(200, fake._repo(repo))

        def get_issue(self, repo: str, number: str, **_: Any) -> None:
            if fake._state.pulls.get((repo, int(number)), {}) is None:
                return self._send(404, {"message": "Not Found", "documentation_url": DOCS})
            self._send(200, fake._issue(repo, int(number)))

        def list_comments(
            self, repo: str, number: str, query: dict[str, list[str]], **_: Any
        ) -> None:
            self._send_page(fake._state.comments.get((repo, int(number)), []), query)

        def get_user(self, **_: Any) -> None:
            if fake.token_kind != "user":  # an installation token has no user behind it
                return self._send(403, USER_FORBIDDEN)
            self._send(200, _user(fake.login, fake.web_url, fake.api_url))

        def get_pull(self, repo: str, number: str, **_: Any) -> None:
            if fake.pulls_permission == "none":
                return self._send(403, PULLS_FORBIDDEN)
            pull = fake._pull(repo, int(number))
            if pull is None:
                return self._send(404, {"message": "Not Found", "documentation_url": DOCS})
            self._send(200, pull)

        def list_pulls(self, repo: str, query: dict[str, list[str]], **_: Any) -> None:
            if fake.pulls_permission == "none":
                return self._send(403, PULLS_FORBIDDEN)
            wanted = query.get("state", ["open"])[-1]
            if wanted not in {"open", "closed", "all"}:
                return self._send(422, {"message": "Validation Failed", "status": "422"})
            numbers = sorted(
                (n for (r, n), info in fake._state.pulls.items() if r == repo and info),
                reverse=True,  # GitHub's default sort: newest first
            )
            pulls = [fake._pull(repo, n) for n in numbers]
            self._send_page([p for p in pulls if p and wanted in ("all", p["state"])], query)

        def list_deployments(self, repo: str, query: dict[str, list[str]], **_: Any) -> None:
            if fake.deployments_permission == "none":
                return self._send(403, DEPLOYMENTS_FORBIDDEN)
            items = list(reversed(fake._state.deployments.get(repo, [])))  # newest first
            for key in ("environment", "sha", "ref", "task"):
                if key in query:
                    items = [d for d in items if d[key] == query[key][-1]]
            self._send_page(items, query)

        def create_deployment(self, repo: str, body: Any, **_: Any) -> None:
            if fake.deployments_permission != "write":
                return self._send(403, DEPLOYMENTS_FORBIDDEN)
            if not isinstance(body, dict) or not isinstance(body.get("ref"), str):
                return self._send(422, {"message": 'Invalid request.\n\n"ref" wasn\'t supplied.'})
            if body.get("auto_merge", True) is not False:  # a PR head sha cannot take a merge
                return self._send(409, {"message": f"Conflict merging main into {body['ref']}."})
            if body.get("required_contexts") != [] and fake.pending_contexts:
                return self._send(409, _checks_failed(body["ref"], fake.pending_contexts))
            self._send(201, fake._new_deployment(repo, body))

        def get_deployment(self, repo: str, did: str, **_: Any) -> None:
            deployment = self._deployment(repo, did)
            if deployment is not None:
                self._send(200, deployment)

        def list_statuses(self, repo: str, did: str, query: dict[str, list[str]], **_: Any) -> None:
            if self._deployment(repo, did) is not None:
                self._send_page(list(reversed(fake._state.statuses.get(int(did), []))), query)

        def create_status(self, repo: str, did: str, body: Any, **_: Any) -> None:
            if fake.deployments_permission != "write":
                return self._send(403, DEPLOYMENTS_FORBIDDEN)
            deployment = self._deployment(repo, did)
            if deployment is None:
                return
            if not isinstance(body, dict) or body.get("state") not in STATUS_STATES:
                return self._send(422, {"message": "Validation Failed", "status": "422"})
            if len(body.get("description") or "") > 140:
                return self._send(
                    422, {"message": "description is too long (maximum is 140 characters)"}
                )
            self._send(201, fake._new_status(repo, deployment, body))

        def list_environments(self, repo: str, **_: Any) -> None:
            envs = list(fake._state.environments.get(repo, {}).values())
            self._send(200, {"total_count": len(envs), "environments": envs})

        def create_comment(self, repo: str, number: str, body: Any, **_: Any) -> None:
            if fake.forbid_comments:
                return self._send(403, FORBIDDEN)
            if not isinstance(body, dict) or not isinstance(body.get("body"), str):
                return self._send(
                    422,
                    {"message": 'Invalid request.\n\n"body" wasn\'t supplied.', "status": "422"},
                )
            self._send(201, fake._new_comment(repo, int(number), body["body"], fake.login))

        def edit_comment(self, repo: str, cid: str, body: Any, **_: Any) -> None:
            if fake.forbid_comments:
                return self._send(403, FORBIDDEN)
            comment = fake._find_comment(repo, int(cid))
            if comment is None:
                return self._send(404, {"message": "Not Found", "documentation_url": DOCS})
            if not isinstance(body, dict) or not isinstance(body.get("body"), str):
                return self._send(422, {"message": "Invalid request.", "status": "422"})
            comment["body"] = body["body"]
            comment["updated_at"] = _now()
            self._send(200, comment)

        # -- helpers ---------------------------------------------------------------------
        def _deployment(self, repo: str, did: str) -> dict[str, Any] | None:
            """The deployment, or None after answering 403/404 as GitHub does."""
            if fake.deployments_permission == "none":
                self._send(403, DEPLOYMENTS_FORBIDDEN)
                return None
            for deployment in fake._state.deployments.get(repo, []):
                if deployment["id"] == int(did):
                    return deployment
            self._send(404, {"message": "Not Found", "documentation_url": DOCS})
            return None

        def _send_page(self, items: list[Any], query: dict[str, list[str]]) -> None:
            size = fake.page_size or min(int(query.get("per_page", ["30"])[0]), 100)
            page = max(int(query.get("page", ["1"])[0]), 1)
            last = max((len(items) + size - 1) // size, 1)
            chunk = items[(page - 1) * size : page * size]
            links = self._links(query, page, last)
            self._send(200, chunk, {"Link": links} if links else None)

        def _links(self, query: dict[str, list[str]], page: int, last: int) -> str:
            def url(p: int) -> str:
                params = {k: v[-1] for k, v in query.items()}
                params["page"] = str(p)
                return f"<{fake.origin}{urlsplit(self.path).path}?{urlencode(params)}>"

            rels = []
            if page < last:
                rels += [f'{url(page + 1)}; rel="next"', f'{url(last)}; rel="last"']
            if page > 1:
                rels += [f'{url(1)}; rel="first"', f'{url(page - 1)}; rel="prev"']
            return ", ".join(rels)

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _user(login: str, web_url: str, api_url: str, kind: str | None = None) -> dict[str, Any]:
    return {
        "login": login,
        "id": abs(hash(login)) % 10**7,
        "node_id": "U_" + re.sub(r"\W", "", login),
        "type": kind or ("Bot" if login.endswith("[bot]") else "User"),
        "html_url": f"{web_url}/{login}",
        "url": f"{api_url}/users/{login}",
        "site_admin": False,
    }


def _checks_failed(ref: str, contexts: tuple[str, ...]) -> dict[str, Any]:
    return {
        "message": f"Conflict: Commit status checks failed for {ref}.",
        "errors": [
            {
                "contexts": [{"context": c, "state": "pending"} for c in contexts],
                "resource": "Deployment",
                "field": "required_contexts",
                "code": "invalid",
            }
        ],
        "documentation_url": "https://docs.github.com/rest/deployments/deployments#create-a-deployment",
        "status": "409",
    }


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
