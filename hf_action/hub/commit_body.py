"""The commit request's NDJSON body, streamed one file at a time.

huggingface_hub builds the body whole before sending it: every small file's base64 at once, held
twice while the lines are joined (a 2,000-file Space: ~12 MB of base64, +24 MiB of peak memory;
bench/results.md, "First deploys on two links"). This sends the same bytes, line for line as
huggingface_hub's `_prepare_commit_payload` writes them (a test holds the two equal), reading each
file as its line goes out. The length is known before the first byte (base64's is 4 per 3 bytes),
so the request carries a Content-Length, as the library's does, not a chunked body; each iteration
starts afresh, so the retry transport may send it again.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from hf_action.hub.explain import changed_while_sent
from hf_action.hub.transport import ReplayableStream

if TYPE_CHECKING:
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    CommitOperation = CommitOperationAdd | CommitOperationDelete

#: Bytes of a file read per piece: a multiple of 3, so the pieces' base64 joins without padding.
PIECE = 3 * (1 << 16)
#: Lines are gathered into writes of about this size: a write per line made a 2,000-file body
#: 6,000 socket writes (115 ms on loopback, where the library's joined body took a few); 64 KiB
#: makes it ~220. The body is sent at the end of a small-file first deploy, when the process is
#: at its largest: writes of 256 KiB and pieces of 768 KiB held ~0.5 MiB more of its peak
#: (bench/results.md, "First deploys on two links").
SEND = 1 << 16


class CommitBody(ReplayableStream):
    def __init__(
        self,
        ops: Sequence[CommitOperation],
        summary: str,
        description: str,
        parent_commit: str | None,
    ) -> None:
        header: dict[str, str] = {"summary": summary, "description": description}
        if parent_commit is not None:
            header["parentCommit"] = parent_commit
        self._header = _line({"key": "header", "value": header})
        ignored = [op.path_in_repo for op in ops if getattr(op, "_should_ignore", False)]
        if ignored:  # the library leaves these out; the action tells the Hub to ignore nothing
            raise ValueError(f"{ignored[0]}: the Hub would ignore a planned file (its .gitignore)")
        self._ops = ops
        self.length = len(self._header) + sum(_length(op) for op in ops)

    def __iter__(self) -> Iterator[bytes]:
        gathered = bytearray()
        for piece in self._pieces():
            gathered += piece
            if len(gathered) >= SEND:
                yield bytes(gathered)
                gathered.clear()
        if gathered:
            yield bytes(gathered)

    def _pieces(self) -> Iterator[bytes]:
        from huggingface_hub import CommitOperationAdd

        yield self._header
        for op in self._ops:
            if isinstance(op, CommitOperationAdd) and op._upload_mode == "regular":
                head, tail = _file_line(op.path_in_repo)
                yield head
                yield from _base64(op)
                yield tail
            else:
                yield _other_line(op)


def _line(item: dict[str, object]) -> bytes:
    return json.dumps(item).encode() + b"\n"


def _file_line(path: str) -> tuple[bytes, bytes]:
    """A small file's line around its content: `{"key": "file", "value": {"content": "` … `", "path":
    …, "encoding": "base64"}}`, the keys in huggingface_hub's order (json.dumps keeps it)."""
    # `"path": …, "encoding": "base64"}`
    tail = json.dumps({"path": path, "encoding": "base64"})[1:]
    return b'{"key": "file", "value": {"content": "', ('", ' + tail + "}\n").encode()


def _other_line(op: CommitOperation) -> bytes:
    """An LFS (Xet) file's line, by its sha256 and size, or a deletion's."""
    from huggingface_hub import CommitOperationAdd

    if isinstance(op, CommitOperationAdd):
        if op._upload_mode != "lfs":
            raise ValueError(f"{op.path_in_repo}: no upload mode (the preupload was not asked)")
        return _line(
            {
                "key": "lfsFile",
                "value": {
                    "path": op.path_in_repo,
                    "algo": "sha256",
                    "oid": op.upload_info.sha256.hex(),
                    "size": op.upload_info.size,
                },
            }
        )
    key = "deletedFolder" if op.is_folder else "deletedFile"
    return _line({"key": key, "value": {"path": op.path_in_repo}})


def _length(op: CommitOperation) -> int:
    from huggingface_hub import CommitOperationAdd

    if isinstance(op, CommitOperationAdd) and op._upload_mode == "regular":
        head, tail = _file_line(op.path_in_repo)
        return len(head) + 4 * -(-op.upload_info.size // 3) + len(tail)
    return len(_other_line(op))


def _base64(op: CommitOperationAdd) -> Iterator[bytes]:
    """The file's base64, read a piece at a time; exactly the size measured when the operation was
    made (the Content-Length counts on it), or the deploy stops before the body is complete."""
    left = op.upload_info.size
    with op.as_file() as fh:
        while piece := fh.read(min(PIECE, left + 1)):
            if len(piece) > left:  # grown: not a byte past the length the request declared
                raise changed_while_sent(op.path_in_repo)
            left -= len(piece)
            yield base64.b64encode(piece)
    if left:  # shrunk
        raise changed_while_sent(op.path_in_repo)
