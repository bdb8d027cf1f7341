"""The simulator's time: real by default, or a fake clock a test shares with the code it watches.

Every time-dependent answer of the simulator (the lifecycle's stages, log lines and their
timestamps, `lastModified`, the `Date` header, log streams' waits) reads one `SimClock`. A
`FakeClock` moves only when someone sleeps on it (the watch under test, or a log stream that
waits between keep-alives), so a five-minute build takes milliseconds and every run of a test
sees the same sequence of answers.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from typing import Protocol


class SimClock(Protocol):
    def monotonic(self) -> float: ...
    def time(self) -> float: ...
    def wait(self, seconds: float, stop: threading.Event) -> bool: ...
    def call_later(self, delay: float, action: Callable[[], None]) -> None: ...
    @property
    def fake(self) -> bool: ...


class RealClock:
    """The machine's clocks; waits are real and end early when the simulator stops."""

    fake = False

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Wait `seconds`; True when the simulator is stopping."""
        return stop.wait(max(seconds, 0.0))

    def call_later(self, delay: float, action: Callable[[], None]) -> None:
        timer = threading.Timer(max(delay, 0.0), action)
        timer.daemon = True
        timer.start()


class FakeClock:
    """Time that passes only by `sleep`/`advance`; actions scheduled with `call_later` run, in
    time order, when the clock passes their time (on the thread that moves it)."""

    fake = True

    def __init__(self, wall: float = 1_800_000_000.0) -> None:
        self.now, self.wall0 = 0.0, wall
        self._lock = threading.RLock()
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()

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

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        self.advance(seconds)
        return stop.is_set()

    def call_later(self, delay: float, action: Callable[[], None]) -> None:
        with self._lock:
            heapq.heappush(self._due, (self.now + max(delay, 0.0), next(self._order), action))
