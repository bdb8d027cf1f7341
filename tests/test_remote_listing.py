"""The Space's files come with the Space info (files_metadata); a Hub that omits blob ids falls back to
the paginated tree listing: the two agree, and a deploy against such a Hub plans from the listing."""

from __future__ import annotations

import os

from tests.conftest import TOKEN, copy_example


def test_space_info_with_blobs_and_tree_listing_agree(hub, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    from huggingface_hub import CommitOperationAdd, HfApi

    from hf_action.hub.space import _files, read_space
    from hf_action.hub.tree import remote_tree

    api = HfApi(endpoint=hub.url, token=TOKEN)
    api.create_repo("user/listing", repo_type="space", space_sdk="static")
    ops = [CommitOperationAdd(f"dir{i % 3}/f{i}.txt", f"file {i}\n".encode()) for i in range(30)]
    ops.append(CommitOperationAdd("big.bin", os.urandom(64) + b"\0" * 64))
    api.create_commit("user/listing", repo_type="space", operations=ops, commit_message="files")
    hub.settings.page_size = 7  # force several tree pages
    state = read_space(api, "user/listing")
    assert state.files is not None and state.files["big.bin"].lfs_sha256 is not None
    assert state.files == remote_tree(api, "user/listing", state.sha)
    info = api.space_info("user/listing")  # without files_metadata: no blob ids
    assert _files(info) is None


def test_the_tree_listing_fallback_is_used_when_the_hub_omits_blob_ids(action, hub):
    """When the Space info carries no blob ids, the paginated tree listing must be read instead (the
    fallback in the deploy): an unchanged redeploy then makes no commit, and a change is exactly that."""
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "extra.txt").write_text("to be removed\n")
    action.run({"space": "user/notree", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    hub.settings.blobs_in_info = False
    hub.settings.page_size = 2  # several pages
    commits = hub.counters.commits
    again = action.run({"space": "user/notree", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert "Nothing changed" in again.stdout and hub.counters.commits == commits
    assert hub.counters.requests["GET /api/{type}s/{repo}/tree/{rev}"] >= 2
    (action.workspace / "extra.txt").unlink()
    changed = action.run({"space": "user/notree", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert changed.outputs["changed-files"] == "extra.txt"
    assert "extra.txt" not in hub.repo("user/notree").files
