"""A small fake of GitHub's REST API that PyGithub really talks to over HTTP.

Covers what the sticky PR comment needs: the repository, the issue behind a
pull request, and its comments (listed with ``Link`` pagination, created,
edited). Every request is recorded for assertions. ``base_path`` mimics GitHub
Enterprise Server, whose API lives under ``/api/v3``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import socket
import threading
from collections.abc import Iterator
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
    ) -> None:
        self.token = token
        self.base_path = base_path.rstrip("/")
        self.page_size = page_size  # None: honor per_page like GitHub (default 30, max 100)
        self.forbid_comments = forbid_comments
        self.fail_status = fail_status  # answer every API call with this error status
        self.login = login
        self.web_url = web_url
        self._state = _State()
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
            "state": "open",
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


_ROUTES = [
    ("GET", re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)$"), "get_repo"),
    (
        "GET",
        re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/(?:issues|pulls)/(?P<number>\d+)$"),
        "get_issue",
    ),
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
            with fake._state.lock:
                fake._state.requests.append(
                    Recorded(method, path, query, body, dict(self.headers.items()))
                )
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
            self._send(200, fake._issue(repo, int(number)))

        def list_comments(
            self, repo: str, number: str, query: dict[str, list[str]], **_: Any
        ) -> None:
            items = fake._state.comments.get((repo, int(number)), [])
            size = fake.page_size or min(int(query.get("per_page", ["30"])[0]), 100)
            page = max(int(query.get("page", ["1"])[0]), 1)
            last = max((len(items) + size - 1) // size, 1)
            chunk = items[(page - 1) * size : page * size]
            links = self._links(query, page, last)
            self._send(200, chunk, {"Link": links} if links else None)

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


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
