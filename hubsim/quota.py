"""The Hub's API quota: requests per user per fixed window (2026: 1,000 per 5 minutes on a free
account), told on every answer as `RateLimit: "api";r=<left>;t=<seconds to the reset>` with its
`RateLimit-Policy`, and 429 once a window's requests are spent."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from .errors import HubError


@dataclass
class _Window:
    start: float  # the simulator's monotonic time the window opened
    used: int = 0


@dataclass(frozen=True)
class Tally:
    """One request counted: whether the window had room, what is left, seconds to the reset."""

    allowed: bool
    left: int
    reset: int
    limit: int
    window: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit": f'"api";r={self.left};t={self.reset}',
            "RateLimit-Policy": f'"fixed window";"api";q={self.limit};w={self.window}',
        }


class ApiQuota:
    """Fixed windows per user, each opened by the user's first request after the last one ended;
    `window` is in the simulator's seconds as the caller scales them (`Settings.time_scale`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}

    def take(self, user: str, limit: int, window: float, now: float) -> Tally:
        with self._lock:
            current = self._windows.get(user)
            if current is None or now - current.start >= window:
                current = self._windows[user] = _Window(now)
            allowed = current.used < limit
            current.used += allowed
            reset = max(1, math.ceil(current.start + window - now))
            return Tally(allowed, limit - current.used, reset, limit, max(1, round(window)))

    def spend(self, user: str, window: float, now: float, *, used: int, reset_in: float) -> None:
        """Another job's requests: `used` of the user's window, which resets in `reset_in` s."""
        with self._lock:
            self._windows[user] = _Window(now - (window - reset_in), used)


def refused(tally: Tally) -> HubError:
    """The Hub's 429 for a spent quota: the RateLimit headers, no Retry-After."""
    return HubError(
        429,
        "You have exceeded our API rate limit, please try again later.",
        headers=tally.headers(),
    )
