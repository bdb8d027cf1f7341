"""Write path: preupload (regular vs LFS decision) and the NDJSON commit endpoint."""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
from typing import TYPE_CHECKING, Any

from .access import load_repo, repo_url
from .errors import HubError, bad_request, entry_not_found, revision_not_found
from .state import FileEntry, Repo, git_blob_oid, lfs_pointer
from .web import Request, Response, Url, json_response

if TYPE_CHECKING:
    from .model import Hub

LFS_THRESHOLD = 10 * 1024 * 1024
COMMIT_FORBIDDEN = "Forbidden: pass create_pr=1 as a query parameter to create a Pull Request"
STALE_PARENT = "A commit has happened since. Please refresh and try again."
_TEXT_BYTES = bytes(range(32, 256)) + b"\t\n\r\f\b\x1b"


def _lfs_patterns(repo: Repo, extra: str | None) -> list[str]:
    texts = [extra or ""]
    entry = repo.files.get(".gitattributes")
    if entry is not None:
        texts.append(entry.text())
    patterns = []
    for text in texts:
        for line in text.splitlines():
            parts = line.split()
            if len(parts) > 1 and "filter=lfs" in parts[1:]:
                patterns.append(parts[0])
    return patterns


def _matches(path: str, pattern: str) -> bool:
    if "/" not in pattern:
        return fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern)
    return fnmatch.fnmatchcase(path, pattern.lstrip("/").replace("**/", "*"))


def _is_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    return bool(sample) and len(sample.translate(None, _TEXT_BYTES)) / len(sample) > 0.3


def upload_mode(
    repo: Repo, path: str, sample: bytes, size: int, gitattributes: str | None = None
) -> str:
    """LFS when > 10 MiB, binary sample, or matched by a ``filter=lfs`` pattern; else regular."""
    if size > LFS_THRESHOLD or _is_binary(sample):
        return "lfs"
    if any(_matches(path, p) for p in _lfs_patterns(repo, gitattributes)):
        return "lfs"
    return "regular"


def _check_rev(repo: Repo, rev: str) -> None:
    if rev not in ("main", "refs/heads/main"):
        raise revision_not_found(rev)


def preupload(hub: Hub, req: Request) -> Response:
    repo = load_repo(hub, req, write=COMMIT_FORBIDDEN)
    _check_rev(repo, req.params["rev"])
    body = req.json()
    out = []
    # Like the Hub: the request's gitIgnore if given, else the repo's root .gitignore, decides shouldIgnore.
    # Whether the Hub reads an empty gitIgnore as "no rules" is undocumented: take the other reading (a
    # falsy value counts as absent), so a client relying on "" is caught here rather than in production.
    if body.get("gitIgnore"):
        ignore_text = body["gitIgnore"]
    else:
        stored_ignore = repo.files.get(".gitignore")
        ignore_text = stored_ignore.text() if stored_ignore is not None else ""
    ignored = _gitignore_matcher(ignore_text)
    for f in body.get("files") or []:
        try:
            sample = base64.b64decode(f.get("sample") or "")
        except (binascii.Error, ValueError):
            raise bad_request("Invalid base64 sample") from None
        path, size = f["path"], int(f.get("size") or 0)
        mode = upload_mode(repo, path, sample, size, body.get("gitAttributes"))
        item: dict[str, Any] = {"path": path, "uploadMode": mode, "shouldIgnore": ignored(path)}
        stored = repo.files.get(path)
        if stored is not None:
            # The client compares sha256 for LFS files and the git blob sha1 for regular ones.
            item["oid"] = stored.lfs_sha256 if (mode == "lfs" and stored.lfs_sha256) else stored.oid
        out.append(item)
    return json_response({"files": out, "commitOid": repo.head})


def _gitignore_matcher(text: str):
    """A small .gitignore subset: `name`, `*.ext`, `dir/`, `a/b*`; `#` comments; `!` lines are skipped."""
    patterns = [
        p.strip() for p in text.splitlines() if p.strip() and not p.strip().startswith(("#", "!"))
    ]

    def ignored(path: str) -> bool:
        parts = path.split("/")
        for pat in patterns:
            dir_only, pat = pat.endswith("/"), pat.strip("/")
            candidates = parts[:-1] if dir_only else parts
            if "/" in pat:
                if fnmatch.fnmatchcase(path, pat) or path.startswith(pat + "/"):
                    return True
            elif any(fnmatch.fnmatchcase(part, pat) for part in candidates):
                return True
        return False

    return ignored


def _parse_ndjson(raw: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    header: dict[str, Any] | None = None
    ops: list[dict[str, Any]] = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            raise bad_request("Invalid NDJSON line in commit payload") from None
        if item.get("key") == "header":
            header = item.get("value") or {}
        else:
            ops.append(item)
    if header is None:
        raise bad_request("Missing header line in commit payload")
    return header, ops


def _apply_ops(hub: Hub, repo: Repo, ops: list[dict[str, Any]]) -> dict[str, FileEntry]:
    files = dict(repo.files)
    for op in ops:
        key, value = op.get("key"), op.get("value") or {}
        path = str(value.get("path", "")).lstrip("/")
        if key == "file":
            if value.get("encoding", "base64") != "base64":
                raise bad_request("Only base64 encoding is supported")
            try:
                data = base64.b64decode(value.get("content") or "")
            except (binascii.Error, ValueError):
                raise bad_request(f"Invalid base64 content for {path}") from None
            files[path] = hub.store_regular(data)
        elif key == "lfsFile":
            files[path] = _lfs_entry(hub, repo, path, value)
        elif key == "deletedFile":
            if path not in files:
                raise entry_not_found(f"A file with this name doesn't exist: {path}")
            del files[path]
        elif key == "deletedFolder":
            prefix = path.rstrip("/") + "/"
            doomed = [p for p in files if p.startswith(prefix)]
            if not doomed:
                raise entry_not_found(f"A folder with this name doesn't exist: {path}")
            for p in doomed:
                del files[p]
        else:
            raise bad_request(f"Unsupported commit operation: {key}")
    return files


def _lfs_entry(hub: Hub, repo: Repo, path: str, value: dict[str, Any]) -> FileEntry:
    """An ``lfsFile`` names content by sha256: it must have reached classic LFS or the Xet CAS.
    Without ``size`` it is a copy (huggingface_hub's CommitOperationCopy of an LFS file sends only
    the oid): the object must already belong to this repository, in any of its commits."""
    oid, size = value.get("oid"), value.get("size")
    if size is None and isinstance(oid, str):
        stored = _stored_lfs(repo, oid)
        if stored is not None:
            return stored
    elif value.get("algo", "sha256") == "sha256" and isinstance(oid, str):
        pointer = git_blob_oid(lfs_pointer(oid, size or 0))
        if hub.lfs_objects.get(oid, hub.pending_lfs.get(oid)) == size:
            return FileEntry(pointer, size, oid, hub.blobs, "lfs-" + oid)
        xet_file = hub.xet.lookup(oid, size)
        if xet_file is not None:
            return FileEntry(pointer, xet_file.size, oid, hub.xet_blobs, oid, xet_file.xet_hash)
    raise HubError(
        422,
        f"Your push was rejected because an LFS pointer pointed to a file that "
        f"does not exist: {path} ({oid})",
    )


def _stored_lfs(repo: Repo, oid: str) -> FileEntry | None:
    """The repository's own LFS object with this sha256 (what a server-side copy reuses)."""
    for commit in reversed(repo.commits):
        for entry in commit.files.values():
            if entry.lfs_sha256 == oid:
                return entry
    return None


def commit(hub: Hub, req: Request) -> Response:
    repo = load_repo(hub, req, write=COMMIT_FORBIDDEN)
    _check_rev(repo, req.params["rev"])
    if req.query.get("create_pr") in ("1", "true"):
        raise bad_request("hubsim does not simulate pull requests (create_pr=1)")
    if not req.headers.get("Content-Type", "").startswith("application/x-ndjson"):
        # The Hub reads the payload by its type (huggingface_hub issue #1085: NDJSON, as the
        # library sends it); the older JSON form is not simulated, so any other type is refused.
        raise bad_request("hubsim reads a commit as NDJSON: send Content-Type application/x-ndjson")
    header, ops = _parse_ndjson(req.body())
    with repo.lock:
        parent = header.get("parentCommit")
        if parent and parent != repo.head:
            raise HubError(412, STALE_PARENT)
        files = _apply_ops(hub, repo, ops)
        summary = header.get("summary") or "Update"
        new = hub.apply_commit(
            repo,
            files,
            summary,
            header.get("description") or "",
            req.principal.user if req.principal else "user",
        )
    return json_response(
        {
            "success": True,
            "commitOid": new.oid,
            "commitUrl": f"{repo_url(req, repo)}/commit/{new.oid}",
            "hookOutput": "",
        }
    )


URLS: tuple[Url, ...] = (
    ("POST", "/api/{type}s/{repo}/preupload/{rev}", preupload),
    ("POST", "/api/{type}s/{repo}/commit/{rev}", commit),
)
