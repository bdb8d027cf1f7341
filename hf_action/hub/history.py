"""The Space's history: the commit a rollback returns to, found (or refused) before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hf_action.commitmsg import DEPLOY_ID
from hf_action.errors import ActionError
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
        raise ActionError(
            f"There is no earlier deploy in the history of '{space_id}' ({len(history)} commits):"
            " 'previous' is the newest commit before the head written by hf-deploy (its"
            f" description has a '{DEPLOY_ID.strip()}' line).",
            f"Set revision to the sha of the commit to return to (see {_history_url(api, space_id)}).",
            title="No previous deploy",
        )
    found = [(n, sha, title) for n, (sha, title, _) in enumerate(history) if sha.startswith(wanted)]
    if len(found) > 1:
        raise ActionError(
            f"The revision '{wanted}' matches {len(found)} commits of '{space_id}'.",
            "Give more digits of the sha.",
            title="Ambiguous revision",
        )
    if not found:
        raise ActionError(
            f"The revision '{wanted}' is not in the history of '{space_id}' (its main branch has"
            f" {len(history)} commits); nothing was changed.",
            f"Give a commit of the Space from {_history_url(api, space_id)} (a GitHub commit sha is"
            " not a Space commit), or revision: previous.",
            title="Revision not in the Space's history",
        )
    newer, sha, title = found[0]
    return Revision(sha, title, newer)


def _history_url(api: HfApi, space_id: str) -> str:
    return f"{space_url(api.endpoint, space_id)}/commits/main"
