"""Blob ids that git already computed, so unchanged files are never read or hashed again.

The index vouches for a file only when git says the working copy still matches it (not in `ls-files -m`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def _git(args: list[str], cwd: Path) -> bytes | None:
    env = {
        **os.environ,
        # The workspace belongs to the runner's user, not the container's root.
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "safe.directory",
        "GIT_CONFIG_VALUE_0": "*",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_TERMINAL_PROMPT": "0",
    }
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, env=env, capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def known_blob_ids(root: Path) -> dict[str, str]:
    """Path (relative to `root`, posix) -> blob id, for tracked regular files unmodified since checkout."""
    if shutil.which("git") is None:
        return {}
    staged = _git(["ls-files", "-s", "-z"], root)
    if not staged:
        return {}
    modified = _git(["ls-files", "-m", "-d", "-z"], root)
    if modified is None:
        return {}
    dirty = {p.decode("utf-8", "surrogateescape") for p in modified.split(b"\0") if p}
    result: dict[str, str] = {}
    for record in staged.split(b"\0"):
        if not record:
            continue
        meta, _, path_b = record.partition(b"\t")
        mode, oid, stage = meta.decode().split(" ")
        path = path_b.decode("utf-8", "surrogateescape")
        if stage == "0" and mode in ("100644", "100755") and path not in dirty:
            result[path] = oid
    return result
