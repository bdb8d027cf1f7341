"""In-memory model of Hub repositories: files, git object ids, commits, Space settings.

Kept free of HTTP concerns so tests can inspect it directly through ``HubSim.repo()``.
"""

from __future__ import annotations

import hashlib
import os
import secrets as _secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .settings import ProtectedInfo

# Content above this size is spilled to disk so 300 MB benchmark uploads do not live in RAM.
SPILL_THRESHOLD = 1 << 20


def git_blob_oid(data: bytes) -> str:
    """Git blob sha1, the ``oid`` the Hub reports for regular files."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    """Git LFS pointer text; the Hub's blob oid of an LFS file is the blob sha1 of this text."""
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()
    )


def iso_now() -> str:
    """Timestamp formatted like the Hub (millisecond precision, trailing Z)."""
    return iso_at(time.time())


def iso_at(epoch: float) -> str:
    """Format a wall-clock epoch the way the Hub does."""
    dt = datetime.fromtimestamp(epoch, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def object_id() -> str:
    """24-hex id like the Hub's Mongo ``_id``."""
    return _secrets.token_hex(12)


class BlobStore:
    """Content-addressed storage for file bytes; large blobs live in a temp directory."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._mem: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put_bytes(self, key: str, data: bytes) -> None:
        if len(data) > SPILL_THRESHOLD:
            path = os.path.join(self.directory, key)
            if not os.path.exists(path):
                with open(path + ".tmp", "wb") as fh:
                    fh.write(data)
                os.replace(path + ".tmp", path)
        else:
            with self._lock:
                self._mem[key] = data

    def put_file(self, key: str, src_path: str) -> None:
        """Adopt a finished temp file (moved, never copied into RAM)."""
        os.replace(src_path, os.path.join(self.directory, key))

    def has(self, key: str) -> bool:
        return key in self._mem or os.path.exists(os.path.join(self.directory, key))

    def get(self, key: str) -> bytes:
        if key in self._mem:
            return self._mem[key]
        with open(os.path.join(self.directory, key), "rb") as fh:
            return fh.read()

    def head(self, key: str, n: int) -> bytes:
        """First ``n`` bytes without loading a large blob."""
        if key in self._mem:
            return self._mem[key][:n]
        with open(os.path.join(self.directory, key), "rb") as fh:
            return fh.read(n)


@dataclass(frozen=True)
class FileEntry:
    """One file of a tree. ``oid`` is the git blob sha1 (of the pointer for LFS files)."""

    oid: str
    size: int
    lfs_sha256: str | None
    store: BlobStore = field(repr=False, compare=False)
    key: str = field(repr=False, compare=False, default="")
    xet_hash: str | None = None  # set when the content reached the Xet CAS

    @property
    def content(self) -> bytes:
        return self.store.get(self.key)

    def head(self, n: int = 4096) -> bytes:
        return self.store.head(self.key, n)

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


@dataclass
class Commit:
    oid: str
    title: str
    message: str
    parent: str | None
    author: str
    date: str
    files: dict[str, FileEntry]


@dataclass
class Repo:
    """State of one repository. Space-only fields are unused for models/datasets."""

    repo_id: str
    repo_type: str
    private: bool
    sdk: str | None
    created_at: str
    mongo_id: str = field(default_factory=object_id)
    files: dict[str, FileEntry] = field(default_factory=dict)
    commits: list[Commit] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    secret_meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    hardware: str = "cpu-basic"
    sleep_time: int | None = None
    protected: bool = False  # Spaces: the app is public, the repository is not (PRO)
    space: Any = None  # lifecycle.SpaceRuntimeState, set for Spaces
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def owner(self) -> str:
        return self.repo_id.split("/", 1)[0]

    def shown_visibility(self, shape: ProtectedInfo) -> dict[str, Any]:
        """The visibility keys of this repo's info under `shape`."""
        private = self.private
        if self.protected:
            private = shape in (ProtectedInfo.AS_PRIVATE, ProtectedInfo.FIELD_AS_PRIVATE)
        shown: dict[str, Any] = {"private": private}
        if shape.field:
            shown["visibility"] = (
                "protected" if self.protected else "private" if self.private else "public"
            )
        return shown

    @property
    def name(self) -> str:
        return self.repo_id.split("/", 1)[1]

    @property
    def head(self) -> str | None:
        return self.commits[-1].oid if self.commits else None

    @property
    def last_modified(self) -> str:
        return self.commits[-1].date if self.commits else self.created_at

    @property
    def stage(self) -> str | None:
        """Current Space stage as the runtime endpoint would report it now."""
        return self.space.runtime_view()["stage"] if self.space is not None else None

    @property
    def subdomain(self) -> str:
        return subdomain_for(self.repo_id)

    def resolve(self, rev: str) -> Commit | None:
        """``main`` or a (prefix of a) commit sha; None when unknown."""
        if rev in ("main", "HEAD", "refs/heads/main"):
            return self.commits[-1] if self.commits else None
        for c in reversed(self.commits):
            if len(rev) >= 7 and c.oid.startswith(rev):
                return c
        return None

    def used_storage(self) -> int:
        return sum(f.size for f in self.files.values())


def subdomain_for(repo_id: str) -> str:
    """``owner-name`` lower-cased with ``_`` and ``.`` replaced by ``-`` (the Hub's scheme)."""
    return repo_id.replace("/", "-").replace("_", "-").replace(".", "-").lower()


def tree_oid(paths: list[tuple[str, str]]) -> str:
    """Deterministic 40-hex id of a directory listing (path, oid) pairs."""
    h = hashlib.sha1(b"tree\0", usedforsecurity=False)
    for path, oid in sorted(paths):
        h.update(f"{path}\0{oid}\n".encode())
    return h.hexdigest()


_counter_lock = threading.Lock()
_counter = [0]


def commit_oid(files: dict[str, FileEntry], parent: str | None, message: str) -> str:
    """Real-ish commit sha1 of tree, parent, message and a process-wide counter (never repeats)."""
    with _counter_lock:
        _counter[0] += 1
        n = _counter[0]
    tree = tree_oid([(p, f.oid) for p, f in files.items()])
    raw = f"tree {tree}\nparent {parent}\n\n{message}\n{n}\n{time.time_ns()}".encode()
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()
