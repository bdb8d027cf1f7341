"""The deploy flow: inputs -> snapshot -> plan -> Hub -> outcome, one function per step, each taking and
returning typed values; `hub_step` names the step a Hub failure happened in."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from huggingface_hub import SpaceStage

from hf_action.app.context import RunContext
from hf_action.app.route import Destination
from hf_action.commitmsg import deploy_message
from hf_action.errors import ActionError, BuildFailed
from hf_action.github.runner import Runner
from hf_action.hub import keyless
from hf_action.hub.client import hub_step
from hf_action.hub.commit import CommitResult, commit_plan
from hf_action.hub.progress import UploadProgress, tracking
from hf_action.hub.space import (
    SettingsPlan,
    SpaceState,
    apply_settings,
    plan_settings,
    read_space,
)
from hf_action.hub.stages import ASLEEP
from hf_action.hub.tree import fetch_blob_map, remote_tree
from hf_action.hub.urls import space_url
from hf_action.inputs import EnvMode, Inputs
from hf_action.local.files import SkipKind
from hf_action.local.snapshot import FoundFiles, Snapshot, read_files, take_snapshot
from hf_action.outcome import Outcome
from hf_action.plan import ChangeKind, Plan, make_plan
from hf_action.text import counted, human_size

if TYPE_CHECKING:
    from huggingface_hub import HfApi

    from hf_action.hub.proof import Goal, Header, LogState
    from hf_action.hub.variables import EnvPlan
    from hf_action.hub.watch import WatchResult

    # The logs shown before a restart we ask for: the build log's header, the run log's start.
    Before = tuple[Header | LogState | None, float | LogState | None]

# The build watch (hub.watch, hub.proof), secrets and variables (hub.variables) and the commit
# history (hub.history) are imported where they are used: a no-op deploy never needs them, and
# their dataclasses are a fifth of the package's start-up cost (bench/results.md, the no-op).
PLAN_LINES = 200


def app_url(state: SpaceState) -> str | None:
    if state.host:
        return state.host
    return f"https://{state.subdomain}.hf.space" if state.subdomain else None


def print_plan(
    runner: Runner, snap: Snapshot, plan: Plan, settings: SettingsPlan, env_plan: EnvPlan | None
) -> None:
    with runner.group(
        f"Plan: {len(plan.add)} to upload, {len(plan.delete)} to delete, {plan.unchanged} unchanged"
    ):
        runner.info(f"SDK: {snap.sdk}; Space card from {snap.card_source}")
        if plan.hashed_bytes:  # what comparing by content cost: git's blob ids spare the rest
            runner.info(f"Read {human_size(plan.hashed_bytes)} of local files to compare them")
        for note in snap.notes:
            runner.info(note)
        for line in settings.describe():
            runner.info(f"  setting: {line}")
        if env_plan is not None:
            from hf_action.hub.variables import describe_keys as keys  # see the imports

            runner.info(
                f"  secrets to set: {keys(env_plan.secrets_to_set)}"
                f" (unchanged: {keys(env_plan.secrets_unchanged)})"
            )
            runner.info(
                f"  variables to set: {keys(env_plan.variables_to_set)}"
                f" (unchanged: {keys(env_plan.variables_unchanged)})"
            )
            if env_plan.secrets_to_delete or env_plan.variables_to_delete:
                runner.info(
                    f"  secrets to delete: {keys(env_plan.secrets_to_delete)};"
                    f" variables to delete: {keys(env_plan.variables_to_delete)} (exact mode)"
                )
        rows = [
            (("+" if c.kind is ChangeKind.NEW else "~"), c.file.path, human_size(c.file.size))
            for c in plan.add
        ]
        rows += [("-", p, "") for p in plan.delete]
        for mark, path, size in rows[:PLAN_LINES]:
            runner.info(f"  {mark} {path!r}  {size}".rstrip())
        if len(rows) > PLAN_LINES:
            runner.info(f"  … and {len(rows) - PLAN_LINES} more")
        for kept in plan.kept:
            runner.info(f"  = {kept!r} kept on the Space")
        for s in snap.skipped:
            runner.info(f"  ! {s.path!r} not uploaded: {s.reason}")
    for s in snap.skipped:
        if s.kind is SkipKind.OUTSIDE_WORKSPACE:
            runner.warning(
                f"{s.path!r} {s.reason}; it was not uploaded.", title="Symlink not followed"
            )
    for w in snap.warnings:
        runner.warning(w)


@dataclass(frozen=True)
class DeployContext:
    """What every step of one deploy needs: the client, the inputs, where to, and the run's context
    (where to say what happens, its environment, its clock)."""

    api: HfApi
    inputs: Inputs
    where: Destination
    run: RunContext

    @property
    def space_id(self) -> str:
        return self.where.space_id


@dataclass(frozen=True)
class Wanted:
    """Besides the files, what this deploy changes on the Space."""

    settings: SettingsPlan
    env: EnvPlan | None  # None: no secrets or variables given

    @property
    def rebuilds(self) -> bool:
        """The Space restarts even without a commit: a new Space, new hardware, secrets or variables."""
        return self.settings.restarts or bool(self.env and self.env.changes)


@dataclass(frozen=True)
class Planner:
    """Plans the Space's files against one state of it; again after a 412 moved its head (`replan`)."""

    ctx: DeployContext
    snap: Snapshot

    def against(self, space: SpaceState) -> Plan:
        api, space_id, inputs = self.ctx.api, self.ctx.space_id, self.ctx.inputs
        remote = space.files if space.files is not None else remote_tree(api, space_id, space.sha)
        return make_plan(
            self.snap.files,
            remote,
            space.sha,
            delete_removed=inputs.delete_removed,
            protected=self.snap.protected(inputs.exclude),
            blob_map=lambda: fetch_blob_map(api, space_id, space.sha),
        )

    def replan(self) -> Plan:
        return self.against(read_space(self.ctx.api, self.ctx.space_id))


def deploy_space(
    api: HfApi,
    inputs: Inputs,
    where: Destination,
    ctx: RunContext,
    found: Callable[[], FoundFiles] | None = None,
) -> Outcome:
    """inputs -> snapshot -> plan -> Hub -> outcome. After a commit, a failure carries the outcome.
    `found`: the folder's files, read since the run connected (`read_files` here when None)."""
    space_id = where.space_id
    url = space_url(api.endpoint, space_id)
    outcome = Outcome("deploy", space_id, url, preview=where.preview, dry_run=inputs.dry_run)
    files = found() if found is not None else read_files(inputs)
    snap = take_snapshot(inputs, space_id.split("/")[1], files)
    try:
        _deploy(DeployContext(api, inputs, where, ctx), snap, outcome)
    except BuildFailed as exc:
        outcome.stage, outcome.failure, outcome.log_tail = exc.stage, exc.message, exc.log_tail
        raise exc.with_outcome(outcome) from None
    except ActionError as exc:
        if outcome.commit_sha and not inputs.dry_run:
            raise exc.with_outcome(outcome) from None  # outputs still written
        raise
    return outcome


def _deploy(ctx: DeployContext, snap: Snapshot, outcome: Outcome) -> None:
    """The steps in order; each names itself (`hub_step`) for the error a failure of it becomes."""
    state, wanted = _read(ctx)
    planner = Planner(ctx, snap)
    with hub_step("list the Space's files", ctx.space_id):
        plan = planner.against(state)
    print_plan(ctx.run.runner, snap, plan, wanted.settings, wanted.env)
    _check_entry(snap, plan)
    outcome.settings = wanted.settings.describe()
    outcome.env_keys = (
        list(wanted.env.secrets_to_set + wanted.env.variables_to_set) if wanted.env else []
    )
    outcome.env_deleted = (
        list(wanted.env.secrets_to_delete + wanted.env.variables_to_delete) if wanted.env else []
    )
    _fill_files(outcome, plan)
    if ctx.inputs.dry_run:
        ctx.run.runner.notice(
            f"Dry run: {counted(len(plan.add), 'file')} would be uploaded,"
            f" {len(plan.delete)} deleted; nothing was changed.",
            title="Dry run",
        )
        outcome.stage, outcome.app_url, outcome.commit_sha = state.stage, app_url(state), state.sha
        return
    before = _build_log_before(ctx, state, wanted, plan)
    state, plan = _configure(ctx, planner, wanted, state, plan, outcome)
    result = _upload(ctx, planner, plan)
    _fill_files(outcome, result.plan)
    outcome.committed = result.committed
    outcome.commit_sha = result.sha or state.sha
    outcome.commit_url = (
        f"{outcome.space_url}/commit/{outcome.commit_sha}" if outcome.commit_sha else None
    )
    _await_build(ctx, state, wanted, result, before, outcome)


_ENTRY_HINTS = {
    "docker": "Add a Dockerfile at the root of 'path'.",
    "static": "Add index.html to 'path', or set 'app-file' to the page to serve.",
}


def _check_entry(snap: Snapshot, plan: Plan) -> None:
    """Our files must hold an app for the SDK, or the Hub answers NO_APP_FILE: say so before
    anything is written (files kept on the Space count). The watch relies on it: a NO_APP_FILE
    shown before our build is then the previous verdict, never ours."""
    if snap.entry in snap.files or snap.entry in plan.kept:
        return
    raise ActionError(
        f"The {snap.sdk} Space would have no '{snap.entry}', so the Hub could not run it"
        " (NO_APP_FILE); nothing was changed on the Space.",
        _ENTRY_HINTS.get(
            snap.sdk,
            f"Add {snap.entry} to 'path', or set 'app-file' (or app_file in the README front"
            " matter) to the file that starts the app.",
        ),
        title="No app to run",
    )


def _read(ctx: DeployContext) -> tuple[SpaceState, Wanted]:
    """The Space as it is, and the settings, secrets and variables to change on it."""
    inputs = ctx.inputs
    with hub_step("read the Space", ctx.space_id):
        state = read_space(ctx.api, ctx.space_id)
        if inputs.keyless and not state.exists:
            raise keyless.cannot_create(ctx.space_id)
        settings = plan_settings(state, inputs.hardware, inputs.visibility, inputs.sleep_time)
    return state, Wanted(settings, _env_plan(ctx, state))


def _env_plan(ctx: DeployContext, state: SpaceState) -> EnvPlan | None:
    inputs = ctx.inputs
    exact_s, exact_v = inputs.secrets_mode is EnvMode.EXACT, inputs.variables_mode is EnvMode.EXACT
    if not (ctx.where.secrets or inputs.variables or exact_s or exact_v):
        return None
    api, space_id = ctx.api, ctx.space_id
    with hub_step("read the Space's secrets and variables", space_id):
        have_s = (
            {k: s.description for k, s in api.get_space_secrets(space_id).items()}
            if state.exists
            else {}
        )
        have_v = (
            {k: v.value for k, v in api.get_space_variables(space_id).items()}
            if state.exists
            else {}
        )
    from hf_action.hub.variables import plan_env  # see the imports

    return plan_env(
        _secrets_key(ctx), ctx.where.secrets, inputs.variables, have_s, have_v,
        exact_secrets=exact_s, exact_variables=exact_v,
    )  # fmt: skip


def _secrets_key(ctx: DeployContext) -> str:
    return keyless.secrets_key(ctx.inputs.token, ctx.space_id, ctx.inputs.keyless)


def _build_log_before(
    ctx: DeployContext, state: SpaceState, wanted: Wanted, plan: Plan
) -> Before | None:
    """A restart without a commit is told apart by its logs: read the ones shown before it (the
    build log's header, the run log's start). None: no watch will need them, none were read."""
    quiet = not (plan.add or plan.delete)
    if not (ctx.inputs.wait and wanted.rebuilds and quiet and state.exists):
        return None
    from hf_action.hub.logs import logs_before  # see the imports

    with hub_step("read the Space's logs", ctx.space_id):
        return logs_before(ctx.api, ctx.space_id)


def _configure(
    ctx: DeployContext,
    planner: Planner,
    wanted: Wanted,
    state: SpaceState,
    plan: Plan,
    outcome: Outcome,
) -> tuple[SpaceState, Plan]:
    """Settings first (creating the Space plans its files again), then secrets and variables."""
    api, space_id, settings, env_plan = ctx.api, ctx.space_id, wanted.settings, wanted.env
    if settings.changes:
        with hub_step("create or configure the Space", space_id):
            ctx.run.runner.info(f"Settings: {'; '.join(settings.describe())}")
            apply_settings(api, space_id, settings, planner.snap.sdk)
            if settings.create:
                state = read_space(api, space_id)
                plan = planner.against(state)
                _fill_files(outcome, plan)
    if env_plan is not None and env_plan.changes:
        from hf_action.hub import variables  # see the imports

        keys = variables.describe_keys
        with hub_step("set the Space's secrets and variables", space_id):
            ctx.run.runner.info(
                f"Setting secrets ({keys(env_plan.secrets_to_set)})"
                f" and variables ({keys(env_plan.variables_to_set)})"
            )
            if env_plan.secrets_to_delete or env_plan.variables_to_delete:
                ctx.run.runner.info(
                    f"Deleting secrets ({keys(env_plan.secrets_to_delete)})"
                    f" and variables ({keys(env_plan.variables_to_delete)}) not listed (exact mode)"
                )
            variables.apply_env(
                env_plan, _secrets_key(ctx), ctx.where.secrets, ctx.inputs.variables,
                lambda k, v, d: api.add_space_secret(space_id, k, v, description=d),
                lambda k, v: api.add_space_variable(space_id, k, v),
                lambda k: api.delete_space_secret(space_id, k),
                lambda k: api.delete_space_variable(space_id, k),
            )  # fmt: skip
    return state, plan


def _upload(ctx: DeployContext, planner: Planner, plan: Plan) -> CommitResult:
    """The one deploy commit, with upload progress; `commit_plan` re-plans if the head moves."""
    runner = ctx.run.runner
    with (
        hub_step("upload and commit the files", ctx.space_id),
        runner.group(
            f"Upload: {counted(len(plan.add), 'file')}, {human_size(plan.upload_bytes)};"
            f" {counted(len(plan.delete), 'deletion')}"
        ),
    ):
        if plan.empty:  # the no-op: no commit to word (its Deploy-Id is loaded with the history)
            runner.info("Nothing changed: no commit.")
            return CommitResult(plan.head or "", None, plan, committed=False)
        github = ctx.run.github
        title, description = deploy_message(
            ctx.inputs.commit_message,
            repository=github.repository,
            sha=ctx.where.source_sha or github.sha,
            server_url=github.server_url,
            run_url=github.run_url,
            deploy_id=uuid.uuid4().hex,
        )
        t0 = time.monotonic()
        every = float(ctx.run.env.get("HF_DEPLOY_PROGRESS_SECONDS") or 5)
        with tracking(UploadProgress(plan.upload_bytes, runner.info, every=every)):
            result = commit_plan(
                ctx.api, ctx.space_id, plan, planner.replan, title, description, runner.info
            )
        if result.committed:
            runner.info(f"Committed {result.sha[:7]} in {time.monotonic() - t0:.1f}s")
        else:
            runner.info("Nothing changed: no commit.")
    return result


def _await_build(
    ctx: DeployContext,
    state: SpaceState,
    wanted: Wanted,
    result: CommitResult,
    before: Before | None,
    outcome: Outcome,
) -> None:
    """The stage to report: proven by the build watch, or known without one (nothing rebuilds)."""
    space_id, runner, inputs = ctx.space_id, ctx.run.runner, ctx.inputs
    with hub_step("read the Space's runtime", space_id):
        state = (
            read_space(ctx.api, space_id) if (wanted.settings.create or not state.host) else state
        )
    outcome.app_url = app_url(state)
    untouched = not result.committed and not wanted.rebuilds
    known = state.runtime.get("stage")
    if (
        untouched
        and (known == SpaceStage.RUNNING or known in ASLEEP)
        and state.runtime.get("sha") in (None, outcome.commit_sha)
    ):
        # Nothing changed and the Space info we already hold says it runs this head: no more calls.
        runner.info(f"The Space already runs {str(outcome.commit_sha)[:7]}.")
        runner.info(f"Evidence: nothing that rebuilds the Space was changed; it shows {known}.")
        outcome.stage = known
        return
    if not inputs.wait:
        # Right after a commit the runtime still describes the previous build: say nothing
        # rather than something stale.
        outcome.stage = known if untouched and known else ""
        return
    goal = _goal(result.committed, wanted.rebuilds, outcome.commit_sha, before)
    outcome.stage = await_build(ctx.api, space_id, goal, inputs.timeout, ctx.run).stage


def _fill_files(outcome: Outcome, plan: Plan) -> None:
    outcome.added = sorted(c.file.path for c in plan.add if c.kind is ChangeKind.NEW)
    outcome.changed = sorted(c.file.path for c in plan.add if c.kind is ChangeKind.CHANGED)
    outcome.deleted_files = list(plan.delete)
    outcome.unchanged = plan.unchanged
    outcome.upload_bytes = plan.upload_bytes


def _goal(
    committed: bool,
    restarting: bool,
    sha: str | None,
    before: Before | None,
) -> Goal:
    """What the watch must prove: our commit runs; or, with no commit, that a restart after our
    restarting change (secrets, variables, hardware) runs; or, when nothing that rebuilds was
    changed (visibility, sleep time), only what the Space shows now. Our files hold an app
    (`_check_entry` passed), so a NO_APP_FILE shown before our build is not ours."""
    from hf_action.hub.proof import Goal, LogState  # see the imports

    if committed:
        return Goal("commit", sha or "", app_expected=True)
    if restarting:
        header, started = before or (LogState.UNREAD, LogState.UNREAD)
        return Goal("restart", sha or "", before=header, started_before=started, app_expected=True)
    return Goal("none", sha or "")


def await_build(
    api: HfApi, space_id: str, goal: Goal, timeout: float, ctx: RunContext
) -> WatchResult:
    """The build watch of a commit (a deploy's or a rollback's), in its own log group and step."""
    with (
        hub_step("wait for the build", space_id),
        ctx.runner.group(
            f"Build: waiting for {space_id} to run {goal.commit[:7]} (timeout {timeout:.0f}s)"
        ),
    ):
        return watch(api, space_id, goal, timeout, ctx)


def watch(api: HfApi, space_id: str, goal: Goal, timeout: float, ctx: RunContext) -> WatchResult:
    """Follow the Space until `goal` is proven, one of our errors shows, or `timeout` passes; a
    proof by weaker evidence ends with a warning naming what it could not prove."""
    from hf_action.hub.watch import HubProbe, watch_space  # see the imports

    runner, clock = ctx.runner, ctx.clock
    probe = HubProbe(api, space_id, clock=clock.now)
    result = watch_space(
        probe, goal, timeout, runner.info, clock=clock.now, sleep=clock.sleep, scale=clock.scale
    )
    if result.warning:
        runner.warning(result.warning, title="Build watch: not fully proven")
    return result
