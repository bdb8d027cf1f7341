"""Requests and responses as handlers see them: the parsed URL, the body read lazily, the answer.

A handler is ``(hub, request) -> Response``: it reads the HTTP here and the Hub's rules in
``model.Hub``. ``server.py`` makes these from sockets.
"""

from __future__ import annotations

import json
import select
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import parse_qs

from .errors import HubError, bad_request

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

    from .auth import Principal
    from .model import Hub


@dataclass
class Response:
    """What a handler returns. ``stream`` (an iterator of bytes) is sent chunked, e.g. for SSE."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterator[bytes] | None = None


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status, json.dumps(obj, separators=(",", ":")).encode(), headers=dict(headers or {})
    )


def text_response(text: str, status: int = 200) -> Response:
    return Response(status, text.encode(), "text/plain; charset=utf-8")


def error_response(err: HubError) -> Response:
    return json_response(err.body(), err.status, err.response_headers())


class Request:
    """One parsed request. The body is read lazily so LFS uploads can be streamed to disk."""

    def __init__(
        self,
        handler: BaseHTTPRequestHandler,
        method: str,
        path: str,
        query: str,
        params: dict[str, str],
        *,
        own_url: str,
        stopping: threading.Event,
        received: Callable[[int], None],
    ) -> None:
        self.handler = handler
        self.own_url = own_url  # the server's address, when the client sent no Host
        self.stopping = stopping  # set when the simulator stops: long waits end early
        self._received = received  # counts the body's bytes (Counters.add_bytes)
        self.method = method
        self.path = path
        self.query = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        self.query_list = parse_qs(query, keep_blank_values=True)
        self.params = params
        self.headers = handler.headers
        self.principal: Principal | None = None
        self._body: bytes | None = None
        self._consumed = False

    def client_gone(self, wait: float) -> bool:
        """Whether the client closed the connection (read within `wait` real seconds)."""
        sock = self.handler.connection
        try:
            readable, _, _ = select.select([sock], [], [], wait)
            return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    @property
    def base_url(self) -> str:
        host = self.headers.get("Host")
        return f"http://{host}" if host else self.own_url

    def iter_body(self, chunk: int = 1 << 20) -> Iterator[bytes]:
        """Yield the raw body (Content-Length or chunked), counting received bytes."""
        if self._consumed:
            return
        self._consumed = True
        rfile = self.handler.rfile
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                size_line = rfile.readline(65537)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return
                remaining = size
                while remaining:
                    data = rfile.read(min(chunk, remaining))
                    if not data:
                        raise ConnectionError("client closed during chunked body")
                    remaining -= len(data)
                    self._received(len(data))
                    yield data
                rfile.readline(3)
        else:
            remaining = int(self.headers.get("Content-Length") or 0)
            while remaining > 0:
                data = rfile.read(min(chunk, remaining))
                if not data:
                    raise ConnectionError("client closed during body")
                remaining -= len(data)
                self._received(len(data))
                yield data

    def body(self) -> bytes:
        if self._body is None:
            self._body = b"".join(self.iter_body())
        return self._body

    def body_to(self, fh: BinaryIO) -> int:
        """Stream the body into ``fh`` without holding it in memory; returns the size."""
        n = 0
        for data in self.iter_body():
            fh.write(data)
            n += len(data)
        return n

    def json(self) -> Any:
        raw = self.body()
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise bad_request("Invalid JSON body") from None

    def drain(self) -> None:
        for _ in self.iter_body():
            pass


Handler = Callable[["Hub", Request], Response]
Url = tuple[str, str, Handler]  # (method, template, handler): a row of a URL table
