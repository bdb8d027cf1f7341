"""The deploy: inputs -> snapshot -> plan -> Hub, one function per step, each taking and returning
typed values; `hub_step` names the step a Hub failure happened in, `record` makes the outcome."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from huggingface_hub import SpaceStage

from hf_action.app import record
from hf_action.app.context import RunContext
from hf_action.app.plan_log import print_plan
from hf_action.app.route import Destination
from hf_action.commitmsg import deploy_message
from hf_action.errors import ActionError, BuildFailed
from hf_action.github.runner import Runner
from hf_action.hub import keyless
from hf_action.hub.client import hub_step
from hf_action.hub.commit import AskedAhead, CommitResult, commit_plan
from hf_action.hub.explain import cannot_create
from hf_action.hub.progress import UploadProgress, tracking
from hf_action.hub.space import SettingsPlan, SpaceState, apply_settings, plan_settings, read_space
from hf_action.hub.stages import ASLEEP
from hf_action.hub.tree import fetch_blob_map, remote_tree
from hf_action.hub.urls import space_url
from hf_action.inputs import EnvMode, Inputs
from hf_action.local.snapshot import FoundFiles, Snapshot, read_files, take_snapshot
from hf_action.outcome import Outcome
from hf_action.plan import Plan, make_plan
from hf_action.text import counted, human_size

if TYPE_CHECKING:
    from huggingface_hub import HfApi

    from hf_action.hub.proof import Goal, Header, LogState
    from hf_action.hub.variables import EnvPlan

    # The logs shown before a restart we ask for: the build log's header, the run log's start.
    Before = tuple[Header | LogState | None, float | LogState | None]

# The build wait (app.build_wait: hub.watch, hub.proof), secrets and variables (hub.variables) are
# imported where they are used: a no-op deploy never needs them, and their dataclasses are a fifth
# of the package's start-up cost (bench/results.md, the no-op).


@dataclass(frozen=True)
class DeployContext:
    """What every step of one deploy needs: the client, the inputs, where to, and the run's context."""

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
    space: Callable[[], SpaceState | None] | None = None,
) -> Outcome:
    """The steps in order; after the commit, a failure carries the outcome. `found`: the folder's
    files, read since the run connected (`read_files` here when None); `space`: the Space's state,
    asked since then (`read_space` here when None, or when that failed)."""
    files = found() if found is not None else read_files(inputs)
    snap = take_snapshot(inputs, where.space_id.split("/")[1], files)
    deploy = DeployContext(api, inputs, where, ctx)
    state, wanted = _read(deploy, space)
    planner = Planner(deploy, snap)
    with hub_step("list the Space's files", deploy.space_id):
        plan = planner.against(state)
    print_plan(ctx.runner, snap, plan, wanted.settings, wanted.env)
    _check_entry(snap, plan)
    url = space_url(api.endpoint, where.space_id)
    begun = record.started(
        "deploy", where.space_id, url, preview=where.preview, dry_run=inputs.dry_run,
        runs_on=_runs_on(where, state, ctx.runner),
    )  # fmt: skip
    outcome = record.planned(begun, plan, wanted.settings, wanted.env)
    if inputs.dry_run:
        ctx.runner.notice(
            f"Dry run: {counted(len(plan.add), 'file')} would be uploaded,"
            f" {len(plan.delete)} deleted; nothing was changed.",
            title="Dry run",
        )
        return record.as_found(outcome, state)
    before = _build_log_before(deploy, state, wanted, plan)
    state, plan, ahead = _configure(deploy, planner, wanted, state, plan)
    result = _upload(deploy, planner, plan, ahead)
    outcome = record.committed(outcome, result, state.sha)
    try:
        state = _runtime(deploy, state)
        outcome = record.serving(outcome, state)
        stage = _stage(deploy, state, wanted, result, before, outcome.commit_sha)
    except BuildFailed as exc:
        raise exc.with_outcome(record.build_failed(outcome, exc)) from None
    except ActionError as exc:
        if outcome.commit_sha:
            raise exc.with_outcome(outcome) from None  # outputs still written
        raise
    return record.reached(outcome, stage)


def _runs_on(where: Destination, state: SpaceState, runner: Runner) -> str | None:
    """A preview's settings in one line (the comment, the summary, the Deployment): the visibility
    it is given, else the one it keeps (the Hub's default, public, when created)."""
    if where.settings is None:
        return None
    kept = (
        (state.visibility or ("private" if state.private else "public")) if state.exists else None
    )
    line = where.settings.runs_on(where.visibility or kept or "public")
    runner.info(f"Preview runs on: {line}")
    return line


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


def _read(
    ctx: DeployContext, space: Callable[[], SpaceState | None] | None
) -> tuple[SpaceState, Wanted]:
    """The Space as it is (`space`: its answer, asked already), and the settings, secrets and
    variables to change on it."""
    inputs, where = ctx.inputs, ctx.where
    with hub_step("read the Space", ctx.space_id):
        asked = space() if space is not None else None
        state = asked if asked is not None else read_space(ctx.api, ctx.space_id)
        if inputs.keyless and not state.exists:
            raise cannot_create(ctx.space_id)
        settings = plan_settings(state, where.hardware, where.visibility, where.sleep_time)
    return state, Wanted(settings, _env_plan(ctx, state))


def _env_plan(ctx: DeployContext, state: SpaceState) -> EnvPlan | None:
    where = ctx.where
    exact_s, exact_v = where.secrets_mode is EnvMode.EXACT, where.variables_mode is EnvMode.EXACT
    if not (where.secrets or where.variables or exact_s or exact_v):
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
        _secrets_key(ctx), where.secrets, where.variables, have_s, have_v,
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
        return logs_before(ctx.api, ctx.space_id, ctx.run.clock.now)


def _configure(
    ctx: DeployContext, planner: Planner, wanted: Wanted, state: SpaceState, plan: Plan
) -> tuple[SpaceState, Plan, AskedAhead | None]:
    """Settings first (creating the Space plans its files again, its additions asked about while
    it is read), then secrets and variables."""
    api, space_id, settings, env_plan = ctx.api, ctx.space_id, wanted.settings, wanted.env
    ahead = None
    if settings.changes:
        with hub_step("create or configure the Space", space_id):
            ctx.run.runner.info(f"Settings: {'; '.join(settings.describe())}")
            apply_settings(api, space_id, settings, planner.snap.sdk)
            if settings.create:
                ahead = AskedAhead(api, space_id, list(planner.snap.files.values()))
                state = read_space(api, space_id)
                plan = planner.against(state)
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
                env_plan, _secrets_key(ctx), ctx.where.secrets, ctx.where.variables,
                lambda k, v, d: api.add_space_secret(space_id, k, v, description=d),
                lambda k, v: api.add_space_variable(space_id, k, v),
                lambda k: api.delete_space_secret(space_id, k),
                lambda k: api.delete_space_variable(space_id, k),
            )  # fmt: skip
    return state, plan, ahead


def _upload(
    ctx: DeployContext, planner: Planner, plan: Plan, ahead: AskedAhead | None
) -> CommitResult:
    """The one deploy commit, with upload progress; `commit_plan` re-plans if the head moves."""
    runner = ctx.run.runner
    with (
        hub_step("upload and commit the files", ctx.space_id),
        runner.group(
            f"Upload: {counted(len(plan.add), 'file')}, {human_size(plan.upload_bytes)};"
            f" {counted(len(plan.delete), 'deletion')}"
        ),
    ):
        if plan.empty:  # the no-op: no commit to word
            runner.info("Nothing changed: no commit.")
            return CommitResult(plan.head or "", None, plan, committed=False)
        title, description = _message(ctx)
        t0 = time.monotonic()
        every = ctx.run.progress_seconds
        with tracking(UploadProgress(plan.upload_bytes, runner.info, every=every)):
            result = commit_plan(
                ctx.api, ctx.space_id, plan, planner.replan, title, description, runner.info, ahead
            )
        if result.committed:
            runner.info(f"Committed {result.sha[:7]} in {time.monotonic() - t0:.1f}s")
        else:
            runner.info("Nothing changed: no commit.")
    return result


def _message(ctx: DeployContext) -> tuple[str, str]:
    """The commit's title and description: the source commit (a preview's head, or the run's)."""
    github = ctx.run.github
    return deploy_message(
        ctx.inputs.commit_message,
        repository=github.repository,
        sha=ctx.where.source_sha or github.sha,
        server_url=github.server_url,
        run_url=github.run_url,
        deploy_id=uuid.uuid4().hex,
    )


def _runtime(ctx: DeployContext, state: SpaceState) -> SpaceState:
    """The Space's runtime after the commit, for where its app answers: read again only when its host
    is unknown. A created Space was read once made (`_configure`), which gave its host: a second read
    after the commit would cost a round trip for nothing the run reports (its stage after a commit is
    the watch's, read by its first poll)."""
    if state.host:
        return state
    with hub_step("read the Space's runtime", ctx.space_id):
        return read_space(ctx.api, ctx.space_id)


def _stage(
    ctx: DeployContext,
    state: SpaceState,
    wanted: Wanted,
    result: CommitResult,
    before: Before | None,
    sha: str | None,
) -> str | None:
    """The stage to report: proven by the build watch, or known without one (nothing rebuilds)."""
    runner, inputs = ctx.run.runner, ctx.inputs
    untouched = not result.committed and not wanted.rebuilds
    known: str | None = state.runtime.get("stage")
    if (
        untouched
        and (known == SpaceStage.RUNNING or known in ASLEEP)
        and state.runtime.get("sha") in (None, sha)
    ):
        # Nothing changed and the Space info we already hold says it runs this head: no more calls.
        runner.info(f"The Space already runs {str(sha)[:7]}.")
        runner.info(f"Evidence: nothing that rebuilds the Space was changed; it shows {known}.")
        return known
    if not inputs.wait:
        # Right after a commit the runtime still describes the previous build: say nothing
        # rather than something stale.
        return known if untouched and known else ""
    from hf_action.app.build_wait import await_build  # see the imports

    goal = _goal(result.committed, wanted.rebuilds, sha, before)
    return await_build(ctx.api, ctx.space_id, goal, inputs.timeout, ctx.run).stage


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
