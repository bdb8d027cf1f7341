"""Repo lookup with the Hub's visibility rules: invisible repos are 404 RepoNotFound, not 403."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import HubError, forbidden, repo_not_found
from .state import Repo

if TYPE_CHECKING:
    from .model import Hub
    from .web import Request


def repo_url(req: Request, repo: Repo) -> str:
    prefix = "" if repo.repo_type == "model" else repo.repo_type + "s/"
    return f"{req.base_url}/{prefix}{repo.repo_id}"


def load_repo(
    hub: Hub,
    req: Request,
    *,
    write: str | None = None,
    repo_type: str | None = None,
    files: bool = False,
) -> Repo:
    """Fetch the repo named in the URL; ``write`` is the 403 message when write access is needed.
    ``files``: the request reads the repo's files, which a protected Space keeps as private as a
    private repo (hub-docs spaces-overview: "Source code on the Hub: Private (only
    owner/collaborators)"; its app is public)."""
    rtype = repo_type or req.params.get("type", "space")
    repo = hub.repo(req.params["repo"], rtype)
    who = req.principal
    assert who is not None
    hidden = repo is not None and (repo.private or (files and repo.protected))
    if repo is None or not hub.auth.can_read(who, repo.owner, hidden):
        if who.user is None:
            raise HubError(401, "Invalid username or password.", code="RepoNotFound")
        raise repo_not_found()
    if write is not None:
        if who.user is None:
            raise HubError(401, "Invalid username or password.")
        if not hub.auth.can_write(who, repo.owner):
            raise forbidden(write)
    return repo
