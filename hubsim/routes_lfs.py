"""Git LFS batch API (basic transfer) with upload and verify hrefs pointing back at the simulator.

Uploads are streamed to a temp file while hashing, so 300 MB bodies never sit in RAM.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from typing import TYPE_CHECKING

from .access import load_repo
from .errors import HubError, bad_request
from .web import Request, Response, Url, json_response

if TYPE_CHECKING:
    from .model import Hub

LFS_JSON = "application/vnd.git-lfs+json"


def batch(hub: Hub, req: Request) -> Response:
    rtype = {"spaces/": "space", "datasets/": "dataset", "kernels/": "kernel"}.get(
        req.params.get("prefix", ""), "model"
    )
    load_repo(
        hub, req, write="Forbidden: you don't have write access to this repository", repo_type=rtype
    )
    body = req.json()
    if body.get("operation") != "upload":
        raise bad_request("hubsim only supports the upload operation")
    if "basic" not in (body.get("transfers") or ["basic"]):
        raise bad_request("hubsim only supports the basic transfer")
    objects = []
    for obj in body.get("objects") or []:
        oid, size = obj.get("oid"), obj.get("size")
        if not isinstance(oid, str) or len(oid) != 64 or not isinstance(size, int):
            objects.append(
                {
                    "oid": str(oid),
                    "size": int(size or 0),
                    "error": {"code": 422, "message": "Invalid object"},
                }
            )
            continue
        entry = {"oid": oid, "size": size, "authenticated": True}
        if hub.lfs_objects.get(oid) != size:
            entry["actions"] = {
                "upload": {
                    "href": f"{req.base_url}/lfs-upload/{oid}?size={size}",
                    "header": {},
                    "expires_in": 86400,
                },
                "verify": {
                    "href": f"{req.base_url}/lfs-verify/{oid}",
                    "header": {},
                    "expires_in": 86400,
                },
            }
        objects.append(entry)
    resp = json_response({"transfer": "basic", "objects": objects, "hash_algo": "sha256"})
    resp.content_type = LFS_JSON
    return resp


def upload(hub: Hub, req: Request) -> Response:
    oid = req.params["oid"]
    fd, tmp = tempfile.mkstemp(dir=hub.blobs.directory, prefix="upload-")
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in req.iter_body():
                digest.update(chunk)
                fh.write(chunk)
                size += len(chunk)
        if digest.hexdigest() != oid:
            raise HubError(400, f"sha256 mismatch: expected {oid}, got {digest.hexdigest()}")
        hub.blobs.put_file("lfs-" + oid, tmp)
        hub.pending_lfs[oid] = size
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return Response(200, b"", "text/plain; charset=utf-8")


def verify(hub: Hub, req: Request) -> Response:
    oid = req.params["oid"]
    body = req.json()
    size = hub.pending_lfs.get(oid, hub.lfs_objects.get(oid))
    if size is None or body.get("oid") != oid or body.get("size") != size:
        raise HubError(404, f"Object {oid} not found or size mismatch")
    hub.lfs_objects[oid] = size
    hub.pending_lfs.pop(oid, None)
    return json_response({"success": True})


URLS: tuple[Url, ...] = (
    ("POST", "/{prefix}{repo}.git/info/lfs/objects/batch", batch),
    ("PUT", "/lfs-upload/{oid}", upload),
    ("POST", "/lfs-verify/{oid}", verify),
)
