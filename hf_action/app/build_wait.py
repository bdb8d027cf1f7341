"""The build wait that deploy, rollback and restart share: follow the Space until the goal is
proven, in its own log group and named step; a proof by weaker evidence ends with a warning."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hf_action.app.context import RunContext
from hf_action.hub.client import hub_step
from hf_action.hub.proof import Goal
from hf_action.hub.watch import HubProbe, WatchResult, watch_space

if TYPE_CHECKING:
    from huggingface_hub import HfApi


def await_build(
    api: HfApi,
    space_id: str,
    goal: Goal,
    timeout: float,
    ctx: RunContext,
    *,
    step: str = "wait for the build",
    shown: str = "",
) -> WatchResult:
    """Follow the Space until `goal` is proven, one of our errors shows, or `timeout` passes;
    `step` names it in a failure, `shown` (a commit's build by default) titles its log group."""
    runner, clock = ctx.runner, ctx.clock
    shown = shown or f"Build: waiting for {space_id} to run {goal.commit[:7]}"
    with hub_step(step, space_id), runner.group(f"{shown} (timeout {timeout:.0f}s)"):
        probe = HubProbe(api, space_id, clock=clock.now)
        result = watch_space(
            probe, goal, timeout, runner.info, clock=clock.now, sleep=clock.sleep,
            scale=clock.scale, pace=ctx.quota.pause,
        )  # fmt: skip
        if result.warning:
            runner.warning(result.warning, title="Build watch: not fully proven")
    return result
