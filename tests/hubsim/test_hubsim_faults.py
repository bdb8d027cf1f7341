"""Fault injection: N failing responses, 429 Retry-After, dropped connections before/after apply."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import httpx2
import pytest
from huggingface_hub import CommitOperationAdd


def test_status_fault_is_retried_by_client(sim, api):
    api.create_repo("user/f", repo_type="space", space_sdk="gradio")
    rule = sim.faults.add(method="POST", path=r"/api/spaces/.+/preupload/", status=503, times=1)
    api.upload_file(
        path_or_fileobj=b"hello", path_in_repo="a.txt", repo_id="user/f", repo_type="space"
    )
    assert rule.hits == 1 and rule.times == 0
    assert sim.counters.requests["POST /api/{type}s/{repo}/preupload/{rev}"] == 2
    assert "a.txt" in sim.repo("user/f").files


def test_status_fault_on_commit_is_not_retried(sim, api):
    api.create_repo("user/f5", repo_type="space", space_sdk="gradio")
    sim.faults.add(method="POST", path=r"/commit/", status=500, times=1)
    from huggingface_hub.errors import HfHubHTTPError

    with pytest.raises(HfHubHTTPError) as err:
        api.upload_file(
            path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="user/f5", repo_type="space"
        )
    assert err.value.response.status_code == 500 and err.value.response.headers.get("X-Request-Id")
    assert len(sim.repo("user/f5").commits) == 1


def test_429_carries_retry_after_and_client_waits(sim, api):
    sim.faults.add(method="GET", path=r"/tree/", status=429, times=1, retry_after=0)
    api.create_repo("user/r", repo_type="space", space_sdk="gradio")
    req = urllib.request.Request(f"{sim.url}/api/spaces/user/r/tree/main")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req)
    assert err.value.code == 429 and err.value.headers["Retry-After"] == "0"
    assert err.value.headers["RateLimit"] == '"api";r=0;t=0'
    sim.faults.add(method="GET", path=r"/tree/", status=429, times=1, retry_after=0)
    start = time.monotonic()
    assert "README.md" in api.list_repo_files("user/r", repo_type="space")
    assert time.monotonic() - start >= 0.9  # waited Retry-After + 1 s as the client does


def test_drop_after_apply_loses_response_but_commit_lands_once(sim, api):
    api.create_repo("user/d", repo_type="space", space_sdk="gradio")
    sim.faults.add(method="POST", path=r"/api/spaces/.+/commit/.+", drop=True, after_apply=True)
    with pytest.raises(httpx2.HTTPError):
        api.create_commit(
            "user/d",
            [CommitOperationAdd("app.py", b"print(1)\n")],
            commit_message="lost",
            repo_type="space",
        )
    repo = sim.repo("user/d")
    assert [c.title for c in repo.commits] == ["initial commit", "lost"]
    assert sim.counters.commits == 1 and sim.counters.builds == 1
    # A retry from a careful caller sees the file already there and skips the commit.
    api.upload_file(
        path_or_fileobj=b"print(1)\n", path_in_repo="app.py", repo_id="user/d", repo_type="space"
    )
    assert len(repo.commits) == 2


def test_drop_before_apply_and_status_after_apply(sim, api):
    api.create_repo("user/d2", repo_type="space", space_sdk="gradio")
    sim.faults.add(method="POST", path=r"/commit/", drop=True)
    with pytest.raises(httpx2.HTTPError):
        api.create_commit(
            "user/d2", [CommitOperationAdd("a", b"a")], commit_message="never", repo_type="space"
        )
    assert len(sim.repo("user/d2").commits) == 1
    sim.faults.add(method="POST", path=r"/commit/", status=502, after_apply=True)
    from huggingface_hub.errors import HfHubHTTPError

    with pytest.raises(HfHubHTTPError):
        api.create_commit(
            "user/d2", [CommitOperationAdd("b", b"b")], commit_message="landed", repo_type="space"
        )
    assert sim.repo("user/d2").commits[-1].title == "landed"
    assert not sim.faults.pending


def test_a_before_hook_runs_then_the_request_is_answered_for_real(sim, api):
    """`before=` lets a test make another writer's commit land first: the parent is then stale (412)."""
    from huggingface_hub.errors import HfHubHTTPError

    api.create_repo("user/hook", repo_type="space", space_sdk="gradio")
    head = sim.repo("user/hook").head

    def colleague() -> None:
        repo = sim.repo("user/hook")
        files = {**repo.files, "theirs.txt": sim.store_regular(b"theirs\n")}
        sim.apply_commit(repo, files, "theirs", "", "colleague")

    rule = sim.faults.add(method="POST", path=r"/commit/", before=colleague)
    op = CommitOperationAdd("ours.txt", b"ours\n")
    with pytest.raises(HfHubHTTPError) as err:
        api.create_commit(
            "user/hook",
            repo_type="space",
            operations=[op],
            commit_message="ours",
            parent_commit=head,
        )
    assert err.value.response.status_code == 412 and rule.hits == 1
    assert (
        "theirs.txt" in sim.repo("user/hook").files
        and "ours.txt" not in sim.repo("user/hook").files
    )


def test_a_fault_can_carry_the_hubs_own_words(sim, api):
    sim.faults.add(method="GET", path=r"^/api/spaces/", status=400, message="Invalid value 'x'")
    with pytest.raises(Exception) as err:
        api.space_info("user/anything")
    assert err.value.response.headers["X-Error-Message"] == "Invalid value 'x'"


def test_blob_ids_can_be_left_out_of_the_info(sim, api):
    api.create_repo("user/noblobs", repo_type="space", space_sdk="gradio")
    sim.settings.blobs_in_info = False
    info = api.space_info("user/noblobs", files_metadata=True)
    assert info.siblings and all(s.blob_id is None for s in info.siblings)
