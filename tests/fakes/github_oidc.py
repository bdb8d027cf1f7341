"""GitHub's id-token endpoint, faked: what a job with ``permissions: id-token: write`` reaches at
``ACTIONS_ID_TOKEN_REQUEST_URL`` with ``Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN``.

``GET <url>&audience=<aud>`` answers ``{"count": n, "value": "<jwt>"}`` like the runner's service;
the JWT carries GitHub's claims (``sub`` = ``repo:<owner>/<repo>:ref:<ref>`` or
``…:environment:<env>``, ``repository``, ``repository_owner``, ``ref``, ``workflow``, ...) and is
signed by the simulator's fake issuer (``hub.oidc.issuer``), which the simulator's
``/oauth/token`` verifies. A wrong bearer gets 401 as from GitHub; ``refuse`` answers every request
with that status.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeGitHubOidc:
    """Serves id tokens for one workflow run; ``issuer`` is ``hubsim.oidc.FakeIssuer``."""

    issuer: Any
    repository: str = "octo-org/octo-app"
    ref: str = "refs/heads/main"
    environment: str | None = None
    workflow: str = "deploy"
    request_token: str = field(default_factory=lambda: "ghs_idreq_" + secrets.token_hex(16))
    audiences: list[str] = field(default_factory=list)  # one per id token handed out
    refused: int = 0
    refuse: int | None = None  # a status every request gets, as GitHub refusing to mint
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        # The runner's URL already carries a query string: the audience is appended with &.
        return f"http://{host}:{port}/_apis/idtoken?api-version=2.0"

    def env(self) -> dict[str, str]:
        """The two variables the runner gives a container action when id-token: write is set."""
        return {
            "ACTIONS_ID_TOKEN_REQUEST_URL": self.url,
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": self.request_token,
        }

    def claims(self) -> dict[str, Any]:
        owner = self.repository.split("/")[0]
        sub = f"repo:{self.repository}:" + (
            f"environment:{self.environment}" if self.environment else f"ref:{self.ref}"
        )
        out = {
            "sub": sub,
            "repository": self.repository,
            "repository_owner": owner,
            "ref": self.ref,
            "workflow": self.workflow,
            "workflow_ref": f"{self.repository}/.github/workflows/{self.workflow}.yml@{self.ref}",
            "event_name": "push",
            "run_id": "4242",
        }
        if self.environment:
            out["environment"] = self.environment
        return out

    def start(self) -> FakeGitHubOidc:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if fake.refuse is not None:
                    fake.refused += 1
                    return self._send(fake.refuse, {"message": "Forbidden"})
                auth = self.headers.get("Authorization", "")
                if auth != f"Bearer {fake.request_token}":
                    fake.refused += 1
                    return self._send(401, {"message": "Bad credentials"})
                audience = parse_qs(urlsplit(self.path).query).get("audience", [""])[-1]
                fake.audiences.append(audience)
                token = fake.issuer.mint(audience, **fake.claims())
                self._send(200, {"count": len(fake.audiences), "value": token})

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
