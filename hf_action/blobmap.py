"""Content ids of large files, carried from one deploy commit to the next.

git knows a plain (non-LFS) file only by its blob sha1; the Hub knows an LFS file only by its sha256.
Without a bridge, every redeploy would re-read every large file to compare them. Each deploy commit
therefore records, as trailer lines, `path -> (git blob id, sha256)` for its large files; the next deploy
reads that one commit message (hub/tree.py fetches it), and only when a comparison needs it.
"""

from __future__ import annotations

import re

TRAILER = "Hf-Deploy-Blob"
MIN_SIZE = (
    10 << 20
)  # the LFS threshold: smaller files are cheap to hash; keep the commit message short
MAX_ENTRIES = 2000
_LINE = re.compile(rf"^{TRAILER}: ([0-9a-f]{{40}}) ([0-9a-f]{{64}}) (.+)$", re.M)

BlobMap = dict[str, tuple[str, str]]  # path -> (git blob id, sha256)


def render(entries: BlobMap) -> str:
    lines = [
        f"{TRAILER}: {oid} {sha} {path}"
        for path, (oid, sha) in sorted(entries.items())[:MAX_ENTRIES]
    ]
    return "\n".join(lines)


def parse(message: str) -> BlobMap:
    return {m.group(3): (m.group(1), m.group(2)) for m in _LINE.finditer(message or "")}
