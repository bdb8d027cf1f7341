"""The Space's files come with the Space info (files_metadata); a Hub that omits blob ids falls back to
the paginated tree listing."""

from __future__ import annotations

import os

from tests.conftest import TOKEN


def test_space_info_with_blobs_and_tree_listing_agree(hub, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    from huggingface_hub import CommitOperationAdd, HfApi

    from hf_action.space import _files, read_space
    from hf_action.sync import remote_tree

    api = HfApi(endpoint=hub.url, token=TOKEN)
    api.create_repo("user/listing", repo_type="space", space_sdk="static")
    ops = [CommitOperationAdd(f"dir{i % 3}/f{i}.txt", f"file {i}\n".encode()) for i in range(30)]
    ops.append(CommitOperationAdd("big.bin", os.urandom(64) + b"\0" * 64))
    api.create_commit("user/listing", repo_type="space", operations=ops, commit_message="files")
    hub.page_size = 7  # force several tree pages
    state = read_space(api, "user/listing")
    assert state.files is not None and state.files["big.bin"].lfs_sha256 is not None
    assert state.files == remote_tree(api, "user/listing", state.sha)
    info = api.space_info("user/listing")  # without files_metadata: no blob ids
    assert _files(info) is None
