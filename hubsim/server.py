"""The thin server: parse HTTP, match the URL table, hand the model to the handler, send the answer.

It knows nothing about repositories: the routes come from ``urls.URLS``, the rules from
``model.Hub``. Faults are injected here, before or after the handler runs.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import socket
import sys
import threading
import traceback
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .errors import HubError
from .quota import Tally, refused
from .web import Handler, Request, Response, Url, error_response, json_response

if TYPE_CHECKING:
    from .faults import FaultRule, Faults
    from .model import Hub

log = logging.getLogger("hubsim")

FAULT_BODIES = {
    500: "Internal Error - We're working hard to fix this as soon as possible!",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    429: "Too Many Requests",
}
_PLACEHOLDERS = {
    "type": r"(?P<type>model|dataset|space|kernel)",
    "repo": r"(?P<repo>[^/]+/[^/]+?)",
    "rev": r"(?P<rev>[^/]+)",
    "path": r"(?P<path>.+)",
    "oid": r"(?P<oid>[0-9a-f]{64})",
    "kind": r"(?P<kind>build|run)",
    "rtype": r"(?P<rtype>model|dataset|space|kernel)",
    "sub": r"(?P<sub>[a-z0-9-]+)",
    "prefix": r"(?P<prefix>(?:spaces/|datasets/|kernels/)?)",
}


@dataclass(frozen=True)
class Route:
    method: str
    regex: re.Pattern[str]
    template: str  # also the key of Counters.requests
    handler: Handler


def compile_routes(urls: tuple[Url, ...]) -> tuple[Route, ...]:
    """``{name}`` placeholders of each template become named groups; the order is kept."""
    routes = []
    for method, template, handler in urls:
        pattern = re.escape(template)
        for name, rx in _PLACEHOLDERS.items():
            pattern = pattern.replace(re.escape("{" + name + "}"), rx)
        routes.append(Route(method, re.compile("^" + pattern + "$"), template, handler))
    return tuple(routes)


def match_route(
    routes: tuple[Route, ...], method: str, path: str
) -> tuple[Route | None, dict[str, str], bool]:
    """Return (route, params, path_known). path_known distinguishes 405 from 404."""
    known = False
    for r in routes:
        m = r.regex.match(path)
        if m:
            known = True
            if r.method == method:
                return r, {k: unquote(v) for k, v in m.groupdict().items() if v is not None}, True
    return None, {}, known


def _with_quota(resp: Response | None, tally: Tally, known: bool) -> Response:
    """An answer under the API quota: the handler's (None: refused, or no such route) with the
    window's RateLimit headers, as the Hub sends on every answer."""
    if resp is None and not tally.allowed:
        resp = error_response(refused(tally))
    elif resp is None:
        status, text = (
            (405, "Method Not Allowed")
            if known
            else (404, "Sorry, we can't find the page you are looking for.")
        )
        resp = error_response(HubError(status, text))
    resp.headers.update(tally.headers())
    return resp


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hubsim"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    server: SimServer

    def _dispatch(self) -> None:
        server, hub = self.server, self.server.hub
        method = self.command
        split = urlsplit(self.path)
        path = split.path
        rt, params, known = match_route(server.routes, method, path)
        hub.counters.request(
            f"{method} {rt.template}" if rt else f"{method} <unmatched>",
            self.headers.get("User-Agent") or "",
        )
        req = Request(
            self,
            method,
            path,
            split.query,
            params,
            own_url=server.url,
            stopping=server.stopping,
            received=hub.counters.add_bytes,
        )
        fault = server.faults.take(method, path, split.query)
        if fault is not None and fault.before is not None:
            fault.before()  # e.g. another writer commits first; then this request runs as usual
            fault = None
        try:
            if fault is not None and not fault.after_apply:
                req.drain()
                if fault.drop:
                    return self._drop()
                return self._send(self._fault_of(fault))
            resp = self._run(req, rt, known)
            req.drain()
        except (ConnectionError, OSError):
            self.close_connection = True
            return
        if fault is not None:
            if fault.drop:
                return self._drop()
            resp = self._fault_of(fault)
        self._send(resp)

    def _run(self, req: Request, rt: Route | None, known: bool) -> Response:
        hub = self.server.hub
        try:
            req.principal = hub.auth.identify(self.headers.get("Authorization"))
            if req.principal.scope is not None and rt is not None:
                from .oidc import check_scope

                check_scope(hub, req, rt.template)  # an exchanged token acts on its one repo only
            tally = hub.count_api(req.principal.user, req.path)
            if tally is not None and not tally.allowed:
                hub.counters.refused(self.headers.get("User-Agent") or "")
            if tally is not None:
                resp = rt.handler(hub, req) if tally.allowed and rt is not None else None
                return _with_quota(resp, tally, known)
            if rt is None:
                if known:
                    return error_response(HubError(405, "Method Not Allowed"))
                return error_response(
                    HubError(404, "Sorry, we can't find the page you are looking for.")
                )
            return rt.handler(hub, req)
        except HubError as err:
            return error_response(err)
        except (ConnectionError, BrokenPipeError):
            raise
        except Exception:  # a simulator bug must still answer like a server would
            log.error("handler crashed:\n%s", traceback.format_exc())
            return error_response(HubError(500, FAULT_BODIES[500]))

    def _fault_of(self, fault: FaultRule) -> Response:
        resp = self._fault_response(fault.status or 500, fault.retry_after, fault.message)
        if fault.ratelimit is not None:  # the Hub's 429: RateLimit headers, no Retry-After
            resp.headers["RateLimit"] = f'"api";r=0;t={fault.ratelimit}'
            resp.headers["RateLimit-Policy"] = '"fixed window";"api";q=1000;w=300'
        return resp

    @staticmethod
    def _fault_response(
        status: int, retry_after: int | None, message: str | None = None
    ) -> Response:
        headers: dict[str, str] = {}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
            if status == 429:
                headers["RateLimit"] = f'"api";r=0;t={retry_after}'
                headers["RateLimit-Policy"] = '"fixed window";"api";q=500;w=300'
        message = message or FAULT_BODIES.get(status, "Injected fault")
        return json_response({"error": message}, status, {"X-Error-Message": message, **headers})

    def _drop(self) -> None:
        """Close the socket without a response, like a proxy losing the connection."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, resp: Response) -> None:
        try:
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header(
                "X-Request-Id", "Root=1-" + secrets.token_hex(4) + "-" + secrets.token_hex(12)
            )
            self.send_header(
                "Access-Control-Expose-Headers",
                "X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link",
            )
            for k, v in resp.headers.items():
                self.send_header(k, v)
            if resp.stream is not None:
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                self.wfile.flush()
                for chunk in resp.stream:
                    if chunk:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            else:
                body = b"" if self.command == "HEAD" else resp.body
                self.send_header("Content-Length", str(len(resp.body)))
                self.end_headers()
                self.wfile.write(body)
            self.wfile.flush()
        except (ConnectionError, OSError):
            self.close_connection = True
        finally:
            if resp.stream is not None and hasattr(resp.stream, "close"):
                resp.stream.close()  # type: ignore[union-attr]

    def date_time_string(self, timestamp: float | None = None) -> str:
        clock = self.server.hub.clock
        return formatdate(clock.time() if timestamp is None else timestamp, usegmt=True)


class SimServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that tracks its connections so stop() leaves no thread behind."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(
        self,
        addr: tuple[str, int],
        hub: Hub,
        routes: tuple[Route, ...],
        faults: Faults,
        stopping: threading.Event,
    ) -> None:
        self.hub, self.routes, self.faults, self.stopping = hub, routes, faults, stopping
        self._conns: set[socket.socket] = set()
        self._conn_threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        super().__init__(addr, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        # Answer at once: without it each small response waits ~40 ms on the client's delayed ACK.
        with contextlib.suppress(OSError):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t = threading.Thread(
            target=self._worker, args=(request, client_address), daemon=True, name="hubsim-conn"
        )
        with self._lock:
            self._conns.add(request)
            self._conn_threads.add(t)
        t.start()

    def _worker(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._conns.discard(request)
                self._conn_threads.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a log read that stopped early) is no server error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def close_connections(self, timeout: float = 1.0) -> None:
        with self._lock:
            conns, threads = list(self._conns), list(self._conn_threads)
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        for t in threads:
            t.join(timeout)
