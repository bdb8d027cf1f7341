"""One commit on the Space's head, for a deploy (the local files) or a rollback (a revision's files),
re-planned when the head moves under us."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Protocol, TypeVar

import httpx2

from hf_action import blobmap
from hf_action.hub.commit_body import CommitBody
from hf_action.hub.explain import card_refused, explain_xet, from_xet, kept_changing
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


def operations(plan: Plan, made: Made | None = None) -> list[CommitOperation]:
    """The commit's operations; an addition made ahead (`AskedAhead`) from the same file is taken,
    with the upload mode it was given (and, on a retried commit, its upload done)."""
    from huggingface_hub import CommitOperationDelete

    made = made or {}
    ops: list[CommitOperation] = []
    for change in plan.add:
        f: LocalFile = change.file
        ahead = made.get(f.path)
        ops.append(ahead[1] if ahead is not None and ahead[0] is f else _addition(f))
    ops.extend(CommitOperationDelete(path_in_repo=p) for p in plan.delete)
    return ops


def _addition(f: LocalFile) -> CommitOperationAdd:
    from huggingface_hub import CommitOperationAdd

    source = f.content if f.content is not None else str(f.abs_path)
    return CommitOperationAdd(path_in_repo=f.path, path_or_fileobj=source)


#: Additions made ahead, by path: the file each was made from, and the operation.
Made = dict[str, tuple[LocalFile, "CommitOperationAdd"]]


class AskedAhead:
    """A new Space's additions, made and their upload modes (and the card's check) asked while the
    Space is read once created, on two threads: the plan made from that read takes them, and a
    first deploy waits one round trip to the Hub less than `upload_folder` (the read's head is the
    commit's parentCommit, which create_repo's answer lacks; bench/results.md)."""

    def __init__(self, api: HfApi, space_id: str, files: list[LocalFile]) -> None:
        self.made: Made = {}
        self.card: LocalFile | None = None  # the README.md whose check the Hub passed
        card = next((f for f in files if f.path == "README.md"), None)
        chunks = [files[i : i + PREUPLOAD_FILES] for i in range(0, len(files), PREUPLOAD_FILES)]
        tasks = [partial(self._check, api, card)] if card is not None else []
        tasks += [partial(self._ask, api, space_id, chunk) for chunk in chunks]
        pool = ThreadPoolExecutor(AT_ONCE)
        self._asked = [pool.submit(task) for task in tasks]
        pool.shutdown(wait=False)  # its threads end with the last task

    def _check(self, api: HfApi, f: LocalFile) -> None:
        _check_card(api, _addition(f))
        self.card = f

    def _ask(self, api: HfApi, space_id: str, files: list[LocalFile]) -> None:
        ops = [_addition(f) for f in files]
        for ask in _upload_mode_asks(api, space_id, ops):
            ask()
        self.made.update((op.path_in_repo, (f, op)) for f, op in zip(files, ops, strict=True))

    def wait(self) -> Made:
        """The additions made, once every request is answered; the first failure, in the order
        the requests were made, raises."""
        for asked in self._asked:
            asked.result()
        return self.made


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
    ahead: AskedAhead | None = None,
) -> CommitResult:
    """The deploy's commit: upload, then commit the plan on its head (`commit_on_head`); `ahead`:
    additions made and asked about already (a new Space's)."""
    sha, url, sent = commit_on_head(
        first_plan,
        replan,
        lambda plan: _upload_and_commit(api, space_id, plan, message, description, ahead),
        say,
        "The Space changed while we were uploading (412); planning again against its new head.",
    )
    return CommitResult(sha, url, sent, committed=not sent.empty)


def _upload_and_commit(
    api: HfApi,
    space_id: str,
    plan: Plan,
    message: str,
    description: str,
    ahead: AskedAhead | None,
) -> CommitInfo:
    """Upload first (huggingface_hub hashes and sends LFS files in parallel), so the commit message can
    record the sha256 it computed instead of us hashing every large file again. The card's check
    goes out beside the upload modes, not a round trip of its own, and before any upload."""
    from huggingface_hub import CommitOperationAdd

    ops = operations(plan, ahead.wait() if ahead is not None else None)
    adds = [op for op in ops if isinstance(op, CommitOperationAdd)]
    card = next((op for op in adds if op.path_in_repo == "README.md"), None)
    readme = next((c.file for c in plan.add if c.file.path == "README.md"), None)
    checked = ahead is not None and readme is not None and ahead.card is readme
    try:
        _at_once(
            ([lambda: _check_card(api, card)] if card is not None and not checked else [])
            + _upload_mode_asks(api, space_id, [op for op in adds if op._upload_mode is None])
        )
        api.preupload_lfs_files(
            space_id,
            additions=adds,
            repo_type="space",
            free_memory=False,
            gitignore_content=NO_IGNORE_RULES,
        )
    except Exception as exc:
        if from_xet(exc):  # hf_xet's own errors: say which step and what it was told
            raise explain_xet(exc) from None
        raise
    return _send_commit(
        api, space_id, ops, message, _with_blob_ids(description, plan, ops), plan.head
    )


def _check_card(api: HfApi, card: CommitOperationAdd) -> None:
    """The Hub's own check of README.md's front matter, as create_commit makes it (after ours,
    hf_action/local/card.py: the Hub knows keys we do not)."""
    with card.as_file() as fh:
        text = fh.read().decode()
    try:
        api._validate_yaml(text, repo_type="space")
    except ValueError as exc:  # huggingface_hub's wording of the Hub's 400 and its errors
        raise card_refused(exc) from None


def _send_commit(
    api: HfApi,
    space_id: str,
    ops: list[CommitOperation],
    message: str,
    description: str,
    parent_commit: str | None,
) -> CommitInfo:
    """The commit request huggingface_hub's create_commit sends, its body streamed
    (hub/commit_body.py) instead of joined in memory; the answer read by the library."""
    from huggingface_hub import CommitInfo
    from huggingface_hub.utils import get_session, hf_raise_for_status

    body = CommitBody(ops, message, description, parent_commit)
    headers = {
        **api._build_hf_headers(),
        "Content-Type": "application/x-ndjson",
        "Content-Length": str(body.length),
    }
    session = get_session()
    url = f"{api.endpoint}/api/spaces/{space_id}/commit/main"
    request = session.build_request("POST", url, headers=headers)
    request.stream = body
    response = session.send(request)
    hf_raise_for_status(response, endpoint_name="commit")
    answer = response.json()
    return CommitInfo(
        commit_url=answer["commitUrl"],
        commit_message=message,
        commit_description=description,
        oid=answer["commitOid"],
        _endpoint=api.endpoint,
    )


#: The Hub tells the upload mode of at most this many files per preupload request.
PREUPLOAD_FILES = 256
#: Requests in flight at once before the upload. Each thread costs the peak ~0.6 MiB (its malloc
#: arena): a 2,000-file first deploy peaked at 66.5 MiB with 8, 64.5 with 4, 62.5 with 2 against
#: upload_folder's 63-64, and took 1.7, 1.8 and 2.0 s against its 2.2 on the latency link.
AT_ONCE = 2


def _upload_mode_asks(
    api: HfApi, space_id: str, adds: list[CommitOperationAdd]
) -> list[Callable[[], None]]:
    """Each file's upload mode (regular, LFS/Xet), as one request per 256 files, to send at once
    where huggingface_hub asks one chunk after another: a 2,000-file deploy waits four round
    trips to the Hub instead of eight (bench/results.md, "First deploys on two links"). preupload_lfs_files
    then asks for none (it skips operations whose mode is set) and uploads the large files. The
    helper is huggingface_hub's own, private: its preupload has no public per-chunk call. Once the
    Hub has answered, each file's sample (its first 512 bytes, sent with the question) is dropped:
    nothing reads it again, and a 2,000-file deploy held 1 MiB of them to its end."""
    from huggingface_hub import constants
    from huggingface_hub._commit_api import _fetch_upload_modes

    headers = api._build_hf_headers()

    def ask(chunk: list[CommitOperationAdd]) -> Callable[[], None]:
        def asked() -> None:
            _fetch_upload_modes(
                additions=chunk,
                repo_type="space",
                repo_id=space_id,
                headers=headers,
                revision=constants.DEFAULT_REVISION,
                endpoint=api.endpoint,
                gitignore_content=NO_IGNORE_RULES,
            )
            for op in chunk:
                op.upload_info.sample = b""

        return asked

    return [ask(adds[i : i + PREUPLOAD_FILES]) for i in range(0, len(adds), PREUPLOAD_FILES)]


def _at_once(tasks: list[Callable[[], None]]) -> None:
    """Run `tasks`, up to AT_ONCE at a time; the first failure in their order raises, as it would
    in sequence."""
    if len(tasks) <= 1:
        for task in tasks:
            task()
        return
    with ThreadPoolExecutor(min(len(tasks), AT_ONCE)) as pool:
        for _ in pool.map(lambda task: task(), tasks):
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
