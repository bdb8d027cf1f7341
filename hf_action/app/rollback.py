"""operation rollback: one commit on top of the head that brings back an earlier revision's files,
copied on the Hub (nothing the Hub holds in LFS or Xet is uploaded again), then the deploy's watch."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from hf_action import blobmap
from hf_action.app.context import RunContext
from hf_action.app.deploy import app_url, await_build
from hf_action.commitmsg import rollback_message
from hf_action.errors import ActionError, BuildFailed
from hf_action.github.runner import Runner
from hf_action.hub.client import hub_step
from hf_action.hub.commit import commit_restore
from hf_action.hub.history import Revision, find_revision
from hf_action.hub.proof import Goal
from hf_action.hub.space import SpaceState, read_space
from hf_action.hub.tree import fetch_blob_map, remote_tree
from hf_action.hub.urls import space_url
from hf_action.inputs import Inputs
from hf_action.outcome import Outcome
from hf_action.plan import RemoteFile, Restore, plan_restore
from hf_action.text import counted, human_size

if TYPE_CHECKING:
    from huggingface_hub import HfApi

PLAN_LINES = 200


def rollback_space(api: HfApi, inputs: Inputs, space_id: str, ctx: RunContext) -> Outcome:
    """Reported like a deploy; after the commit, a failure still carries the outcome."""
    outcome = Outcome(
        "rollback", space_id, space_url(api.endpoint, space_id), dry_run=inputs.dry_run
    )
    try:
        _rollback(api, inputs, ctx, outcome)
    except BuildFailed as exc:
        outcome.stage, outcome.failure, outcome.log_tail = exc.stage, exc.message, exc.log_tail
        raise exc.with_outcome(outcome) from None
    except ActionError as exc:
        if outcome.committed:
            raise exc.with_outcome(outcome) from None
        raise
    return outcome


def _rollback(api: HfApi, inputs: Inputs, ctx: RunContext, outcome: Outcome) -> None:
    space_id, runner = outcome.space_id, ctx.runner
    with hub_step("read the Space", space_id):
        state = read_space(api, space_id)
    if not state.exists:
        raise ActionError(
            f"Cannot roll back '{space_id}': the Space does not exist (or the token cannot see it).",
            "Check the 'space' input.",
            title="Space not found",
        )
    with hub_step("read the Space's history", space_id):
        rev = find_revision(api, space_id, inputs.revision)  # refused here: nothing written yet
    with hub_step("list the Space's files", space_id):
        current = state.files if state.files is not None else remote_tree(api, space_id, state.sha)
        target = remote_tree(api, space_id, rev.sha)
    restore = plan_restore(current, target, state.sha)
    _print(runner, rev, restore)
    _fill(outcome, restore, state, rev)
    if inputs.dry_run:
        runner.notice(
            f"Dry run: rolling back to {rev.sha[:7]} would copy {counted(len(restore.copy), 'file')}"
            f" and delete {len(restore.delete)}; nothing was changed.",
            title="Dry run",
        )
        return
    if restore.empty:
        runner.notice(
            f"'{space_id}' already holds the files of {rev.sha[:7]}: nothing to roll back.",
            title="Nothing to roll back",
        )
        return
    _commit(api, inputs, ctx, outcome, state, rev, restore, target)
    if not inputs.wait:
        outcome.stage = ""  # the runtime still describes the build before the rollback
        return
    goal = Goal("commit", outcome.commit_sha or "")
    outcome.stage = await_build(api, space_id, goal, inputs.timeout, ctx).stage


def _commit(
    api: HfApi,
    inputs: Inputs,
    ctx: RunContext,
    outcome: Outcome,
    state: SpaceState,
    rev: Revision,
    restore: Restore,
    target: dict[str, RemoteFile],
) -> None:
    """The commit; `target` (the revision's files) is what a re-plan after a 412 compares with."""
    space_id, runner = outcome.space_id, ctx.runner

    def replan() -> Restore:
        now = read_space(api, space_id)
        files = now.files if now.files is not None else remote_tree(api, space_id, now.sha)
        return plan_restore(files, target, now.sha)

    with hub_step("commit the rollback", space_id):
        # The revision's blob map travels on, so the next deploy matches its large files unread.
        kept = {p: ids for p, ids in fetch_blob_map(api, space_id, rev.sha).items() if p in target}
        title, description = rollback_message(
            inputs.commit_message,
            sha=rev.sha,
            rev_title=rev.title,
            run_url=ctx.github.run_url,
            deploy_id=uuid.uuid4().hex,
            trailer=blobmap.render(kept),
        )
        with runner.group(
            f"Rollback commit: {counted(len(restore.copy), 'copy', 'copies')},"
            f" {counted(len(restore.delete), 'deletion')}"
        ):
            sha, url, landed = commit_restore(
                api, space_id, rev.sha, restore, replan, title, description, runner.info
            )
            runner.info(
                f"Committed {sha[:7]}: the files of {rev.sha[:7]} on top of {str(state.sha)[:7]}"
            )
    _fill(outcome, landed, state, rev)  # after a 412, the re-plan is what the commit changed
    outcome.committed = sha != state.sha
    outcome.commit_sha = sha
    outcome.commit_url = url or f"{outcome.space_url}/commit/{sha}"


def _print(runner: Runner, rev: Revision, restore: Restore) -> None:
    back = f"{counted(rev.newer, 'commit')} back" if rev.newer else "the head"
    with runner.group(
        f"Rollback plan: to {rev.sha[:7]} ({back}): {len(restore.copy)} to copy,"
        f" {len(restore.delete)} to delete, {restore.unchanged} unchanged"
    ):
        runner.info(f"Revision {rev.sha}: {rev.title!r}")
        rows = [
            ("+" if f.path in restore.added else "~", f.path,
             "copied on the Hub" if f.lfs_sha256 else f"{human_size(f.size)} sent again")
            for f in restore.copy
        ]  # fmt: skip
        rows += [("-", p, "") for p in restore.delete]
        for mark, path, how in rows[:PLAN_LINES]:
            runner.info(f"  {mark} {path!r}  {how}".rstrip())
        if len(rows) > PLAN_LINES:
            runner.info(f"  … and {len(rows) - PLAN_LINES} more")


def _fill(outcome: Outcome, restore: Restore, state: SpaceState, rev: Revision) -> None:
    outcome.added = sorted(restore.added)
    outcome.changed = sorted(f.path for f in restore.copy if f.path not in restore.added)
    outcome.deleted_files = list(restore.delete)
    outcome.unchanged = restore.unchanged
    outcome.upload_bytes = restore.resend_bytes
    outcome.restored = rev.sha
    outcome.app_url = app_url(state)
    outcome.commit_sha, outcome.stage = state.sha, state.stage
