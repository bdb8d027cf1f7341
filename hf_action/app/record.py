"""The run's `Outcome`, assembled from what its steps returned: the one module that makes or
changes one, so what a run reports (outputs, summary, comment, deployment) is decided here."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from hf_action.errors import BuildFailed
from hf_action.outcome import Outcome

if TYPE_CHECKING:
    from hf_action.hub.commit import CommitResult
    from hf_action.hub.space import SettingsPlan, SpaceState
    from hf_action.hub.variables import EnvPlan
    from hf_action.plan import Plan, Restore


def app_url(state: SpaceState) -> str | None:
    """Where the Space's app answers: the host the Hub names, else its subdomain on hf.space."""
    if state.host:
        return state.host
    return f"https://{state.subdomain}.hf.space" if state.subdomain else None


def started(operation: str, space_id: str, space_url: str, *, preview: bool = False,
            dry_run: bool = False, runs_on: str | None = None) -> Outcome:  # fmt: skip
    """An operation's record before its first step."""
    return Outcome(
        operation, space_id, space_url, preview=preview, dry_run=dry_run, runs_on=runs_on
    )


def planned(outcome: Outcome, plan: Plan, settings: SettingsPlan, env: EnvPlan | None) -> Outcome:
    """A deploy's plan: the files it changes, the settings, secrets and variables it sets."""
    return replace(
        _files(outcome, plan),
        settings=settings.describe(),
        env_keys=list(env.secrets_to_set + env.variables_to_set) if env else [],
        env_deleted=list(env.secrets_to_delete + env.variables_to_delete) if env else [],
    )


def as_found(outcome: Outcome, state: SpaceState) -> Outcome:
    """The Space as read: its app, its head, its stage (a dry run's, or before an operation)."""
    return replace(outcome, app_url=app_url(state), commit_sha=state.sha, stage=state.stage)


def committed(outcome: Outcome, result: CommitResult, head: str | None) -> Outcome:
    """The deploy commit (the files it landed, after any re-plan), or the head when none was made."""
    sha = result.sha or head
    url = f"{outcome.space_url}/commit/{sha}" if sha else None
    return replace(
        _files(outcome, result.plan),
        committed=result.committed,
        commit_sha=sha,
        commit_url=url,
    )


def restored(outcome: Outcome, restore: Restore, revision: str, state: SpaceState) -> Outcome:
    """A rollback's plan: the files it brings back from `revision`, the Space as it was read."""
    return replace(
        as_found(outcome, state),
        added=sorted(restore.added),
        changed=sorted(f.path for f in restore.copy if f.path not in restore.added),
        deleted_files=list(restore.delete),
        unchanged=restore.unchanged,
        upload_bytes=restore.resend_bytes,
        restored=revision,
    )


def rolled_back(outcome: Outcome, sha: str, url: str | None, head: str | None) -> Outcome:
    """A rollback's commit on top of `head`."""
    return replace(
        outcome,
        committed=sha != head,
        commit_sha=sha,
        commit_url=url or f"{outcome.space_url}/commit/{sha}",
    )


def serving(outcome: Outcome, state: SpaceState) -> Outcome:
    """Where the Space's app answers, as the Space read after the commit says."""
    return replace(outcome, app_url=app_url(state))


def reached(outcome: Outcome, stage: str | None) -> Outcome:
    """The stage the run ends on: proven by the watch, or known without one."""
    return replace(outcome, stage=stage)


def deleted(outcome: Outcome, state: SpaceState, *, dry_run: bool) -> Outcome:
    """The Space deleted (a dry run: the Space as it is)."""
    if dry_run:
        return replace(outcome, space_deleted=False, stage=state.stage)
    return replace(outcome, space_deleted=True, stage="DELETED")


def build_failed(outcome: Outcome, exc: BuildFailed) -> Outcome:
    """The stage the Space failed in, the failure and its log's tail."""
    return replace(outcome, stage=exc.stage, failure=exc.message, log_tail=exc.log_tail)


def smoked(outcome: Outcome, result: str) -> Outcome:
    """The smoke check's result, one line."""
    return replace(outcome, smoke=result)


def smoke_failed(outcome: Outcome, result: str, failure: str, log_tail: str) -> Outcome:
    """The running app did not answer as expected: the failure and the run log's tail."""
    return replace(outcome, smoke=result, stage="RUNNING", failure=failure, log_tail=log_tail)


def noted(outcome: Outcome, notes: list[str]) -> Outcome:
    """What the route says of the Space (a fork's preview), shown in the summary and comment."""
    return replace(outcome, notes=[*outcome.notes, *notes])


def failed(outcome: Outcome, failure: str) -> Outcome:
    """The failure that ended a run after its commit."""
    return replace(outcome, failure=failure)


def recorded(outcome: Outcome, deployment_id: int | None, environment: str | None) -> Outcome:
    """The GitHub Deployment made (or marked inactive), and its environment."""
    return replace(outcome, deployment_id=deployment_id, environment=environment)


def timed(outcome: Outcome, since: float) -> Outcome:
    """The run's duration, from `since` (a time.monotonic())."""
    return replace(outcome, seconds=time.monotonic() - since)


def _files(outcome: Outcome, plan: Plan) -> Outcome:
    from hf_action.plan import ChangeKind  # the report loads this module on every run: cold start

    return replace(
        outcome,
        added=sorted(c.file.path for c in plan.add if c.kind is ChangeKind.NEW),
        changed=sorted(c.file.path for c in plan.add if c.kind is ChangeKind.CHANGED),
        deleted_files=list(plan.delete),
        unchanged=plan.unchanged,
        upload_bytes=plan.upload_bytes,
    )
