"""What is on disk to deploy: walk the folder, apply excludes, and refuse anything outside the workspace."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import Enum, auto
from pathlib import Path

from hf_action.excludes import Excludes, Place, excludes, place

LFS_POINTER_MAX = 1024
LFS_POINTER_RE = re.compile(
    rb"^version https://git-lfs\.github\.com/spec/v1\noid sha256:([0-9a-f]{64})\nsize (\d+)\n"
)


@dataclass(slots=True)  # slots: a run makes thousands
class LocalFile:
    path: str  # posix path in the Space
    abs_path: str | None  # None for generated content (the card); a str: a run makes thousands
    size: int
    git_oid: str | None = None  # blob id the git index vouches for (file unmodified since checkout)
    content: bytes | None = None  # generated content, uploaded instead of abs_path
    # the walk's lstat, which git's stat check compares; dropped once it has (`read_files`: 19
    # objects a file, 1.4 MiB of a 2,000-file deploy's peak)
    stat: os.stat_result | None = None


class SkipKind(Enum):
    """Why a path is not uploaded; decides what happens to it on the Space, not just what the log says."""

    UNREADABLE = auto()  # kept on the Space: we cannot tell whether it changed
    BAD_NAME = auto()
    BROKEN_LINK = auto()
    OUTSIDE_WORKSPACE = auto()  # a symlink out of the workspace: warned about
    EXCLUDED_TARGET = auto()
    FOLDER_LINK = auto()  # kept on the Space: the folder is not followed
    NOT_A_FILE = auto()


@dataclass(frozen=True)
class Skipped:
    path: str
    kind: SkipKind
    reason: str  # for the log


def scan(
    root: Path, workspace: Path, patterns: tuple[str, ...]
) -> tuple[dict[str, LocalFile], list[Skipped]]:
    """Regular files under `root`; file symlinks are followed only when they resolve inside the workspace,
    folder symlinks are never followed (no loops, no escapes)."""
    rules = excludes(patterns)  # the walk asks each entry alone: its parent folders on the way down
    files: dict[str, LocalFile] = {}
    skipped: list[Skipped] = []
    stack = [(str(root), "")]  # str paths: a Path per entry costs more than the walk's lstat
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            skipped.append(
                Skipped(prefix or ".", SkipKind.UNREADABLE, f"cannot be read ({exc.strerror})")
            )
            continue
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            if "\\" in entry.name or not entry.name.isprintable():
                skipped.append(Skipped(rel, SkipKind.BAD_NAME, "has a name the Hub cannot store"))
                continue
            try:
                if entry.is_symlink():
                    _add_symlink(entry, rel, root, workspace, rules, files, skipped)
                elif entry.is_dir(follow_symlinks=False):
                    if not rules.hit(rel, True):
                        stack.append((entry.path, rel + "/"))
                elif entry.is_file(follow_symlinks=False) and not rules.hit(rel, False):
                    st = entry.stat(follow_symlinks=False)
                    files[rel] = LocalFile(rel, entry.path, st.st_size, stat=st)
            except OSError as exc:
                skipped.append(
                    Skipped(rel, SkipKind.UNREADABLE, f"cannot be read ({exc.strerror})")
                )
    return dict(sorted(files.items())), sorted(skipped, key=lambda s: s.path)


def _add_symlink(
    entry: os.DirEntry[str],
    rel: str,
    root: Path,
    workspace: Path,
    rules: Excludes,
    files: dict[str, LocalFile],
    skipped: list[Skipped],
) -> None:
    if rules.covers(rel, False):
        return
    try:
        target = Path(entry.path).resolve(strict=True)
    except (OSError, RuntimeError):
        skipped.append(Skipped(rel, SkipKind.BROKEN_LINK, "is a broken or looping symlink"))
        return
    where = place(workspace, target, target.is_dir())
    if where is Place.OUTSIDE:
        skipped.append(
            Skipped(
                rel, SkipKind.OUTSIDE_WORKSPACE, "is a symlink that points outside the workspace"
            )
        )
    elif where is Place.SEALED or (
        root in target.parents and rules.covers(target.relative_to(root).as_posix(), False)
    ):
        # e.g. a link to .git/config (which holds the checkout's token) or to an excluded .env
        skipped.append(
            Skipped(
                rel,
                SkipKind.EXCLUDED_TARGET,
                "is a symlink to a file that is excluded (or inside .git)",
            )
        )
    elif target.is_dir():
        skipped.append(
            Skipped(rel, SkipKind.FOLDER_LINK, "is a symlink to a folder (not followed)")
        )
    elif target.is_file():
        files[rel] = LocalFile(rel, str(target), target.stat().st_size)
    else:
        skipped.append(
            Skipped(rel, SkipKind.NOT_A_FILE, "is a symlink to something that is not a file")
        )


def read_lfs_pointer(file: LocalFile) -> tuple[str, int] | None:
    """(sha256, size) when the file is a git-lfs pointer, i.e. checkout ran without `lfs: true`."""
    if file.content is not None or file.abs_path is None or file.size > LFS_POINTER_MAX:
        return None
    with open(file.abs_path, "rb") as fh:
        match = LFS_POINTER_RE.match(fh.read(LFS_POINTER_MAX + 1))
    return (match.group(1).decode(), int(match.group(2))) if match else None
