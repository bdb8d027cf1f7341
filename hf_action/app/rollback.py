"""operation rollback: one commit on top of the head that brings back an earlier revision's files,
copied on the Hub (nothing the Hub holds in LFS or Xet is uploaded again), then the build wait."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from hf_action import blobmap
from hf_action.app import record
from hf_action.app.build_wait import await_build
from hf_action.app.context import RunContext
from hf_action.app.plan_log import print_restore
from hf_action.commitmsg import rollback_message
from hf_action.errors import ActionError, BuildFailed
from hf_action.hub.client import hub_step
from hf_action.hub.commit import commit_restore
from hf_action.hub.explain import space_missing
from hf_action.hub.history import Revision, find_revision
from hf_action.hub.proof import Goal
from hf_action.hub.space import SpaceState, read_space
from hf_action.hub.tree import fetch_blob_map, remote_tree
from hf_action.hub.urls import space_url
from hf_action.inputs import Inputs
from hf_action.outcome import Outcome
from hf_action.plan import RemoteFile, Restore, plan_restore
from hf_action.text import counted

if TYPE_CHECKING:
    from huggingface_hub import HfApi


def rollback_space(api: HfApi, inputs: Inputs, space_id: str, ctx: RunContext) -> Outcome:
    """Reported like a deploy; after the commit, a failure still carries the outcome."""
    runner = ctx.runner
    state, rev, restore, target = _plan(api, inputs, space_id)
    print_restore(runner, rev, restore)
    url = space_url(api.endpoint, space_id)
    begun = record.started("rollback", space_id, url, dry_run=inputs.dry_run)
    outcome = record.restored(begun, restore, rev.sha, state)
    if inputs.dry_run:
        runner.notice(
            f"Dry run: rolling back to {rev.sha[:7]} would copy {counted(len(restore.copy), 'file')}"
            f" and delete {len(restore.delete)}; nothing was changed.",
            title="Dry run",
        )
        return outcome
    if restore.empty:
        runner.notice(
            f"'{space_id}' already holds the files of {rev.sha[:7]}: nothing to roll back.",
            title="Nothing to roll back",
        )
        return outcome
    sha, commit_url, landed = _commit(api, inputs, ctx, space_id, state, rev, restore, target)
    # After a 412, the re-plan is what the commit changed.
    outcome = record.rolled_back(
        record.restored(begun, landed, rev.sha, state), sha, commit_url, state.sha
    )
    if not inputs.wait:
        return record.reached(outcome, "")  # the runtime still describes the build before it
    try:
        stage = await_build(api, space_id, Goal("commit", sha), inputs.timeout, ctx).stage
    except BuildFailed as exc:
        raise exc.with_outcome(record.build_failed(outcome, exc)) from None
    except ActionError as exc:
        raise exc.with_outcome(outcome) from None
    return record.reached(outcome, stage)


def _plan(
    api: HfApi, inputs: Inputs, space_id: str
) -> tuple[SpaceState, Revision, Restore, dict[str, RemoteFile]]:
    """The Space, the revision to return to (refused here: nothing written yet), the copies and
    deletions that bring its files back, and those files."""
    with hub_step("read the Space", space_id):
        state = read_space(api, space_id)
    if not state.exists:
        raise space_missing(space_id, "rollback")
    with hub_step("read the Space's history", space_id):
        rev = find_revision(api, space_id, inputs.revision)
    with hub_step("list the Space's files", space_id):
        current = state.files if state.files is not None else remote_tree(api, space_id, state.sha)
        target = remote_tree(api, space_id, rev.sha)
    return state, rev, plan_restore(current, target, state.sha), target


def _commit(
    api: HfApi,
    inputs: Inputs,
    ctx: RunContext,
    space_id: str,
    state: SpaceState,
    rev: Revision,
    restore: Restore,
    target: dict[str, RemoteFile],
) -> tuple[str, str | None, Restore]:
    """The commit: its sha, its URL and the copies it landed; `target` (the revision's files) is
    what a re-plan after a 412 compares with."""
    runner = ctx.runner

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
    return sha, url, landed
