"""What every step of one run shares besides its request: its own module, so the reporter and the
operations take it without importing the run (`app/action.py`) that makes it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from hf_action.github.context import GitHubContext
from hf_action.github.runner import Runner
from hf_action.hub.pace import Quota
from hf_action.hub.policy import RetryPolicy, poll_scale
from hf_action.hub.urls import hub_endpoint


@dataclass(frozen=True)
class Clock:
    """The watch's time: the machine's, or a test's fake clock shared with its simulated Hub."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    scale: float = 1.0  # on every pause and the settle time: the run's HF_DEPLOY_POLL_SCALE (tests)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Clock:
        """The machine's time, at the pace the run's environment sets (`policy.poll_scale`)."""
        return cls(scale=poll_scale(env))


@dataclass(frozen=True)
class RunContext:
    """The run's environment, its runner, the retry policy, the watch's clock, the Hub it talks
    to and its API quota as the Hub's answers tell it (`hub/pace.py`: it paces the polls), made
    once by `run_action` (`from_env`); a test makes one with its fake clock and its Hub."""

    env: Mapping[str, str]  # the run's environment: read, never written
    runner: Runner
    policy: RetryPolicy  # handed to the Hub client's transport
    clock: Clock  # the build watch's and the smoke check's pauses
    endpoint: str  # the run's Hub (hub/urls.hub_endpoint)
    github: GitHubContext = field(default_factory=GitHubContext)  # the workflow run
    progress_seconds: float = 5.0  # between two upload progress lines (HF_DEPLOY_PROGRESS_SECONDS)
    quota: Quota = field(default_factory=Quota)  # the Hub's RateLimit, the run's deadline

    @classmethod
    def from_env(cls, env: Mapping[str, str], runner: Runner, github: GitHubContext) -> RunContext:
        """The run's settings as its environment gives them, the machine's time; `github`: the
        workflow run as the front door read it."""
        policy, clock = RetryPolicy.from_env(env), Clock.from_env(env)
        progress = float(env.get("HF_DEPLOY_PROGRESS_SECONDS") or 5)
        return cls(env, runner, policy, clock, hub_endpoint(env), github, progress)
