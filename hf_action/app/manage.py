"""Operations other than deploy: restart (optionally from scratch), pause, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingface_hub import SpaceStage

from hf_action.app import record
from hf_action.app.build_wait import await_build
from hf_action.app.context import RunContext
from hf_action.app.route import Destination
from hf_action.errors import BuildFailed
from hf_action.github.runner import Runner
from hf_action.hub.client import hub_step
from hf_action.hub.explain import space_missing
from hf_action.hub.keyless import refused_delete
from hf_action.hub.logs import logs_before
from hf_action.hub.proof import Goal, LogState
from hf_action.hub.space import SpaceState, read_space
from hf_action.hub.urls import space_url
from hf_action.inputs import Inputs
from hf_action.outcome import Outcome

if TYPE_CHECKING:
    from huggingface_hub import HfApi


def manage_space(api: HfApi, inputs: Inputs, where: Destination, ctx: RunContext) -> Outcome:
    """Restart, pause or delete the Space; with `wait`, until the Space shows the result."""
    op, space_id = inputs.operation, where.space_id
    begun = record.started(op, space_id, space_url(api.endpoint, space_id), preview=where.preview)
    with hub_step(f"{op} the Space", space_id):
        state = read_space(api, space_id)
        if op == "delete":
            _delete(api, inputs, state, ctx.runner, space_id)
            return record.deleted(begun, state, dry_run=inputs.dry_run)
        if not state.exists:
            raise space_missing(space_id, op)
        outcome = record.as_found(begun, state)
        if inputs.dry_run:
            ctx.runner.notice(
                f"Dry run: '{space_id}' would be {'paused' if op == 'pause' else 'restarted'}.",
                title="Dry run",
            )
            return outcome
        if op == "pause":
            stage, goal = _pause(api, space_id, state)
        else:
            stage, goal = _restart(api, inputs, ctx, state, space_id)
    outcome = record.reached(outcome, stage)
    if not inputs.wait or stage == goal.want:
        return outcome
    try:
        watched = await_build(
            api, space_id, goal, inputs.timeout, ctx,
            step=f"wait for {goal.want}", shown=f"Waiting for {space_id} to be {goal.want}",
        )  # fmt: skip
    except BuildFailed as exc:
        raise exc.with_outcome(record.build_failed(outcome, exc)) from None
    return record.reached(outcome, watched.stage)


def _pause(api: HfApi, space_id: str, state: SpaceState) -> tuple[str, Goal]:
    """Pause: the stage the Hub answers, and the watch's goal (PAUSED)."""
    stage = api.pause_space(space_id).stage
    return stage, Goal("none", state.sha or "", want=SpaceStage.PAUSED.value)


def _restart(
    api: HfApi, inputs: Inputs, ctx: RunContext, state: SpaceState, space_id: str
) -> tuple[str, Goal]:
    """Restart: told apart from what it replaces by its logs, read first."""
    header, started = (
        logs_before(api, space_id, ctx.clock.now)
        if inputs.wait
        else (LogState.UNREAD, LogState.UNREAD)
    )
    goal = Goal("restart", state.sha or "", before=header, started_before=started)
    reboot = " from scratch (factory reboot)" if inputs.factory_reboot else ""
    ctx.runner.info(f"Restarting {space_id}{reboot}")
    return api.restart_space(space_id, factory_reboot=inputs.factory_reboot).stage, goal


def _delete(api: HfApi, inputs: Inputs, state: SpaceState, runner: Runner, space_id: str) -> None:
    """Delete the Space; one already gone is no error (a re-run, a PR closed twice)."""
    if not state.exists:
        runner.notice(f"'{space_id}' does not exist: nothing to delete.", title="Already gone")
    elif inputs.dry_run:
        runner.notice(f"Dry run: '{space_id}' would be deleted.", title="Dry run")
    else:
        with refused_delete(inputs.keyless, space_id):
            api.delete_repo(space_id, repo_type="space", missing_ok=True)
        runner.info(f"Deleted {space_id}")
