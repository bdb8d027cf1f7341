"""What every step of one run shares besides its request: its own module, so the reporter and the
operations take it without importing the run (`app/action.py`) that makes it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hf_action.github.runner import Runner
from hf_action.hub.policy import RetryPolicy


@dataclass(frozen=True)
class RunContext:
    """The run's environment, its runner and the retry policy, made once by `run_action`."""

    env: Mapping[str, str]  # the run's environment: read, never written
    runner: Runner
    policy: RetryPolicy  # handed to the Hub client's transport
