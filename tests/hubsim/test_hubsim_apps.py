"""hubsim's copies (paths-info, resolve/, lfsFile by oid) and the Spaces' apps it serves."""

from __future__ import annotations

import os
import time

import httpx2
import pytest

from tests.hubsim.conftest import WRITE, both_lanes


def running(sim, space_id: str, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while sim.repo(space_id).stage != "RUNNING":
        assert time.monotonic() < end, sim.repo(space_id).stage
        time.sleep(0.02)


@both_lanes
def test_copies_by_the_real_client_send_no_large_bytes(sim, api):
    from huggingface_hub import CommitOperationAdd, CommitOperationCopy, CommitOperationDelete

    api.create_repo("user/s", repo_type="space", space_sdk="gradio")
    big = os.urandom(1 << 20)
    v1 = api.create_commit("user/s", repo_type="space", commit_message="v1", operations=[
        CommitOperationAdd("app.py", b"print(1)\n"), CommitOperationAdd("model.bin", big)])  # fmt: skip
    api.create_commit("user/s", repo_type="space", commit_message="v2", operations=[
        CommitOperationAdd("app.py", b"print(2)\n"), CommitOperationAdd("model.bin", b"\0" * 99),
        CommitOperationAdd("extra.txt", b"x")])  # fmt: skip
    sim.counters.reset()
    api.create_commit("user/s", repo_type="space", commit_message="back", operations=[
        CommitOperationCopy("app.py", "app.py", src_revision=v1.oid),
        CommitOperationCopy("model.bin", "model.bin", src_revision=v1.oid),
        CommitOperationDelete("extra.txt")])  # fmt: skip
    files = sim.repo("user/s").files
    assert files["app.py"].content == b"print(1)\n" and files["model.bin"].content == big
    assert "extra.txt" not in files
    requests = sim.counters.requests
    assert requests["POST /api/{type}s/{repo}/paths-info/{rev}"] == 2  # the head's, then v1's
    assert requests["GET /{prefix}{repo}/resolve/{rev}/{path}"] == 1  # only the regular file
    assert sim.counters.cas_xorb_bytes == 0 and requests["PUT /lfs-upload/{oid}"] == 0


def test_paths_info_and_resolve_shapes(sim, api):
    from huggingface_hub import CommitOperationAdd
    from huggingface_hub.hf_api import RepoFile, RepoFolder

    api.create_repo("user/s", repo_type="space", space_sdk="gradio")
    api.create_commit("user/s", repo_type="space", commit_message="v1", operations=[
        CommitOperationAdd("src/app.py", b"print(1)\n"), CommitOperationAdd("w.bin", b"\0\1" * 5000)])  # fmt: skip
    got = api.get_paths_info("user/s", ["src/app.py", "src", "w.bin", "nope"], repo_type="space")
    assert [type(x) for x in got] == [RepoFile, RepoFolder, RepoFile]
    assert got[0].size == 9 and got[0].lfs is None and got[2].lfs.size == 10000
    auth = {"Authorization": f"Bearer {WRITE}"}
    lfs = httpx2.get(f"{sim.url}/spaces/user/s/resolve/main/w.bin", headers=auth)
    assert lfs.status_code == 302 and lfs.headers["X-Linked-Size"] == "10000"
    assert lfs.headers["X-Linked-Etag"] == f'"{got[2].lfs.sha256}"'
    assert httpx2.get(lfs.headers["Location"]).content == b"\0\1" * 5000  # the "CDN"
    url = f"{sim.url}/spaces/user/s/resolve/main/src/app.py"
    response = httpx2.get(url, headers={"Authorization": f"Bearer {WRITE}"})
    assert response.content == b"print(1)\n"
    assert response.headers["X-Repo-Commit"] == sim.repo("user/s").head
    missing = httpx2.get(url + "x", headers={"Authorization": f"Bearer {WRITE}"})
    assert missing.status_code == 404 and missing.headers["X-Error-Code"] == "EntryNotFound"


def test_an_lfs_copy_of_an_object_the_repo_never_had_is_refused(sim, api):
    api.create_repo("user/s", repo_type="space", space_sdk="gradio")
    body = (
        b'{"key":"header","value":{"summary":"x"}}\n'
        b'{"key":"lfsFile","value":{"path":"m.bin","algo":"sha256","oid":"' + b"a" * 64 + b'"}}\n'
    )
    response = httpx2.post(
        f"{sim.url}/api/spaces/user/s/commit/main", content=body,
        headers={"Authorization": f"Bearer {WRITE}", "Content-Type": "application/x-ndjson"},
    )  # fmt: skip
    assert response.status_code == 422 and "does not exist" in response.json()["error"]


def test_a_commit_not_sent_as_ndjson_is_refused(sim, api):
    """The body is read as NDJSON only when it says so (as huggingface_hub sends it)."""
    api.create_repo("user/s", repo_type="space", space_sdk="gradio")
    head = sim.repo("user/s").head
    body = b'{"key":"header","value":{"summary":"x"}}\n'
    response = httpx2.post(
        f"{sim.url}/api/spaces/user/s/commit/main", content=body,
        headers={"Authorization": f"Bearer {WRITE}", "Content-Type": "application/json"},
    )  # fmt: skip
    assert response.status_code == 400 and "application/x-ndjson" in response.json()["error"]
    assert sim.repo("user/s").head == head


def test_apps_answer_as_the_running_build_says_and_private_ones_want_a_token(sim, api):
    from huggingface_hub import CommitOperationAdd

    sim.settings.serve_apps = True
    api.create_repo("user/s", repo_type="space", space_sdk="gradio", private=True)
    readme = b"---\nsdk: gradio\n---\n"
    api.create_commit("user/s", repo_type="space", commit_message="v1", operations=[
        CommitOperationAdd("README.md", readme), CommitOperationAdd("app.py", b"x = 1\n")])  # fmt: skip
    host = api.space_info("user/s").host
    assert host == f"{sim.url}/_apps/user-s"
    running(sim, "user/s")
    auth = {"Authorization": f"Bearer {WRITE}"}
    assert httpx2.get(host + "/health").status_code == 404  # private: no token, no Space
    assert httpx2.get(host + "/health", headers=auth).status_code == 200
    api.create_commit("user/s", repo_type="space", commit_message="v2", operations=[
        CommitOperationAdd("app.py", b"x = 1  # hubsim: app-answers 500\n")])  # fmt: skip
    time.sleep(0.1)
    running(sim, "user/s")
    assert httpx2.get(host, headers=auth).status_code == 500
    sim.settings.app_answers["user/s"] = "200"  # the knob wins over the marker
    assert httpx2.get(host, headers=auth).status_code == 200
    sim.settings.app_answers["user/s"] = "none"
    with pytest.raises(httpx2.ReadTimeout):
        httpx2.get(host, headers=auth, timeout=0.3)
    assert [v[2] for v in sim.app_visits] == [False, True, True, True, True]
