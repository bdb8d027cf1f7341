"""Operations other than deploy: restart (optionally from scratch), pause, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingface_hub import SpaceStage

from hf_action.app.context import RunContext
from hf_action.app.deploy import app_url, watch
from hf_action.app.route import Destination
from hf_action.errors import ActionError, BuildFailed
from hf_action.github.runner import Runner
from hf_action.hub.client import hub_step
from hf_action.hub.keyless import refused_delete
from hf_action.hub.logs import logs_before
from hf_action.hub.proof import Goal, LogState
from hf_action.hub.space import SpaceState, read_space
from hf_action.hub.urls import space_url
from hf_action.inputs import Inputs
from hf_action.outcome import Outcome

if TYPE_CHECKING:
    from huggingface_hub import HfApi


def _missing(space_id: str, operation: str) -> ActionError:
    return ActionError(
        f"Cannot {operation} '{space_id}': the Space does not exist (or the token cannot see it).",
        "Check the 'space' input; deploy it first with operation: deploy.",
        title="Space not found",
    )


def manage_space(api: HfApi, inputs: Inputs, where: Destination, ctx: RunContext) -> Outcome:
    """Restart, pause or delete the Space; with `wait`, until the Space shows the result."""
    op, space_id = inputs.operation, where.space_id
    outcome = Outcome(op, space_id, space_url(api.endpoint, space_id), preview=where.preview)
    try:
        _operate(api, inputs, ctx, outcome)
    except BuildFailed as exc:
        outcome.stage, outcome.failure, outcome.log_tail = exc.stage, exc.message, exc.log_tail
        raise exc.with_outcome(outcome) from None
    return outcome


def _operate(api: HfApi, inputs: Inputs, ctx: RunContext, outcome: Outcome) -> None:
    op, space_id, runner = inputs.operation, outcome.space_id, ctx.runner
    with hub_step(f"{op} the Space", space_id):
        state = read_space(api, space_id)
        if op == "delete":
            _delete(api, inputs, state, runner, outcome)
            return
        if not state.exists:
            raise _missing(space_id, op)
        outcome.app_url = app_url(state)
        outcome.commit_sha = state.sha
        if inputs.dry_run:
            runner.notice(
                f"Dry run: '{space_id}' would be {'paused' if op == 'pause' else 'restarted'}.",
                title="Dry run",
            )
            outcome.stage = state.stage
            return
        if op == "pause":
            outcome.stage = api.pause_space(space_id).stage
            want = SpaceStage.PAUSED.value
            goal = Goal("none", state.sha or "", want=want)
        else:
            # The restart is told apart from what it replaces by its logs: read those first.
            header, started = (
                logs_before(api, space_id) if inputs.wait else (LogState.UNREAD, LogState.UNREAD)
            )
            goal = Goal("restart", state.sha or "", before=header, started_before=started)
            reboot = " from scratch (factory reboot)" if inputs.factory_reboot else ""
            runner.info(f"Restarting {space_id}{reboot}")
            outcome.stage = api.restart_space(space_id, factory_reboot=inputs.factory_reboot).stage
            want = SpaceStage.RUNNING.value
    if inputs.wait and outcome.stage != want:
        with (
            hub_step(f"wait for {want}", space_id),
            runner.group(f"Waiting for {space_id} to be {want} (timeout {inputs.timeout:.0f}s)"),
        ):
            watched = watch(api, space_id, goal, inputs.timeout, ctx)
        outcome.stage = watched.stage


def _delete(
    api: HfApi, inputs: Inputs, state: SpaceState, runner: Runner, outcome: Outcome
) -> None:
    """Delete the Space; one already gone is no error (a re-run, a PR closed twice)."""
    space_id = outcome.space_id
    if not state.exists:
        runner.notice(f"'{space_id}' does not exist: nothing to delete.", title="Already gone")
    elif inputs.dry_run:
        runner.notice(f"Dry run: '{space_id}' would be deleted.", title="Dry run")
    else:
        with refused_delete(inputs.keyless, space_id):
            api.delete_repo(space_id, repo_type="space", missing_ok=True)
        runner.info(f"Deleted {space_id}")
    outcome.space_deleted = not inputs.dry_run
    outcome.stage = "DELETED" if not inputs.dry_run else state.stage
