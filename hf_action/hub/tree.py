"""What the Space holds now: its file listing at a revision, and the blob map its head commit records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hf_action import blobmap
from hf_action.plan import RemoteFile

if TYPE_CHECKING:
    from huggingface_hub import HfApi


def remote_tree(api: HfApi, space_id: str, revision: str | None) -> dict[str, RemoteFile]:
    from huggingface_hub.hf_api import RepoFile

    if revision is None:
        return {}
    files: dict[str, RemoteFile] = {}
    for entry in api.list_repo_tree(space_id, repo_type="space", recursive=True, revision=revision):
        if isinstance(entry, RepoFile):
            files[entry.path] = RemoteFile(
                entry.path, entry.blob_id, entry.size, entry.lfs.sha256 if entry.lfs else None
            )
    return files


def fetch_blob_map(api: HfApi, space_id: str, head: str | None) -> blobmap.BlobMap:
    """The map in the head commit's message: one request, first page only."""
    if head is None:
        return {}
    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    response = get_session().get(
        f"{api.endpoint}/api/spaces/{space_id}/commits/{head}",
        headers=build_hf_headers(token=api.token, library_name="hf-deploy"),
        params={"limit": 1},
    )
    hf_raise_for_status(response)
    commits = response.json()
    if not commits or commits[0].get("id") != head:
        return {}
    first = commits[0]
    return blobmap.parse(f"{first.get('title', '')}\n{first.get('message', '')}")
