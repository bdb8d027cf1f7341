"""Make the Space's files equal the local folder in one commit, re-planning if the head moves under us."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx2

from hf_action import blobmap
from hf_action.errors import ActionError
from hf_action.hub.explain import explain_xet, from_xet
from hf_action.local.files import LocalFile
from hf_action.plan import Plan, Restore

if TYPE_CHECKING:
    from huggingface_hub import CommitInfo, CommitOperationAdd, CommitOperationDelete, HfApi

    # A deploy commit adds and deletes: it never copies.
    CommitOperation = CommitOperationAdd | CommitOperationDelete

MAX_ATTEMPTS = 3


@dataclass
class CommitResult:
    sha: str
    url: str | None
    plan: Plan
    committed: bool


def operations(plan: Plan) -> list[CommitOperation]:
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    ops: list[CommitOperation] = []
    for change in plan.add:
        f: LocalFile = change.file
        source = f.content if f.content is not None else str(f.abs_path)
        ops.append(CommitOperationAdd(path_in_repo=f.path, path_or_fileobj=source))
    ops.extend(CommitOperationDelete(path_in_repo=p) for p in plan.delete)
    return ops


def _with_blob_ids(description: str, plan: Plan, ops: list[CommitOperation]) -> str:
    """Record both ids of each large file, so the next deploy can match it without reading it."""
    from huggingface_hub import CommitOperationAdd

    entries = dict(plan.blob_ids)
    files = {c.file.path: c.file for c in plan.add}
    for op in ops:
        f = files.get(op.path_in_repo) if isinstance(op, CommitOperationAdd) else None
        if (
            isinstance(op, CommitOperationAdd)
            and f is not None
            and f.git_oid is not None
            and f.size >= blobmap.MIN_SIZE
        ):
            entries[f.path] = (f.git_oid, op.upload_info.sha256.hex())
    trailer = blobmap.render(entries)
    return f"{description}\n\n{trailer}" if trailer else description


# Sent as the preupload's `gitIgnore`: the Hub would otherwise apply the Space's (or the folder's own)
# .gitignore and silently drop planned files. Not "": whether the Hub reads an empty string as "no rules"
# or as "absent, use the Space's .gitignore" is undocumented; a comment-only file means "no rules" in both.
NO_IGNORE_RULES = "# hf-deploy uploads exactly the files it planned: no ignore rules\n"
KEPT_CHANGING = ActionError(
    "The Space kept changing while we tried to commit.",
    "Use a concurrency group so two deploys of one Space do not race.",
)


def commit_plan(
    api: HfApi,
    space_id: str,
    first_plan: Plan,
    replan: Callable[[], Plan],
    message: str,
    description: str,
    say: Callable[[str], None],
) -> CommitResult:
    """Commit with `parentCommit`: a 412 (someone pushed, or our own lost-response commit landed) re-plans
    against the new head, so the Space ends with exactly this deploy's files and never two commits of it."""
    from huggingface_hub.errors import HfHubHTTPError

    plan = first_plan
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if plan.empty:
            # On a retry, an empty plan means our earlier attempt landed (its response was lost).
            landed = attempt > 1
            return CommitResult(
                plan.head or "", None, first_plan if landed else plan, committed=landed
            )
        last = attempt == MAX_ATTEMPTS
        try:
            info = _upload_and_commit(api, space_id, plan, message, description)
            return CommitResult(info.oid, info.commit_url, plan, committed=True)
        except HfHubHTTPError as exc:
            if exc.response is None or exc.response.status_code != 412:
                raise
            if last:
                raise ActionError(KEPT_CHANGING.message, KEPT_CHANGING.hint) from None
            say(
                "The Space changed while we were uploading (412); planning again against its new head."
            )
        except httpx2.TransportError:
            if last:
                raise
            say(
                "The connection dropped while committing; checking what the Space holds before trying again."
            )
            time.sleep(1)
        plan = replan()
    raise AssertionError("unreachable: every attempt returns or raises")


def _upload_and_commit(
    api: HfApi, space_id: str, plan: Plan, message: str, description: str
) -> CommitInfo:
    """Upload first (huggingface_hub hashes and sends LFS files in parallel), so the commit message can
    record the sha256 it computed instead of us hashing every large file again."""
    from huggingface_hub import CommitOperationAdd

    ops = operations(plan)
    try:
        api.preupload_lfs_files(
            space_id,
            additions=[op for op in ops if isinstance(op, CommitOperationAdd)],
            repo_type="space",
            free_memory=False,
            gitignore_content=NO_IGNORE_RULES,
        )
    except Exception as exc:
        if from_xet(exc):  # hf_xet's own errors: say which step and what it was told
            raise explain_xet(exc) from None
        raise
    return api.create_commit(
        space_id,
        repo_type="space",
        operations=ops,
        commit_message=message,
        commit_description=_with_blob_ids(description, plan, ops),
        parent_commit=plan.head,
    )


def commit_restore(
    api: HfApi,
    space_id: str,
    revision: str,
    first: Restore,
    replan: Callable[[], Restore],
    message: str,
    description: str,
    say: Callable[[str], None],
) -> tuple[str, str | None, Restore]:
    """Make the head's files equal `revision`'s in one commit with `parentCommit`: each differing file
    is a CommitOperationCopy from the revision (an LFS or Xet file is copied on the Hub by its
    sha256, nothing uploaded; a regular file goes again inside the commit, as huggingface_hub does),
    the others deleted. A 412 re-plans against the new head: an empty plan then means our commit
    landed and its answer was lost. Returns the new head, the commit's URL (None: its answer was
    lost) and the plan that commit carried."""
    from huggingface_hub import CommitOperationCopy, CommitOperationDelete
    from huggingface_hub.errors import HfHubHTTPError

    restore = sent = first
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if restore.empty:
            return restore.head or "", None, sent
        sent = restore
        ops: list[CommitOperationCopy | CommitOperationDelete] = [
            CommitOperationCopy(f.path, f.path, src_revision=revision) for f in restore.copy
        ]
        ops += [CommitOperationDelete(path_in_repo=p) for p in restore.delete]
        try:
            info = api.create_commit(
                space_id,
                repo_type="space",
                operations=ops,
                commit_message=message,
                commit_description=description,
                parent_commit=restore.head,
            )
            return info.oid, info.commit_url, restore
        except HfHubHTTPError as exc:
            if exc.response is None or exc.response.status_code != 412:
                raise
            if attempt == MAX_ATTEMPTS:
                raise ActionError(KEPT_CHANGING.message, KEPT_CHANGING.hint) from None
            say("The Space changed while rolling back (412); comparing again with its new head.")
        restore = replan()
    raise AssertionError("unreachable: every attempt returns or raises")
