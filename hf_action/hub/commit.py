"""One commit on the Space's head, for a deploy (the local files) or a rollback (a revision's files),
re-planned when the head moves under us."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

import httpx2

from hf_action import blobmap
from hf_action.hub.explain import explain_xet, from_xet, kept_changing
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


class _OnHead(Protocol):
    """A plan made against one head: a deploy's `Plan` or a rollback's `Restore`."""

    @property
    def empty(self) -> bool: ...
    @property
    def head(self) -> str | None: ...


P = TypeVar("P", bound=_OnHead)


def commit_on_head(
    first: P,
    replan: Callable[[], P],
    send: Callable[[P], CommitInfo],
    say: Callable[[str], None],
    moved: str,
) -> tuple[str, str | None, P]:
    """Send `first` as one commit with `parentCommit`; a 412 (someone pushed, or our own commit
    whose answer was lost landed) or a dropped connection re-plans against the new head, so the
    Space ends with exactly these files and never two commits of them. Returns the head, the
    commit's URL (None: nothing was committed, or ours landed and its answer was lost, which the
    re-plan shows empty) and the plan the commit carried. `moved`: the line said on a 412."""
    from huggingface_hub.errors import HfHubHTTPError

    plan = sent = first
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if plan.empty:
            return plan.head or "", None, sent
        sent, last = plan, attempt == MAX_ATTEMPTS
        try:
            info = send(plan)
            return info.oid, info.commit_url, plan
        except HfHubHTTPError as exc:
            if exc.response is None or exc.response.status_code != 412:
                raise
            if last:
                raise kept_changing() from None
            say(moved)
        except httpx2.TransportError:
            if last:
                raise
            say(
                "The connection dropped while committing; checking what the Space holds before trying again."
            )
            time.sleep(1)
        plan = replan()
    raise AssertionError("unreachable: every attempt returns or raises")


def commit_plan(
    api: HfApi,
    space_id: str,
    first_plan: Plan,
    replan: Callable[[], Plan],
    message: str,
    description: str,
    say: Callable[[str], None],
) -> CommitResult:
    """The deploy's commit: upload, then commit the plan on its head (`commit_on_head`)."""
    sha, url, sent = commit_on_head(
        first_plan,
        replan,
        lambda plan: _upload_and_commit(api, space_id, plan, message, description),
        say,
        "The Space changed while we were uploading (412); planning again against its new head.",
    )
    return CommitResult(sha, url, sent, committed=not sent.empty)


def _upload_and_commit(
    api: HfApi, space_id: str, plan: Plan, message: str, description: str
) -> CommitInfo:
    """Upload first (huggingface_hub hashes and sends LFS files in parallel), so the commit message can
    record the sha256 it computed instead of us hashing every large file again."""
    from huggingface_hub import CommitOperationAdd

    ops = operations(plan)
    try:
        _ask_upload_modes(api, space_id, [op for op in ops if isinstance(op, CommitOperationAdd)])
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


#: The Hub tells the upload mode of at most this many files per preupload request.
PREUPLOAD_FILES = 256
PREUPLOAD_AT_ONCE = 8


def _ask_upload_modes(api: HfApi, space_id: str, adds: list[CommitOperationAdd]) -> None:
    """Each file's upload mode (regular, LFS/Xet), asked for chunks of 256 files at once where
    huggingface_hub asks one chunk after another: a 2,000-file deploy waits about one round trip to
    the Hub instead of eight (bench/results.md, "First deploys on two links"). preupload_lfs_files
    then asks for none (it skips operations whose mode is set) and uploads the large files. The
    helper is huggingface_hub's own, private: its preupload has no public per-chunk call."""
    if len(adds) <= PREUPLOAD_FILES:
        return  # one request either way
    from huggingface_hub import constants
    from huggingface_hub._commit_api import _fetch_upload_modes

    headers = api._build_hf_headers()
    chunks = [adds[i : i + PREUPLOAD_FILES] for i in range(0, len(adds), PREUPLOAD_FILES)]

    def ask(chunk: list[CommitOperationAdd]) -> None:
        _fetch_upload_modes(
            additions=chunk,
            repo_type="space",
            repo_id=space_id,
            headers=headers,
            revision=constants.DEFAULT_REVISION,
            endpoint=api.endpoint,
            gitignore_content=NO_IGNORE_RULES,
        )

    with ThreadPoolExecutor(min(len(chunks), PREUPLOAD_AT_ONCE)) as pool:
        for _ in pool.map(ask, chunks):  # the first failure raises here, as it would in sequence
            pass


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
    """A rollback's commit on the head (`commit_on_head`): each differing file copied from
    `revision` (an LFS or Xet file by its sha256 on the Hub, nothing uploaded), the others deleted."""

    def send(restore: Restore) -> CommitInfo:
        from huggingface_hub import CommitOperationCopy, CommitOperationDelete

        ops: list[CommitOperationCopy | CommitOperationDelete] = [
            CommitOperationCopy(f.path, f.path, src_revision=revision) for f in restore.copy
        ]
        ops += [CommitOperationDelete(path_in_repo=p) for p in restore.delete]
        return api.create_commit(
            space_id,
            repo_type="space",
            operations=ops,
            commit_message=message,
            commit_description=description,
            parent_commit=restore.head,
        )

    return commit_on_head(
        first,
        replan,
        send,
        say,
        "The Space changed while rolling back (412); comparing again with its new head.",
    )
