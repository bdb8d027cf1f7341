"""Repository endpoints: whoami, create/delete/settings, info, tree, commits, validate-yaml."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from . import frontmatter
from .access import load_repo, repo_url
from .errors import (
    HubError,
    bad_request,
    entry_not_found,
    forbidden,
    repo_not_found,
    revision_not_found,
)
from .lifecycle import runtime_json
from .model import Setting
from .state import Commit, FileEntry, Repo, lfs_pointer, subdomain_for, tree_oid
from .web import Request, Response, Url, json_response, text_response

if TYPE_CHECKING:
    from .model import Hub

REPO_TYPES = ("model", "dataset", "space")


def whoami(hub: Hub, req: Request) -> Response:
    who = req.principal
    if who is None or who.user is None:
        raise HubError(401, "Invalid credentials in Authorization header")
    answer = hub.auth.whoami(who)
    scoped = hub.oidc.lookup(who.token) if who.scope is not None and who.token else None
    return json_response(hub.oidc.whoami(scoped, answer) if scoped else answer)


def create_repo(hub: Hub, req: Request) -> Response:
    who, body = req.principal, req.json()
    if who is None or who.user is None:
        raise HubError(401, "Invalid username or password.")
    name, org = body.get("name"), body.get("organization") or who.user
    rtype = body.get("type") or "model"
    if not isinstance(name, str) or not name or rtype not in REPO_TYPES:
        raise bad_request("Invalid repo name or type")
    if not hub.auth.can_write(who, org):
        raise forbidden(
            f'You don\'t have the rights to create a {rtype} under the namespace "{org}"'
        )
    repo_id = f"{org}/{name}"
    if hub.repo(repo_id, rtype) is not None:
        url = f"{req.base_url}/{'' if rtype == 'model' else rtype + 's/'}{repo_id}"
        raise HubError(
            409, f"You already created this {rtype} repo", extra={"url": url}, header_message=False
        )
    sdk = body.get("sdk")
    if rtype == "space":
        hub.admit_space(repo_id, sdk, body.get("hardware"))
    visibility = body.get("visibility") or ("private" if body.get("private") else "public")
    repo = hub.create_repo(
        repo_id,
        repo_type=rtype,
        sdk=sdk,
        private=visibility == "private",
        hardware=body.get("hardware"),
        sleep_time=body.get("sleepTimeSeconds"),
    )
    repo.protected = visibility == "protected"
    for kind, items in (
        (Setting.SECRET, body.get("secrets")),
        (Setting.VARIABLE, body.get("variables")),
    ):
        for item in items or []:
            hub.put_setting(repo, kind, item, restart=False)
    return json_response({"url": repo_url(req, repo), "name": repo_id, "id": repo.mongo_id})


def delete_repo(hub: Hub, req: Request) -> Response:
    body = req.json()
    who = req.principal
    assert who is not None
    rtype = body.get("type") or "model"
    repo_id = f"{body.get('organization') or who.user}/{body.get('name')}"
    repo = hub.repo(repo_id, rtype)
    if repo is None or not hub.auth.can_read(who, repo.owner, repo.private):
        raise repo_not_found()
    if not hub.auth.can_write(who, repo.owner):
        raise forbidden("You don't have the rights to delete this repository")
    hub.delete_repo(rtype, repo_id)
    return text_response("OK")


def settings(hub: Hub, req: Request) -> Response:
    repo = load_repo(
        hub, req, write="You don't have the rights to change the settings of this repository"
    )
    body = req.json()
    if "private" in body:
        hub.set_visibility(repo, "private" if body["private"] else "public")
    if "visibility" in body:
        hub.set_visibility(repo, body["visibility"])
    return json_response({"private": repo.private})


def validate_yaml(hub: Hub, req: Request) -> Response:
    """400 + ``errors`` on YAML syntax errors (client raises ValueError); values unchecked."""
    content = req.json().get("content") or ""
    try:
        card = frontmatter.parse_readme(content)
    except frontmatter.FrontMatterError as exc:
        return json_response(
            {"errors": [{"message": f"Invalid YAML in README.md: {exc}"}], "warnings": []},
            400,
            {"X-Error-Message": "Invalid metadata in README.md"},
        )
    warnings = [] if card else [{"message": "Empty or missing yaml metadata in repo card"}]
    return json_response({"errors": [], "warnings": warnings})


def _commit_of(repo: Repo, rev: str) -> Commit:
    commit = repo.resolve(rev)
    if commit is None:
        raise revision_not_found(rev)
    return commit


def _card(commit: Commit) -> dict[str, Any] | None:
    readme = commit.files.get("README.md")
    if readme is None:
        return None
    try:
        return frontmatter.parse_readme(readme.text())
    except frontmatter.FrontMatterError:
        return None


def _siblings(commit: Commit, *, blobs: bool) -> list[dict[str, Any]]:
    """`?blobs=true` (files_metadata) adds blobId, size and lfs, as the Hub does."""
    if not blobs:
        return [{"rfilename": p} for p in sorted(commit.files)]
    out = []
    for path, entry in sorted(commit.files.items()):
        sibling: dict[str, Any] = {"rfilename": path, "blobId": entry.oid, "size": entry.size}
        if entry.lfs_sha256:
            pointer = lfs_pointer(entry.lfs_sha256, entry.size)
            sibling["lfs"] = {
                "sha256": entry.lfs_sha256,
                "size": entry.size,
                "pointerSize": len(pointer),
            }
        out.append(sibling)
    return out


def repo_info(hub: Hub, req: Request, repo: Repo, commit: Commit) -> dict[str, Any]:
    """Full info body; trimmed to ``_id``/``id`` + requested keys when ``expand`` is given."""
    card = _card(commit)
    info: dict[str, Any] = {
        "_id": repo.mongo_id,
        "id": repo.repo_id,
        "author": repo.owner,
        "sha": commit.oid,
        "lastModified": commit.date,
        **repo.shown_visibility(hub.settings.variants.protected_info),
        "disabled": False,
        "gated": False,
        "likes": 0,
        "tags": [t for t in [repo.sdk, "region:us"] if t],
        "cardData": card,
        "siblings": _siblings(
            commit,
            blobs=hub.settings.blobs_in_info
            and req.query.get("blobs", "").lower() in ("true", "1"),
        ),
        "createdAt": repo.created_at,
        "usedStorage": repo.used_storage(),
        "xetEnabled": hub.settings.xet,
    }
    if repo.repo_type == "space":
        info.update(
            {
                "sdk": repo.sdk,
                "subdomain": subdomain_for(repo.repo_id),
                "host": hub.settings.app_hosts.get(repo.repo_id)
                or (
                    f"{req.base_url}/_apps/{subdomain_for(repo.repo_id)}"
                    if hub.settings.serve_apps
                    else f"https://{subdomain_for(repo.repo_id)}.hf.space"
                ),
                "runtime": runtime_json(repo, hub.now()),
            }
        )
    else:
        info["downloads"] = 0
    expand = req.query_list.get("expand", []) + req.query_list.get("expand[]", [])
    if expand:
        return {"_id": info["_id"], "id": info["id"], **{k: info[k] for k in expand if k in info}}
    info.pop("xetEnabled")
    return info


def list_repos(hub: Hub, req: Request) -> Response:
    """``list_spaces(author=, search=)``: repos the caller can see, ``search`` a case-insensitive
    substring of the id as on the Hub; short items (no siblings), paginated with ``Link``."""
    who, rtype = req.principal, req.params["type"]
    assert who is not None
    author = req.query.get("author")
    search = (req.query.get("search") or "").lower()
    with hub.lock:
        repos = [r for (t, _), r in hub.repos.items() if t == rtype]
    items = [
        {
            "_id": r.mongo_id,
            "id": r.repo_id,
            "likes": 0,
            "trendingScore": 0,
            **r.shown_visibility(hub.settings.variants.protected_info),
            "tags": [t for t in [r.sdk, "region:us"] if t],
            "createdAt": r.created_at,
            **({"sdk": r.sdk} if rtype == "space" else {"downloads": 0}),
        }
        for r in sorted(repos, key=lambda r: r.repo_id)
        if (author is None or r.owner == author)
        and search in r.repo_id.lower()
        and hub.auth.can_read(who, r.owner, r.private)
    ]
    return _paginate(hub, req, items)


def info(hub: Hub, req: Request) -> Response:
    """The head's info; with ``variants.info_lag``, the previous head's for that many seconds
    after a commit."""
    repo = load_repo(hub, req)
    commit, lag = _commit_of(repo, "main"), hub.settings.variants.info_lag
    if lag > 0:
        shown = hub.clock.time() - lag
        older = [c for c in repo.commits if _epoch(c.date) <= shown]
        commit = older[-1] if older else repo.commits[0]
    return json_response(repo_info(hub, req, repo, commit))


def _epoch(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def revision_info(hub: Hub, req: Request) -> Response:
    repo = load_repo(hub, req)
    return json_response(repo_info(hub, req, repo, _commit_of(repo, req.params["rev"])))


def _paginate(hub: Hub, req: Request, items: list[Any]) -> Response:
    """Serve one page and a ``Link: <...>; rel="next"`` header like the Hub."""
    try:
        start = int(req.query.get("cursor", "0"))
    except ValueError:
        raise bad_request("Invalid cursor") from None
    size = hub.settings.page_size
    page = items[start : start + size]
    headers = {}
    if start + size < len(items):
        query = {k: v for k, v in req.query.items() if k != "cursor"}
        query["cursor"] = str(start + size)
        headers["Link"] = f'<{req.base_url}{req.path}?{urlencode(query)}>; rel="next"'
    return json_response(page, headers=headers)


def _file_item(path: str, f: FileEntry) -> dict[str, Any]:
    """One file as the tree and paths-info listings show it."""
    entry: dict[str, Any] = {"type": "file", "oid": f.oid, "size": f.size, "path": path}
    if f.lfs_sha256:
        entry["lfs"] = {
            "oid": f.lfs_sha256,
            "size": f.size,
            "pointerSize": len(lfs_pointer(f.lfs_sha256, f.size)),
        }
    if f.xet_hash:
        entry["xetHash"] = f.xet_hash
    return entry


def paths_info(hub: Hub, req: Request) -> Response:
    """``get_paths_info``: the form's ``paths`` that exist at ``rev`` (files, and folders as
    ``directory``), in the shape of the tree listing; missing paths are left out, not an error."""
    repo = load_repo(hub, req, files=True)
    commit = _commit_of(repo, req.params["rev"])
    form = parse_qs(req.body().decode(), keep_blank_values=True)
    out: list[dict[str, Any]] = []
    for path in form.get("paths", []):
        path = path.strip("/")
        entry = commit.files.get(path)
        if entry is not None:
            out.append(_file_item(path, entry))
            continue
        members = [(p, f.oid) for p, f in commit.files.items() if p.startswith(path + "/")]
        if members:
            out.append({"type": "directory", "oid": tree_oid(members), "size": 0, "path": path})
    return json_response(out)


def resolve(hub: Hub, req: Request) -> Response:
    """A file's bytes at a revision. A regular file is served at once (``ETag``: its git blob id);
    an LFS or Xet file redirects (302) to the storage's download, as the Hub redirects to its CDN,
    with ``X-Linked-Etag`` / ``X-Linked-Size`` (and ``X-Xet-Hash``) naming the content."""
    rtype = {"spaces/": "space", "datasets/": "dataset", "kernels/": "kernel"}.get(
        req.params.get("prefix", ""), "model"
    )
    repo = load_repo(hub, req, repo_type=rtype, files=True)
    commit = _commit_of(repo, req.params["rev"])
    path = req.params["path"]
    entry = commit.files.get(path)
    if entry is None:
        raise entry_not_found(path)
    headers = {"ETag": f'"{entry.oid}"', "X-Repo-Commit": commit.oid, "Accept-Ranges": "bytes"}
    if entry.lfs_sha256 is None:
        body = entry.content
        return Response(200, body, "application/octet-stream", headers)
    headers.update({"X-Linked-Etag": f'"{entry.lfs_sha256}"', "X-Linked-Size": str(entry.size)})
    if entry.xet_hash:
        headers["X-Xet-Hash"] = entry.xet_hash
    headers["Location"] = (
        f"{req.base_url}/lfs-download/{repo.repo_type}/{repo.repo_id}/{path}?rev={commit.oid}"
    )
    return Response(302, b"", "text/plain; charset=utf-8", headers)


def lfs_download(hub: Hub, req: Request) -> Response:
    """hubsim's stand-in for the CDN an LFS or Xet file's ``resolve/`` redirects to."""
    repo = hub.repo(req.params["repo"], req.params["rtype"])
    commit = repo.resolve(req.query.get("rev", "main")) if repo is not None else None
    entry = commit.files.get(req.params["path"]) if commit is not None else None
    if entry is None:
        raise entry_not_found(req.params["path"])
    return Response(
        200, entry.content, "application/octet-stream", {"ETag": f'"{entry.lfs_sha256}"'}
    )


def tree(hub: Hub, req: Request) -> Response:
    repo = load_repo(hub, req, files=True)
    commit = _commit_of(repo, req.params["rev"])
    base = req.params.get("path", "").strip("/")
    prefix = base + "/" if base else ""
    recursive = req.query.get("recursive", "false").lower() in ("true", "1")
    files = {p: f for p, f in commit.files.items() if p.startswith(prefix)}
    if base and not files:
        raise entry_not_found(base)
    dirs: dict[str, list[tuple[str, str]]] = {}
    entries: list[dict[str, Any]] = []
    for path, f in files.items():
        rel = path[len(prefix) :]
        parts = rel.split("/")
        for i in range(1, len(parts)):
            dirs.setdefault(prefix + "/".join(parts[:i]), []).append((path, f.oid))
        if recursive or len(parts) == 1:
            entries.append(_file_item(path, f))
    for d, members in dirs.items():
        if recursive or "/" not in d[len(prefix) :]:
            entries.append({"type": "directory", "oid": tree_oid(members), "size": 0, "path": d})
    entries.sort(key=lambda e: (e["type"] != "directory", e["path"]))
    return _paginate(hub, req, entries)


def commits(hub: Hub, req: Request) -> Response:
    repo = load_repo(hub, req)
    head = _commit_of(repo, req.params["rev"])
    chain, by_oid = [], {c.oid: c for c in repo.commits}
    cur: Commit | None = head
    while cur is not None:
        chain.append(
            {
                "id": cur.oid,
                "title": cur.title,
                "message": cur.message,
                "authors": [{"user": cur.author, "avatar": "/avatars/default.svg"}],
                "date": cur.date,
            }
        )
        cur = by_oid.get(cur.parent) if cur.parent else None
    return _paginate(hub, req, chain)


URLS: tuple[Url, ...] = (
    ("GET", "/api/whoami-v2", whoami),
    ("POST", "/api/repos/create", create_repo),
    ("DELETE", "/api/repos/delete", delete_repo),
    ("PUT", "/api/{type}s/{repo}/settings", settings),
    ("POST", "/api/validate-yaml", validate_yaml),
    ("GET", "/api/{type}s", list_repos),
    ("GET", "/api/{type}s/{repo}", info),
    ("GET", "/api/{type}s/{repo}/revision/{rev}", revision_info),
    ("POST", "/api/{type}s/{repo}/paths-info/{rev}", paths_info),
    ("HEAD", "/{prefix}{repo}/resolve/{rev}/{path}", resolve),
    ("GET", "/{prefix}{repo}/resolve/{rev}/{path}", resolve),
    ("HEAD", "/lfs-download/{rtype}/{repo}/{path}", lfs_download),
    ("GET", "/lfs-download/{rtype}/{repo}/{path}", lfs_download),
    ("GET", "/api/{type}s/{repo}/tree/{rev}/{path}", tree),
    ("GET", "/api/{type}s/{repo}/tree/{rev}", tree),
    ("GET", "/api/{type}s/{repo}/commits/{rev}", commits),
)
