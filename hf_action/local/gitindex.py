"""Blob ids that git already computed, so unchanged files are never read or hashed again.

Read from git's index file with dulwich (no git binary in the image): an entry is vouched for only
when the file's stat (the caller's walk took it: one lstat per file) still matches what git recorded
(as `git ls-files -m` judges it: mtime and ctime to the nanosecond, size, inode, owner) and git would
not re-read it as "racily clean" (modified in the same instant the index was written). Anything the
index cannot vouch for is hashed by the caller.
"""

from __future__ import annotations

import io
import os
import stat
import struct
from collections.abc import Iterator, Mapping
from pathlib import Path

from dulwich.index import SerializedIndexEntry, UnsupportedIndexFormat, read_index

_U32 = 1 << 32


def known_blob_ids(root: Path, stats: Mapping[str, os.stat_result]) -> dict[str, str]:
    """Path (relative to `root`, posix) -> blob id, for tracked regular files unmodified since checkout.
    `stats`: the lstat of each file under `root` that may be vouched for, by the same relative path."""
    found = _find_index(root)
    if found is None:
        return {}
    index_path, prefix = found
    try:
        return dict(_vouched(index_path, stats, prefix))
    except (OSError, ValueError, AssertionError, LookupError, struct.error, UnsupportedIndexFormat):
        # An index dulwich cannot read (another version, a damaged file): hash everything.
        return {}


def _find_index(root: Path) -> tuple[Path, str] | None:
    """The index of the repository holding `root`, and `root`'s path inside it ('' or 'sub/dir/');
    None when there is none, or when its blob ids would not be the Hub's (SHA-256 repositories,
    split indexes whose entries live in another file)."""
    top = root
    while True:
        dotgit = top / ".git"
        if dotgit.is_dir():
            git_dir = dotgit
            break
        if dotgit.is_file():  # a worktree or submodule: "gitdir: <path>"
            try:
                line = dotgit.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                return None
            if not line.startswith("gitdir:"):
                return None
            git_dir = top / line.removeprefix("gitdir:").strip()
            break
        if top.parent == top:
            return None
        top = top.parent
    try:
        config = (_common_dir(git_dir) / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        config = ""
    if "objectformat" in config.lower().replace(" ", "") or any(git_dir.glob("sharedindex.*")):
        return None
    rel = root.relative_to(top).as_posix()
    return git_dir / "index", "" if rel == "." else rel + "/"


def _common_dir(git_dir: Path) -> Path:
    """Where a linked worktree keeps the repository's config (its `commondir` file), else git_dir."""
    try:
        common = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return git_dir
    return git_dir / common


def _vouched(
    index_path: Path, stats: Mapping[str, os.stat_result], prefix: str
) -> Iterator[tuple[str, str]]:
    with index_path.open("rb") as f:
        written = _stamp(os.fstat(f.fileno()).st_mtime_ns)
        data = io.BytesIO(f.read())  # one read: dulwich asks the file for its position per entry
    for entry in read_index(data):
        name = entry.name.decode("utf-8", "surrogateescape")
        if not name.startswith(prefix):
            continue  # outside `root`
        st = stats.get(name[len(prefix) :])
        if st is not None and _unchanged(st, entry, written):
            yield name[len(prefix) :], entry.sha.decode("ascii")


def _unchanged(
    st: os.stat_result, entry: SerializedIndexEntry, index_written: tuple[int, int]
) -> bool:
    """Git's stat check (read-cache.c `match_stat_data`, core.trustctime and core.checkStat at their
    defaults), plus its racy-entry rule: a file modified no earlier than the index was written may
    have changed within the timestamp's resolution, so git re-reads it, and so do we (we hash it).
    Symlinks and submodules are not regular files, and the entries of an unresolved merge carry no
    stat data: none of them ever matches."""
    mtime = _stamp(st.st_mtime_ns)
    return (
        stat.S_ISREG(st.st_mode)
        and (st.st_size % _U32, st.st_ino % _U32, st.st_uid, st.st_gid)
        == (entry.size, entry.ino, entry.uid, entry.gid)  # 32-bit fields in the index
        and mtime == _pair(entry.mtime)
        and _stamp(st.st_ctime_ns) == _pair(entry.ctime)
        and mtime < index_written
    )


def _stamp(ns: int) -> tuple[int, int]:
    """A stat time as the index stores it: 32-bit seconds, nanoseconds."""
    sec, nsec = divmod(ns, 1_000_000_000)
    return sec % _U32, nsec


def _pair(t: int | float | tuple[int, int]) -> tuple[int, int]:
    """dulwich's entry time: (seconds, nanoseconds) as read from the index."""
    return t if isinstance(t, tuple) else _stamp(int(t * 1_000_000_000))
