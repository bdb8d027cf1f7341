"""Compare what is on disk with what the Space holds, by content id, reading as little as possible.

Order of evidence, cheapest first: the git index's blob id; the size (a different size is a change);
only then hashing: git's blob sha1 against a regular file, sha256 against an LFS file.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from hf_action import blobmap
from hf_action.blobmap import BlobMap
from hf_action.errors import ActionError
from hf_action.local.files import LocalFile, read_lfs_pointer

CHUNK = 1 << 20
KEEP_REMOTE = (".gitattributes",)


@dataclass(frozen=True)
class RemoteFile:
    path: str
    oid: str  # git blob id (of the LFS pointer for LFS files)
    size: int
    lfs_sha256: str | None = None


class ChangeKind(StrEnum):
    NEW = "new"
    CHANGED = "changed"


@dataclass(slots=True)  # slots: one a file of a first deploy
class Change:
    file: LocalFile
    kind: ChangeKind


@dataclass
class Plan:
    head: str | None
    add: list[Change] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unchanged: int = 0
    hashed_bytes: int = 0
    # path -> (git blob id, sha256) of large files whose two ids we know: written into the commit
    blob_ids: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.add and not self.delete

    @property
    def upload_bytes(self) -> int:
        return sum(c.file.size for c in self.add)


def blob_sha1(file: LocalFile) -> str:
    h = hashlib.sha1(f"blob {file.size}\0".encode(), usedforsecurity=False)  # git's object id
    for chunk in _chunks(file):
        h.update(chunk)
    return h.hexdigest()


def content_sha256(file: LocalFile) -> str:
    h = hashlib.sha256()
    for chunk in _chunks(file):
        h.update(chunk)
    return h.hexdigest()


def _chunks(file: LocalFile) -> Iterator[bytes]:
    if file.content is not None:
        yield file.content
        return
    assert file.abs_path is not None
    with open(file.abs_path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _same(file: LocalFile, remote: RemoteFile, plan: Plan, blob_map: Callable[[], BlobMap]) -> bool:
    if file.git_oid is not None and file.git_oid == remote.oid:
        return True
    pointer = read_lfs_pointer(file)
    if pointer is not None:
        if remote.lfs_sha256 == pointer[0]:
            return True
        raise _pointer_error(file.path)
    if remote.lfs_sha256 is not None:
        if file.size != remote.size:
            return False
        if file.git_oid is not None and file.size >= blobmap.MIN_SIZE:
            # Only such files are in the map (see below): for a smaller one the request cannot help.
            known = blob_map().get(file.path)
            if known is not None and known[1] == remote.lfs_sha256:
                # The last deploy recorded which git blob that LFS content was: no need to read it.
                if known[0] == file.git_oid:
                    plan.blob_ids[file.path] = known
                    return True
                return False
        plan.hashed_bytes += file.size
        sha = content_sha256(file)
        if file.git_oid is not None and file.size >= blobmap.MIN_SIZE:
            plan.blob_ids[file.path] = (file.git_oid, sha)
        return sha == remote.lfs_sha256
    if file.size != remote.size:
        return False
    plan.hashed_bytes += file.size
    return blob_sha1(file) == remote.oid


def _pointer_error(path: str) -> ActionError:
    return ActionError(
        f"'{path}' is a Git LFS pointer, not the file's content, and the Space does not have that content.",
        "Check out with LFS content: in actions/checkout set 'lfs: true' (or run 'git lfs pull' before this step).",
        title="Git LFS pointer in the workspace",
    )


def make_plan(
    local: dict[str, LocalFile],
    remote: dict[str, RemoteFile],
    head: str | None,
    *,
    delete_removed: bool,
    protected: Callable[[str], bool] = lambda path: False,
    blob_map: Callable[[], BlobMap] = dict,
) -> Plan:
    plan = Plan(head=head)
    blob_map = functools.cache(blob_map)  # fetched at most once, and only if a comparison needs it
    for path, file in local.items():
        theirs = remote.get(path)
        if theirs is None:
            if read_lfs_pointer(file) is not None:
                raise _pointer_error(path)
            plan.add.append(Change(file, ChangeKind.NEW))
        elif _same(file, theirs, plan, blob_map):
            plan.unchanged += 1
        else:
            plan.add.append(Change(file, ChangeKind.CHANGED))
    for path in sorted(set(remote) - set(local)):
        if path in KEEP_REMOTE or protected(path) or not delete_removed:
            plan.kept.append(path)
        else:
            plan.delete.append(path)
    return plan


@dataclass(frozen=True)
class Restore:
    """What makes the Space's files equal an earlier revision's (a rollback): the revision's files
    that differ from the head's or are missing there, copied from it; the head's others, deleted."""

    head: str | None
    copy: tuple[RemoteFile, ...]
    delete: tuple[str, ...]
    unchanged: int
    added: tuple[str, ...] = ()  # of the copies, those the head does not have

    @property
    def empty(self) -> bool:
        return not self.copy and not self.delete

    @property
    def resend_bytes(self) -> int:
        """A regular file's copy goes again inside the commit; an LFS or Xet file's is by reference."""
        return sum(f.size for f in self.copy if f.lfs_sha256 is None)


def plan_restore(
    current: dict[str, RemoteFile], target: dict[str, RemoteFile], head: str | None
) -> Restore:
    """Compared by blob id: for an LFS file it is the pointer's, so equal ids mean equal content."""
    copy = tuple(f for path, f in sorted(target.items()) if _differs(current.get(path), f))
    added = tuple(f.path for f in copy if f.path not in current)
    delete = tuple(sorted(set(current) - set(target)))
    return Restore(head, copy, delete, len(target) - len(copy), added)


def _differs(now: RemoteFile | None, then: RemoteFile) -> bool:
    return now is None or now.oid != then.oid
