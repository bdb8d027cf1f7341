"""``HubSim``: the model served over HTTP in a thread, with faults to inject. The public API."""

from __future__ import annotations

import threading
from typing import Any

from .clock import SimClock
from .faults import Faults
from .model import Hub
from .server import SimServer, compile_routes
from .settings import Settings
from .urls import URLS


class HubSim(Hub):
    """A local Hugging Face Hub for Spaces, served over HTTP to the real client."""

    def __init__(
        self,
        user: str = "user",
        tokens: dict[str, str] | None = None,
        settings: Settings | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: SimClock | None = None,
    ) -> None:
        super().__init__(user, tokens, settings, clock=clock)
        self.host, self.port = host, port
        self.faults = Faults()  # HTTP-level: answered by the server before or after the model
        self.stopping = threading.Event()
        self._server: SimServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> HubSim:
        """Bind (port 0 = free port) and serve in a daemon thread; returns self."""
        self.stopping.clear()
        self._server = SimServer(
            (self.host, self.port), self, compile_routes(URLS), self.faults, self.stopping
        )
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            daemon=True,
            name=f"hubsim-{self.port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection; state stays inspectable."""
        if self._server is None:
            return
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        if self._thread is not None:
            self._thread.join(2)
        self._server = self._thread = None

    def __enter__(self) -> HubSim:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
