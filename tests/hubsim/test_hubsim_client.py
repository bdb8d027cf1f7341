"""The real huggingface_hub client against the simulator: uploads, LFS, skips, secrets, errors."""

from __future__ import annotations

import os
import time

import pytest
from huggingface_hub import CommitOperationAdd, HfApi
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError

from tests.hubsim.conftest import both_lanes

WRITE, READ = "hf_write_token", "hf_read_token"

APP = "import gradio as gr\n\ngr.Interface(lambda x: x, 'text', 'text').launch()\n"


def _folder(tmp_path, files: dict[str, bytes | str]):
    for rel, data in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode() if isinstance(data, str) else data)
    return tmp_path


def test_create_space_and_info(sim, api):
    url = api.create_repo("user/my_space.v2", repo_type="space", space_sdk="gradio", private=True)
    assert url.repo_id == "user/my_space.v2"
    info = api.space_info("user/my_space.v2")
    assert info.private is True and info.sdk == "gradio"
    assert info.subdomain == "user-my-space-v2" and info.host == "https://user-my-space-v2.hf.space"
    assert {s.rfilename for s in info.siblings} == {".gitattributes", "README.md"}
    assert info.card_data["sdk"] == "gradio"
    assert info.runtime.stage == "NO_APP_FILE"
    assert "sha" not in info.runtime.raw  # no build has ever started
    state = sim.repo("user/my_space.v2")
    assert state.head == info.sha and state.commits[0].title == "initial commit"
    api.update_repo_settings("user/my_space.v2", repo_type="space", private=False)
    assert sim.repo("user/my_space.v2").private is False


@both_lanes
def test_upload_folder_with_lfs_and_delete_patterns(sim, api, tmp_path, lane):
    api.create_repo("user/app", repo_type="space", space_sdk="gradio")
    big = os.urandom(10 * 1024 * 1024 + 1)
    png = b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(2000)
    folder = _folder(
        tmp_path / "v1",
        {"app.py": APP, "old/stale.txt": "bye", "assets/big.dat": big, "logo.png": png},
    )
    first = api.upload_folder(
        folder_path=folder, repo_id="user/app", repo_type="space", commit_message="v1"
    )
    repo = sim.repo("user/app")
    assert repo.head == first.oid
    assert repo.files["assets/big.dat"].lfs_sha256 is not None and repo.files[
        "assets/big.dat"
    ].size == len(big)
    assert repo.files["logo.png"].lfs_sha256 is not None
    assert repo.files["app.py"].lfs_sha256 is None and repo.files["app.py"].content == APP.encode()
    assert repo.files["assets/big.dat"].content == big
    tree = {f.path: f for f in api.list_repo_tree("user/app", repo_type="space", recursive=True)}
    assert tree["logo.png"].lfs.sha256 == repo.files["logo.png"].lfs_sha256
    assert tree["assets"].tree_id  # folders are listed too
    sent = _sent(sim, lane)
    assert sent >= len(big) + len(png)

    folder2 = _folder(
        tmp_path / "v2", {"app.py": APP + "# v2\n", "assets/big.dat": big, "logo.png": png}
    )
    second = api.upload_folder(
        folder_path=folder2,
        repo_id="user/app",
        repo_type="space",
        delete_patterns=["old/*"],
        commit_message="v2",
    )
    assert second.oid != first.oid
    assert "old/stale.txt" not in repo.files and ".gitattributes" in repo.files
    assert repo.files["app.py"].content.endswith(b"# v2\n")
    assert _sent(sim, lane) == sent  # the large files were not sent again
    assert [c.title for c in repo.commits] == ["initial commit", "v1", "v2"]
    assert [c.title for c in api.list_repo_commits("user/app", repo_type="space")] == [
        "v2",
        "v1",
        "initial commit",
    ]


def _sent(sim, lane: str) -> int:
    """Bytes of large files that reached storage, by the lane's own path only."""
    if lane == "classic":
        assert sim.counters.xet_write_tokens == 0
        puts = sim.counters.requests["PUT /lfs-upload/{oid}"]
        return sum(sim.lfs_objects.values()) if puts == len(sim.lfs_objects) else -puts
    assert sim.counters.requests["PUT /lfs-upload/{oid}"] == 0
    assert sim.counters.xet_write_tokens >= 1
    return sim.counters.cas_xorb_bytes


def test_unchanged_files_are_skipped(sim, api, tmp_path):
    api.create_repo("user/same", repo_type="space", space_sdk="gradio")
    folder = _folder(tmp_path, {"app.py": APP, "weights.bin": os.urandom(4096)})
    first = api.upload_folder(folder_path=folder, repo_id="user/same", repo_type="space")
    commits_before = sim.counters.commits
    again = api.upload_folder(folder_path=folder, repo_id="user/same", repo_type="space")
    assert again.oid == first.oid
    assert sim.counters.commits == commits_before
    assert sim.counters.requests["POST /api/{type}s/{repo}/commit/{rev}"] == 1


def test_runtime_stages_in_order_and_logs(sim, api, tmp_path):
    from hubsim import LifecycleTimings

    api.create_repo("user/stages", repo_type="space", space_sdk="gradio")
    sim.settings.variants.sha = (
        "shown"  # the shape that names the build's commit (see test_runtime_shape_*)
    )
    sim.settings.time_scale = 1.0
    sim.settings.lifecycle = LifecycleTimings(stale=0.3, building=0.4, starting=0.3)
    ci = api.upload_folder(
        folder_path=_folder(tmp_path, {"app.py": APP, "requirements.txt": "numpy==2.0\n"}),
        repo_id="user/stages",
        repo_type="space",
    )
    seen: list[tuple[str, str | None]] = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        rt = api.get_space_runtime("user/stages")
        point = (rt.stage, rt.raw.get("sha"))
        if not seen or seen[-1] != point:
            seen.append(point)
        if rt.stage == "RUNNING":
            break
        time.sleep(0.02)
    assert seen == [
        ("NO_APP_FILE", None),
        ("BUILDING", ci.oid),
        ("APP_STARTING", ci.oid),
        ("RUNNING", ci.oid),
    ]
    build_log = "".join(api.fetch_space_logs("user/stages", build=True))
    assert f"Commit SHA: {ci.oid[:7]}" in build_log and "Collecting numpy==2.0" in build_log
    assert "--> Pushing image" in build_log
    run_log = "".join(api.fetch_space_logs("user/stages"))
    assert "Running on local URL" in run_log
    assert sim.counters.builds == 1


def test_secrets_and_variables_round_trip(sim, api):
    api.create_repo(
        "user/cfg",
        repo_type="space",
        space_sdk="gradio",
        space_secrets=[{"key": "A", "value": "1"}],
        space_variables=[{"key": "V0", "value": "x"}],
    )
    api.add_space_secret("user/cfg", "TOKEN", "s3cr3t", description="api token")
    secrets = api.get_space_secrets("user/cfg")
    assert set(secrets) == {"A", "TOKEN"} and secrets["TOKEN"].description == "api token"
    assert secrets["TOKEN"].updated_at is not None
    assert sim.repo("user/cfg").secrets == {"A": "1", "TOKEN": "s3cr3t"}  # values only in-process
    api.delete_space_secret("user/cfg", "A")
    assert set(api.get_space_secrets("user/cfg")) == {"TOKEN"}
    got = api.add_space_variable("user/cfg", "MODEL", "gpt2", description="which model")
    assert got["MODEL"].value == "gpt2" and got["MODEL"].description == "which model"
    assert api.get_space_variables("user/cfg")["V0"].value == "x"
    assert "V0" not in api.delete_space_variable("user/cfg", "V0")
    assert sim.counters.restarts == 4  # each change after creation restarts the Space


def test_error_types(sim, api, read_api):
    api.create_repo("user/err", repo_type="space", space_sdk="gradio")
    sim.add_org("acme", members={"user": "read"})
    with pytest.raises(HfHubHTTPError) as e401:
        HfApi(endpoint=sim.url, token="hf_unknown").whoami()
    assert e401.value.response.status_code == 401
    assert (
        e401.value.response.headers["X-Error-Message"]
        == "Invalid credentials in Authorization header"
    )
    with pytest.raises(HfHubHTTPError) as e401b:
        HfApi(endpoint=sim.url, token="hf_unknown").space_info("user/err")
    assert e401b.value.response.status_code == 401 and not isinstance(
        e401b.value, RepositoryNotFoundError
    )
    with pytest.raises(RepositoryNotFoundError) as e404:
        api.space_info("user/missing")
    assert e404.value.response.headers["X-Error-Code"] == "RepoNotFound"
    with pytest.raises(RevisionNotFoundError):
        api.list_repo_files("user/err", repo_type="space", revision="0" * 40)
    with pytest.raises(HfHubHTTPError) as e403:
        read_api.upload_file(
            path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="user/err", repo_type="space"
        )
    assert e403.value.response.status_code == 403 and "create_pr=1" in str(e403.value)
    with pytest.raises(HfHubHTTPError) as e403b:
        api.create_repo("acme/tool", repo_type="space", space_sdk="docker")
    assert e403b.value.response.status_code == 403
    assert 'under the namespace "acme"' in e403b.value.response.headers["X-Error-Message"]
    with pytest.raises(HfHubHTTPError) as e409:
        api.create_repo("user/err", repo_type="space", space_sdk="gradio")
    assert e409.value.response.status_code == 409 and e409.value.response.json()["url"].endswith(
        "/spaces/user/err"
    )
    assert (
        api.create_repo("user/err", repo_type="space", space_sdk="gradio", exist_ok=True).repo_id
        == "user/err"
    )
    old = sim.repo("user/err").head
    api.upload_file(
        path_or_fileobj=b"a", path_in_repo="a.txt", repo_id="user/err", repo_type="space"
    )
    with pytest.raises(HfHubHTTPError) as e412:
        api.create_commit(
            "user/err",
            [CommitOperationAdd("b.txt", b"b")],
            commit_message="late",
            repo_type="space",
            parent_commit=old,
        )
    assert e412.value.response.status_code == 412 and "b.txt" not in sim.repo("user/err").files
    with pytest.raises(HfHubHTTPError) as e402:
        api.request_space_hardware("user/err", "t4-small")
    assert e402.value.response.status_code == 402 and sim.repo("user/err").hardware == "cpu-basic"
    sim.set_quota(pro=True)
    assert api.request_space_hardware("user/err", "cpu-upgrade").requested_hardware == "cpu-upgrade"
    with pytest.raises(HfHubHTTPError) as gpu:  # a plan alone does not pay for a GPU
        api.request_space_hardware("user/err", "t4-small")
    assert gpu.value.response.status_code == 402
    sim.set_quota(billing=True)  # a payment method on file does
    assert api.request_space_hardware("user/err", "t4-small").requested_hardware == "t4-small"
    api.delete_repo("user/err", repo_type="space")
    with pytest.raises(RepositoryNotFoundError):
        api.delete_repo("user/err", repo_type="space")
