"""The upload path production takes: large files through hf_xet to the Hub's CAS, then one commit.

Each test drives the action as the runner does against hubsim in Xet mode; tests marked `both_lanes`
also run the classic-LFS lane (HF_HUB_DISABLE_XET=1, a simulator without Xet), so no test passes only
because one of the two paths is off.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import time

import pytest

from tests.conftest import TOKEN, both_lanes, copy_example, git_init

MB = 1 << 20


def _binary_space(action, size: int = 12 * MB) -> bytes:
    copy_example("gradio-hello", action.workspace)
    # Seeded: how many bytes an edit costs depends on where content-defined chunk boundaries fall.
    blob = random.Random(size).randbytes(size)  # noqa: S311 - reproducible test data
    (action.workspace / "model.bin").write_bytes(blob)
    (action.workspace / "notes.txt").write_text("kept\n")
    return blob


def _large_bytes_sent(hub) -> int:
    """Bytes of large files that reached storage by the lane's own path (and only by it)."""
    hub.xet.ingest()
    lfs_puts = hub.counters.requests["PUT /lfs-upload/{oid}"]
    if hub.settings.xet:
        assert lfs_puts == 0, "a Xet Hub was sent classic LFS uploads"
        return hub.counters.cas_xorb_bytes
    assert hub.counters.xet_write_tokens == 0
    return sum(hub.lfs_objects.values()) if lfs_puts else 0


def _deploy_commits(repo, before: int) -> list:
    return [c for c in repo.commits[before:] if "Deploy-Id:" in c.message]


@both_lanes
def test_fresh_deploy_with_a_12mb_binary_is_one_commit_with_progress(action, hub):
    blob = _binary_space(action)
    result = action.run(
        {"space": "user/xet", "hf-token": TOKEN}, env={"HF_DEPLOY_PROGRESS_SECONDS": "0"}
    ).assert_ok()
    repo = hub.repo("user/xet")
    entry = repo.files["model.bin"]
    assert entry.lfs_sha256 == hashlib.sha256(blob).hexdigest() and entry.content == blob
    assert len(_deploy_commits(repo, 0)) == 1 and hub.counters.commits == 1
    assert _large_bytes_sent(hub) >= len(blob)
    if hub.settings.xet:
        assert entry.xet_hash and hub.counters.xet_write_tokens == 1
    # Progress a person can read: bytes of the total, a rate and (before the end) the time left.
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("  uploaded ")]
    assert lines, result.stdout
    assert re.search(r"of 1[23]\.\d MB \(\d+%\) at [\d.]+ [kMG]?B/s", lines[-1]), lines
    assert any("100%" in ln for ln in lines), lines


@both_lanes
def test_redeploy_without_change_sends_nothing(action, hub):
    _binary_space(action)
    git_init(action.workspace)
    first = action.run({"space": "user/same", "hf-token": TOKEN}).assert_ok()
    hub.counters.reset()
    second = action.run({"space": "user/same", "hf-token": TOKEN}).assert_ok()
    assert second.outputs["commit-sha"] == first.outputs["commit-sha"]
    assert "Nothing changed: no commit." in second.stdout
    assert hub.counters.commits == 0 and hub.counters.xet_write_tokens == 0
    assert _large_bytes_sent(hub) == 0 and hub.counters.bytes_received == 0
    assert sum(hub.counters.requests.values()) <= 3, hub.counters.requests


@both_lanes
def test_change_and_deletion_is_one_commit_sending_only_the_change(action, hub):
    blob = bytearray(_binary_space(action))
    action.run({"space": "user/edit", "hf-token": TOKEN}).assert_ok()
    repo = hub.repo("user/edit")
    before, sent_before = len(repo.commits), _large_bytes_sent(hub)
    edit = random.Random(1).randbytes(256 * 1024)  # noqa: S311 - reproducible test data
    blob[6 * MB : 6 * MB + len(edit)] = edit  # 256 KiB edited in the middle
    (action.workspace / "model.bin").write_bytes(blob)
    (action.workspace / "notes.txt").unlink()
    result = action.run({"space": "user/edit", "hf-token": TOKEN}).assert_ok()
    assert len(_deploy_commits(repo, before)) == 1 and len(repo.commits) == before + 1
    assert result.outputs["changed-files"].splitlines() == ["model.bin", "notes.txt"]
    assert "notes.txt" not in repo.files and repo.files["model.bin"].content == bytes(blob)
    sent = _large_bytes_sent(hub) - sent_before
    if hub.settings.xet:
        assert 0 < sent < 0.05 * len(blob), sent  # chunk-level dedup: only the changed chunks
    else:
        assert sent == len(blob)  # classic LFS sends the whole file again


@both_lanes
def test_lost_commit_answer_after_a_xet_upload_is_not_committed_twice(action, hub):
    blob = _binary_space(action)
    action.run({"space": "user/lost", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    repo = hub.repo("user/lost")
    before = len(repo.commits)
    blob2 = os.urandom(len(blob))
    (action.workspace / "model.bin").write_bytes(blob2)
    hub.faults.add(method="POST", path=r"/commit/", drop=True, after_apply=True)
    result = action.run({"space": "user/lost", "hf-token": TOKEN})
    assert result.returncode == 0, result.stdout
    assert len(repo.commits) == before + 1 and result.outputs["commit-sha"] == repo.head
    assert repo.files["model.bin"].content == blob2


@pytest.mark.parametrize("status,times", [(500, 1), (503, 2), (429, 1)])
def test_transient_token_endpoint_faults_are_survived(action, hub, status, times):
    _binary_space(action, 2 * MB)
    hub.create_repo("user/tok", sdk="gradio")
    hub.faults.add(method="GET", path=r"/xet-write-token/", status=status, times=times)
    result = action.run({"space": "user/tok", "hf-token": TOKEN, "wait": "false"})
    assert result.returncode == 0, result.stdout
    assert not hub.faults.pending and len(_deploy_commits(hub.repo("user/tok"), 0)) == 1


@pytest.mark.parametrize("status,retry_after", [(500, None), (503, None), (429, 1)])
def test_transient_commit_faults_after_a_xet_upload_are_survived(action, hub, status, retry_after):
    _binary_space(action, 2 * MB)
    hub.faults.add(method="POST", path=r"/commit/main$", status=status, retry_after=retry_after)
    result = action.run({"space": "user/cmt", "hf-token": TOKEN, "wait": "false"})
    assert result.returncode == 0, result.stdout
    assert not hub.faults.pending and len(_deploy_commits(hub.repo("user/cmt"), 0)) == 1
    assert hub.counters.xet_write_tokens >= 1


def _assert_one_upload_error(result, hub, head, started: float, *words: str) -> str:
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stdout
    assert len(result.errors) == 1, result.stdout
    error = result.errors[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert "Unexpected error" not in error
    for word in words:
        assert word.lower() in error.lower(), error
    assert hub.repo("user/down").head == head  # nothing committed
    assert "Nothing was committed: the Space's files are unchanged." in error  # and it says so
    assert elapsed < 60, elapsed
    return error


def _retries_said(error: str) -> int:
    """The retries the error claims hf_xet made (HF_XET_CLIENT_RETRY_MAX_ATTEMPTS)."""
    said = re.search(r"gave up after at most (\d+) retries", error)
    assert said, error
    return int(said.group(1))


@pytest.mark.parametrize("status", [401, 403])
def test_token_refused_is_one_error_saying_it_was_not_retried(action, hub, status):
    """A refusal is asked once: the error says so, not "after up to 5 tries"."""
    _binary_space(action, 2 * MB)
    head = hub.create_repo("user/down", sdk="gradio").head
    rule = hub.faults.add(method="GET", path=r"/xet-write-token/", status=status, times=100)
    started = time.monotonic()
    result = action.run({"space": "user/down", "hf-token": TOKEN, "wait": "false"})
    error = _assert_one_upload_error(result, hub, head, started, "upload", "Xet", str(status))
    assert rule.hits == 1 and "not retried" in error and "tries" not in error
    assert "title=Xet upload token refused" in error and "write access" in error


def test_token_endpoint_that_stays_down_is_given_up_on_in_bounded_time(action, hub):
    _binary_space(action, 2 * MB)
    head = hub.create_repo("user/down", sdk="gradio").head
    rule = hub.faults.add(method="GET", path=r"/xet-write-token/", status=503, times=10_000)
    started = time.monotonic()
    result = action.run({"space": "user/down", "hf-token": TOKEN, "wait": "false"})
    error = _assert_one_upload_error(result, hub, head, started, "upload", "Xet", "503")
    assert "refused" not in error and "title=Xet upload token unavailable" in error
    assert 1 < rule.hits <= 1 + _retries_said(error)  # retried, as many times as it says at most


@pytest.mark.parametrize("fault", ["unreachable", "error", "hang"])
def test_broken_cas_is_one_error_in_bounded_time(action, hub, fault):
    _binary_space(action, 2 * MB)
    head = hub.create_repo("user/down", sdk="gradio").head
    hub.settings.cas_fault = fault
    started = time.monotonic()
    # hf_xet's own timeouts bound a CAS that never answers; a short read timeout keeps the test fast.
    env = {"HF_XET_CLIENT_READ_TIMEOUT": "1s"} if fault == "hang" else {}
    result = action.run({"space": "user/down", "hf-token": TOKEN, "wait": "false"}, env=env)
    error = _assert_one_upload_error(result, hub, head, started, "upload", "Xet storage")
    assert TOKEN not in error and _retries_said(error) >= 1 and "not retried" not in error
    if fault != "unreachable":
        assert hub.counters.cas_fault_requests >= 1  # the upload really reached the broken CAS


def test_the_run_names_hf_xets_concurrency_once_after_masking(action):
    """The entrypoint's log names hf_xet's concurrency (hub/xetmemory.py) in one line, after the
    secrets are masked; from this machine's memory, whatever it is."""
    copy_example("gradio-hello", action.workspace)
    result = action.run({"space": "user/app", "hf-token": TOKEN, "wait": "false"})
    lines = result.stdout.splitlines()
    said = [i for i, line in enumerate(lines) if line.startswith("hf_xet: ")]
    assert len(said) == 1, result.stdout
    assert all(not line.startswith("::add-mask::") for line in lines[said[0] :])
    assert "sized to a quarter of the" in lines[said[0]] or "could not be read" in lines[said[0]]
