"""The Hub's API quota as its answers tell it, and the pace it sets. Every answer carries
`RateLimit: "api";r=<left>;t=<seconds to the reset>` (the transport notes it); the quota is the
token's, shared with every other job that uses it, so a poll slows down when what is left would
not last to the reset, and a wait for the reset must end before the run's own deadline (the
`timeout` input). Pure (no httpx2): the run makes one `Quota` before any request."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: A poll's pause when the quota runs short: this many times the even share of what is left
#: (other jobs on the token share it, and one poll may cost more than one request).
SHARE = 2.0
WINDOW_SLACK = 2.0  # seconds: two answers whose resets differ less are of one window
MIN_SPAN = 0.5  # seconds: the shortest span a drain is measured over (a burst is not a rate)
LOOKAHEAD = 0.5  # seconds a request takes to reach the Hub, others' requests meanwhile
#: A wait for a reset ends up to this share of it later, at random: jobs that wait for one reset
#: do not all send at its first second (and spend the new window before any sees it drain).
STAGGER = 0.1


@dataclass
class Quota:
    """The last `RateLimit` the Hub sent, how fast the quota drains (every job on the token
    together), and the run's deadline (monotonic; None: not set yet, then only the retry
    policy's short waits are made)."""

    clock: Callable[[], float] = time.monotonic
    deadline: float | None = None
    _seen: tuple[int, float, float] | None = field(default=None, repr=False)  # left, reset at, when
    _first: tuple[int, float] | None = field(default=None, repr=False)  # the window's first answer
    _drain: float = field(default=0.0, repr=False)  # requests per second, all jobs on the token

    def until(self, seconds: float) -> None:
        """The run ends `seconds` from now (the `timeout` input): no wait may go past it."""
        self.deadline = self.clock() + seconds

    def time_left(self) -> float:
        return math.inf if self.deadline is None else max(0.0, self.deadline - self.clock())

    def note(self, left: int, reset_in: float) -> None:
        """One answer's `RateLimit`: `left` requests until the window resets in `reset_in` s.
        What went since this window's first answer we saw is the drain of every job on the
        token, ours included."""
        now = self.clock()
        reset_at = now + reset_in
        seen, first = self._seen, self._first
        if seen is None or first is None or abs(seen[1] - reset_at) >= WINDOW_SLACK:
            self._first = (left, now)  # a new window: the last one's drain until this one shows
        elif now > first[1]:
            self._drain = max(first[0] - left, 0) / max(now - first[1], MIN_SPAN)
        self._seen = (left, reset_at, now)

    def spent_for(self) -> float | None:
        """Seconds until the reset when nothing is left by now: the last answer said so, or
        what it said is used up at the drain since (with `LOOKAHEAD` for our request's way)."""
        if self._seen is None:
            return None
        left, reset_at, when = self._seen
        reset = reset_at - self.clock()
        gone = self._drain * (self.clock() - when + LOOKAHEAD)
        return reset if reset > 0 and left - gone < 1 else None

    @staticmethod
    def staggered(wait: float) -> float:
        """A wait for a reset, staggered among the jobs that wait for it."""
        return wait * (1.0 + STAGGER * random.random())  # noqa: S311 - not security related

    def fits(self, wait: float, cap: float) -> bool:
        """May the run wait `wait` seconds for a reset: within its deadline (or `cap`, the retry
        policy's longest wait, before the deadline is known)?"""
        return wait <= (cap if self.deadline is None else self.time_left())

    def pause(self, base: float) -> float:
        """A poll's pause: `base`, or longer when the quota left would not last to the reset,
        at one request per `base` seconds or at the drain every job on the token makes
        together: then slowed by as much as it falls short (at least `SHARE` times the even
        share of what is left); never past the reset when nothing is left, nor the deadline."""
        if self._seen is None:
            return base
        left, reset_at, _ = self._seen
        reset = reset_at - self.clock()
        if reset <= 0:
            return base
        lasts = left / self._drain if self._drain > 0 else math.inf
        if left * base >= reset and lasts >= reset:
            return base
        stretched = max(SHARE * reset / max(left, 1), base * reset / max(lasts, MIN_SPAN))
        return max(base, min(stretched, reset + 1.0, self.time_left()))
