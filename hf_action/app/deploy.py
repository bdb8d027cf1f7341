"""The deploy flow: inputs -> plan -> Hub calls -> outcome. Each step is a call into a module of its own."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hf_action.errors import ActionError, BuildFailed
from hf_action.github.runner import Runner
from hf_action.hub import keyless
from hf_action.hub import variables as env_vars
from hf_action.hub.client import explain
from hf_action.hub.commit import commit_plan
from hf_action.hub.progress import UploadProgress, tracking
from hf_action.hub.space import SpaceState, apply_settings, plan_settings, read_space
from hf_action.hub.tree import fetch_blob_map, remote_tree
from hf_action.hub.urls import space_url
from hf_action.hub.watch import UNREAD, Goal, HubProbe, WatchResult, build_log_header, watch_space
from hf_action.inputs import Inputs
from hf_action.local.snapshot import Snapshot, take_snapshot
from hf_action.outcome import Outcome
from hf_action.plan import make_plan
from hf_action.text import human_size

if TYPE_CHECKING:
    from huggingface_hub import HfApi

PLAN_LINES = 200


@dataclass
class Target:
    """Where to deploy and on whose behalf; previews change `space_id` and `secrets`."""

    space_id: str
    secrets: dict[str, str]
    source_sha: str | None
    preview: bool = False


def app_url(state: SpaceState) -> str | None:
    if state.host:
        return state.host
    return f"https://{state.subdomain}.hf.space" if state.subdomain else None


def commit_text(
    inputs: Inputs, env: Mapping[str, str], target: Target, deploy_id: str
) -> tuple[str, str]:
    repo = env.get("GITHUB_REPOSITORY")
    sha = target.source_sha or env.get("GITHUB_SHA")
    server = env.get("GITHUB_SERVER_URL", "https://github.com")
    title = inputs.commit_message or (
        f"Deploy {repo}@{sha[:7]}" if repo and sha else "Deploy with hf-deploy"
    )
    lines = []
    if repo and sha:
        lines.append(f"Source: {server}/{repo}/commit/{sha}")
    if repo and env.get("GITHUB_RUN_ID"):
        lines.append(f"Workflow run: {server}/{repo}/actions/runs/{env['GITHUB_RUN_ID']}")
    lines.append(f"Deploy-Id: {deploy_id}")
    return title, "\n".join(lines)


def print_plan(runner: Runner, snap: Snapshot, plan, settings, env_plan) -> None:
    with runner.group(
        f"Plan: {len(plan.add)} to upload, {len(plan.delete)} to delete, {plan.unchanged} unchanged"
    ):
        runner.info(f"SDK: {snap.sdk}; Space card from {snap.card_source}")
        for note in snap.notes:
            runner.info(note)
        for line in settings.describe():
            runner.info(f"  setting: {line}")
        if env_plan is not None:
            keys = env_vars.describe_keys
            runner.info(
                f"  secrets to set: {keys(env_plan.secrets_to_set)}"
                f" (unchanged: {keys(env_plan.secrets_unchanged)})"
            )
            runner.info(
                f"  variables to set: {keys(env_plan.variables_to_set)}"
                f" (unchanged: {keys(env_plan.variables_unchanged)})"
            )
        rows = [
            (("+" if c.kind == "new" else "~"), c.file.path, human_size(c.file.size))
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
        if "outside the workspace" in s.reason:
            runner.warning(
                f"{s.path!r} {s.reason}; it was not uploaded.", title="Symlink not followed"
            )
    for w in snap.warnings:
        runner.warning(w)


def run_deploy(
    api: HfApi, inputs: Inputs, target: Target, runner: Runner, env: Mapping[str, str]
) -> Outcome:
    started = time.monotonic()
    space_id = target.space_id
    outcome = Outcome(
        "deploy", space_id, space_url(space_id), preview=target.preview, dry_run=inputs.dry_run
    )
    snap = take_snapshot(inputs, space_id.split("/")[1])

    step = "read the Space"
    try:
        state = read_space(api, space_id)
        if inputs.keyless and not state.exists:
            raise keyless.cannot_create(space_id)
        settings = plan_settings(state, inputs.hardware, inputs.visibility, inputs.sleep_time)
        env_plan = None
        if target.secrets or inputs.variables:
            step = "read the Space's secrets and variables"
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
            env_plan = env_vars.plan_env(
                keyless.secrets_key(inputs.token, space_id, inputs.keyless),
                target.secrets,
                inputs.variables,
                have_s,
                have_v,
            )
        step = "list the Space's files"
        protected = snap.protected(inputs.exclude)

        def plan_against(space: SpaceState):
            remote = (
                space.files if space.files is not None else remote_tree(api, space_id, space.sha)
            )
            return make_plan(
                snap.files,
                remote,
                space.sha,
                delete_removed=inputs.delete_removed,
                protected=protected,
                blob_map=lambda: fetch_blob_map(api, space_id, space.sha),
            )

        def replan():
            return plan_against(read_space(api, space_id))

        plan = plan_against(state)
        print_plan(runner, snap, plan, settings, env_plan)
        outcome.settings = settings.describe()
        outcome.env_keys = (
            list(env_plan.secrets_to_set + env_plan.variables_to_set) if env_plan else []
        )
        _fill_files(outcome, plan)
        if inputs.dry_run:
            runner.notice(
                f"Dry run: {len(plan.add)} files would be uploaded, {len(plan.delete)} deleted; nothing was changed.",
                title="Dry run",
            )
            outcome.stage, outcome.app_url = state.stage, app_url(state)
            outcome.commit_sha = state.sha
            return _done(outcome, started)

        # A restart without a commit is told apart by its build log: read the one shown before.
        restarting = (
            settings.create or bool(settings.hardware) or bool(env_plan and env_plan.changes)
        )
        quiet = not (plan.add or plan.delete)
        before = (
            build_log_header(api, space_id)
            if inputs.wait and restarting and quiet and state.exists
            else UNREAD
        )
        if settings.changes:
            step = "create or configure the Space"
            runner.info(f"Settings: {'; '.join(settings.describe())}")
            apply_settings(api, space_id, settings, snap.sdk)
            if settings.create:
                state = read_space(api, space_id)
                plan = plan_against(state)
                _fill_files(outcome, plan)
        if env_plan is not None and env_plan.changes:
            step = "set the Space's secrets and variables"
            runner.info(
                f"Setting secrets ({env_vars.describe_keys(env_plan.secrets_to_set)})"
                f" and variables ({env_vars.describe_keys(env_plan.variables_to_set)})"
            )
            env_vars.apply_env(
                env_plan, keyless.secrets_key(inputs.token, space_id, inputs.keyless),
                target.secrets, inputs.variables,
                lambda k, v, d: api.add_space_secret(space_id, k, v, description=d),
                lambda k, v: api.add_space_variable(space_id, k, v),
            )  # fmt: skip

        step = "upload and commit the files"
        title, description = commit_text(inputs, env, target, uuid.uuid4().hex)
        with runner.group(
            f"Upload: {len(plan.add)} files, {human_size(plan.upload_bytes)}; {len(plan.delete)} deletions"
        ):
            t0 = time.monotonic()
            every = float(env.get("HF_DEPLOY_PROGRESS_SECONDS") or 5)
            with tracking(UploadProgress(plan.upload_bytes, runner.info, every=every)):
                result = commit_plan(api, space_id, plan, replan, title, description, runner.info)
            if result.committed:
                runner.info(f"Committed {result.sha[:7]} in {time.monotonic() - t0:.1f}s")
            else:
                runner.info("Nothing changed: no commit.")
        _fill_files(outcome, result.plan)
        outcome.committed = result.committed
        outcome.commit_sha = result.sha or state.sha
        outcome.commit_url = (
            f"{space_url(space_id)}/commit/{outcome.commit_sha}" if outcome.commit_sha else None
        )

        step = "read the Space's runtime"
        state = read_space(api, space_id) if (settings.create or not state.host) else state
        outcome.app_url = app_url(state)
        untouched = (
            not result.committed and not settings.restarts and not (env_plan and env_plan.changes)
        )
        known = state.runtime.get("stage")
        if (
            untouched
            and known in ("RUNNING", "SLEEPING")
            and state.runtime.get("sha") in (None, outcome.commit_sha)
        ):
            # Nothing changed and the Space info we already hold says it runs this head: no more calls.
            runner.info(f"The Space already runs {str(outcome.commit_sha)[:7]}.")
            runner.info(f"Evidence: nothing that rebuilds the Space was changed; it shows {known}.")
            outcome.stage = known
            return _done(outcome, started)
        if not inputs.wait:
            # Right after a commit the runtime still describes the previous build: say nothing
            # rather than something stale.
            outcome.stage = known if untouched and known else ""
            return _done(outcome, started)
        step = "wait for the build"
        with runner.group(
            f"Build: waiting for {space_id} to run {str(outcome.commit_sha)[:7]} (timeout {inputs.timeout:.0f}s)"
        ):
            goal = _goal(result.committed, restarting, outcome.commit_sha, before)
            watched = watch(api, space_id, goal, inputs.timeout, runner)
        outcome.stage = watched.stage
        return _done(outcome, started)
    except BuildFailed as exc:
        outcome.stage, outcome.failure, outcome.log_tail = exc.stage, exc.message, exc.log_tail
        _done(outcome, started)
        exc.outcome = outcome
        raise
    except Exception as exc:
        error = (
            exc if isinstance(exc, ActionError) else explain(exc, action=step, space_id=space_id)
        )
        if outcome.commit_sha and not inputs.dry_run:
            error.outcome = _done(outcome, started)  # outputs still written
        raise error from None


def _fill_files(outcome: Outcome, plan) -> None:
    outcome.added = sorted(c.file.path for c in plan.add if c.kind == "new")
    outcome.changed = sorted(c.file.path for c in plan.add if c.kind == "changed")
    outcome.deleted_files = list(plan.delete)
    outcome.unchanged = plan.unchanged
    outcome.upload_bytes = plan.upload_bytes


def _done(outcome: Outcome, started: float) -> Outcome:
    outcome.seconds = time.monotonic() - started
    return outcome


def _goal(committed: bool, restarting: bool, sha: str | None, before) -> Goal:
    """What the watch must prove: our commit runs; or, with no commit, that a build started after
    our restarting change (secrets, variables, hardware) runs; or, when nothing that rebuilds was
    changed (visibility, sleep time), only what the Space shows now."""
    if committed:
        return Goal("commit", sha or "")
    if restarting:
        return Goal("restart", sha or "", before=before)
    return Goal("none", sha or "")


def watch(api: HfApi, space_id: str, goal: Goal, timeout: float, runner: Runner) -> WatchResult:
    """Follow the Space until `goal` is proven, one of our errors shows, or `timeout` passes."""
    return watch_space(HubProbe(api, space_id), goal, timeout, runner.info)
