"""The simulator's time: real by default, or a fake clock a test shares with the code it watches.

Every time-dependent answer of the simulator (the lifecycle's stages, log lines and their
timestamps, `lastModified`, the `Date` header, log streams' waits) reads one `SimClock`. A
`FakeClock` moves only when the code under test waits: when it sleeps on it, or when it waits
for the next event of a log stream (`client_factory`: the client's transport moves the clock to
the time the stream's next event is due, only while the client is reading it). So a five-minute
build takes milliseconds, and a test sees the same sequence of answers on a loaded machine.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

NEVER_GONE: Callable[[], bool] = lambda: False  # noqa: E731 - a constant predicate


class SimClock(Protocol):
    def monotonic(self) -> float: ...
    def time(self) -> float: ...
    def wait(
        self,
        seconds: float,
        stop: threading.Event,
        gone: Callable[[], bool] = NEVER_GONE,
        stream: tuple[str, int] | None = None,
    ) -> bool: ...
    def call_later(self, delay: float, action: Callable[[], None]) -> None: ...


class RealClock:
    """The machine's clocks; waits are real and end early when the simulator stops."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def wait(
        self,
        seconds: float,
        stop: threading.Event,
        gone: Callable[[], bool] = NEVER_GONE,
        stream: tuple[str, int] | None = None,
    ) -> bool:
        """Wait `seconds`; True when the simulator is stopping or the client left."""
        return stop.wait(max(seconds, 0.0)) or gone()

    def call_later(self, delay: float, action: Callable[[], None]) -> None:
        timer = threading.Timer(max(delay, 0.0), action)
        timer.daemon = True
        timer.start()


class FakeClock:
    """Time that passes only by `sleep`/`advance` (and `advance_to_wake`); actions scheduled with
    `call_later` run, in time order, when the clock passes their time (on the thread that moves
    it). A log stream's `wait` only registers when it wakes and waits for the clock to get there."""

    def __init__(self, wall: float = 1_800_000_000.0) -> None:
        self.now, self.wall0 = 0.0, wall
        self._lock = threading.RLock()
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._wakes: dict[str, tuple[float, int]] = {}  # stream -> (wakes at, bytes sent)

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.wall0 + self.now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            target = self.now + max(seconds, 0.0)
            while self._due and self._due[0][0] <= target:
                when, _, action = heapq.heappop(self._due)
                self.now = max(self.now, when)
                action()
            self.now = target

    def wait(
        self,
        seconds: float,
        stop: threading.Event,
        gone: Callable[[], bool] = NEVER_GONE,
        stream: tuple[str, int] | None = None,
    ) -> bool:
        """Until the clock reaches now + `seconds` (moved by someone else); True when the
        simulator is stopping or the client left first. `stream`: (its id, bytes sent so far),
        so the client's transport moves the clock only once it has received all of them."""
        key = stream[0] if stream else f"anonymous-{next(self._order)}"
        with self._lock:
            wake = self.now + max(seconds, 0.0)
            self._wakes[key] = (wake, stream[1] if stream else -1)
        try:
            while self.now < wake:
                if stop.wait(0.002) or gone():
                    return True
            return stop.is_set()
        finally:
            with self._lock:
                self._wakes.pop(key, None)

    def wake_of(self, stream: str, received: int) -> float | None:
        """When `stream` sends next, if the simulator sent no more than the `received` bytes
        and waits to send more; None while bytes are on their way (or the stream is not waiting)."""
        with self._lock:
            wake, sent = self._wakes.get(stream, (None, -1))
            return wake if sent == received else None

    def call_later(self, delay: float, action: Callable[[], None]) -> None:
        with self._lock:
            heapq.heappush(self._due, (self.now + max(delay, 0.0), next(self._order), action))


STREAM_HEADER = "X-Hubsim-Stream"


def client_factory(clock: FakeClock, patience: float = 0.01) -> Callable[[], Any]:
    """An `httpx2.Client` factory (for `huggingface_hub.set_client_factory`) whose log streams
    move `clock`: when the client has received everything an event stream sent and waits for
    more (`patience` real seconds), the clock moves to the time the simulator's stream is due to
    send more (its next line or keep-alive). Time then passes only while a client reads a
    stream, never after it stopped reading, however slow the machine."""
    import httpx2
    from huggingface_hub.utils._http import hf_request_event_hook

    keys = itertools.count()

    class Starving(httpx2.SyncByteStream):
        def __init__(self, inner: Any, key: str, request: Any) -> None:
            self.inner, self.key, self.request, self.received = inner, key, request, 0
            self.read_timeout = (request.extensions.get("timeout") or {}).get("read")
            self.chunks = queue.Queue[Any]()
            threading.Thread(target=self._pump, daemon=True, name="hubsim-client-pump").start()

        def _pump(self) -> None:
            try:
                for chunk in self.inner:
                    self.chunks.put(chunk)
            except Exception as exc:  # the reader's error, raised where it reads
                self.chunks.put(exc)
            self.chunks.put(None)

        def __iter__(self) -> Iterator[bytes]:
            last = clock.monotonic()  # when the last bytes came: a read timeout counts from it
            while True:
                try:
                    item = self.chunks.get(timeout=patience)
                except queue.Empty:
                    self._starve(last)
                    continue
                if item is None:
                    return
                if isinstance(item, Exception):
                    raise item
                self.received, last = self.received + len(item), clock.monotonic()
                yield item

        def _starve(self, last: float) -> None:
            """All sent bytes are read: time passes until the stream sends more, or until the
            read timeout, which then ends the read as it would on the real clock."""
            wake = clock.wake_of(self.key, self.received)
            if wake is None:
                return
            limit = last + self.read_timeout if self.read_timeout is not None else wake
            clock.advance(max(min(wake, limit) - clock.monotonic(), 0.0))
            if limit < wake:
                raise httpx2.ReadTimeout(
                    "hubsim: no bytes within the read timeout", request=self.request
                )

        def close(self) -> None:
            self.inner.close()

    class Transport(httpx2.HTTPTransport):
        def handle_request(self, request: Any) -> Any:
            key = f"stream-{next(keys)}"
            request.headers[STREAM_HEADER] = key
            response = super().handle_request(request)
            if response.headers.get("content-type", "").startswith("text/event-stream"):
                response.stream = Starving(response.stream, key, request)
            return response

    def factory() -> Any:
        return httpx2.Client(
            transport=Transport(),
            event_hooks={"request": [hf_request_event_hook]},
            follow_redirects=True,
            timeout=None,
        )

    return factory
