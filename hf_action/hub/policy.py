"""The retry policy: how often, and how long, one request may be retried, for our transport and for
hf_xet alike; and the pace of the polls (`poll_scale`). Pure (no httpx2): the entrypoint reads it
from `env` and sets hf_xet's bounds without loading the HTTP stack, and the connect step hands the
same policy to the transport."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: The test suite's speed knob: scales every delay and the budget (1 in production).
BACKOFF_SCALE = "HF_DEPLOY_BACKOFF_SCALE"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries per request, the first included
    base_delay: float = 1.0
    max_delay: float = 20.0
    max_retry_after: float = 60.0
    budget: float = 120.0  # total seconds one request may spend waiting

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RetryPolicy:
        scale = float(env.get(BACKOFF_SCALE, "1") or 1)
        return cls(
            base_delay=1.0 * scale,
            max_delay=20.0 * scale,
            max_retry_after=60.0 * scale,
            budget=120.0 * scale,
        )


def poll_scale(env: Mapping[str, str]) -> float:
    """The run's `HF_DEPLOY_POLL_SCALE`: a factor on every pause of the build watch and the smoke
    check, and on the watch's settle time (tests shorten them; 1 when unset)."""
    return float(env.get("HF_DEPLOY_POLL_SCALE") or 1)


def xet_bounds(policy: RetryPolicy) -> dict[str, str]:
    """hf_xet talks to the CAS (and fetches its token) itself, past our transport, and retries on its
    own: 5 tries from 3 s up to 6 minutes, 60 s to connect, 5 minutes per read. Its own settings,
    read from the process environment when its session starts, bring it to our policy. (Its memory
    follows the machine: hub/xetmemory.py.)"""
    return {
        "HF_XET_CLIENT_RETRY_MAX_ATTEMPTS": str(policy.attempts),
        "HF_XET_CLIENT_RETRY_BASE_DELAY": f"{max(1, round(policy.base_delay * 1000))}ms",
        "HF_XET_CLIENT_RETRY_MAX_DURATION": f"{max(1, round(policy.budget * 1000))}ms",
        "HF_XET_CLIENT_CONNECT_TIMEOUT": "15s",
        "HF_XET_CLIENT_READ_TIMEOUT": "60s",
    }
