"""The Space's history: the commit a rollback returns to, found (or refused) before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hf_action.commitmsg import DEPLOY_ID
from hf_action.hub.explain import ambiguous_revision, no_previous_deploy, revision_not_found
from hf_action.hub.urls import space_url
from hf_action.inputs import PREVIOUS

if TYPE_CHECKING:
    from huggingface_hub import HfApi


@dataclass(frozen=True)
class Revision:
    sha: str
    title: str
    newer: int  # commits between it and the head (0: it is the head)


def find_revision(api: HfApi, space_id: str, wanted: str) -> Revision:
    """`wanted`: a sha or its prefix, which must be in the history of the Space's main branch (not
    a pull request's ref, not another repository's); or `previous`, the newest commit before the head
    made by a deploy or rollback of this action (its description carries `Deploy-Id:`)."""
    commits = api.list_repo_commits(space_id, repo_type="space")  # newest first, from the head
    history = [(c.commit_id, c.title or "", f"{c.title}\n{c.message}") for c in commits]
    if wanted == PREVIOUS:
        for newer, (sha, title, text) in enumerate(history[1:], start=1):
            if DEPLOY_ID in text:
                return Revision(sha, title, newer)
        raise no_previous_deploy(space_id, len(history), DEPLOY_ID, _history_url(api, space_id))
    found = [(n, sha, title) for n, (sha, title, _) in enumerate(history) if sha.startswith(wanted)]
    if len(found) > 1:
        raise ambiguous_revision(wanted, len(found), space_id)
    if not found:
        raise revision_not_found(wanted, space_id, len(history), _history_url(api, space_id))
    newer, sha, title = found[0]
    return Revision(sha, title, newer)


def _history_url(api: HfApi, space_id: str) -> str:
    return f"{space_url(api.endpoint, space_id)}/commits/main"
