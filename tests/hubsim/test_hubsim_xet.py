"""Xet mode of the simulator with the real client: token rules, the local:// CAS, dedup, refusals."""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from huggingface_hub import CommitOperationAdd
from huggingface_hub.errors import HfHubHTTPError

from tests.hubsim.conftest import READ, WRITE

MB = 1 << 20


def _get(sim, path: str, token: str | None = WRITE) -> tuple[int, dict, dict]:
    req = urllib.request.Request(sim.url + path)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, json.loads(resp.read()), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}"), dict(err.headers)


def test_write_token_follows_hf_xet_contract_and_write_rules(sim, api):
    api.create_repo("user/app", repo_type="space", space_sdk="gradio")
    sim.create_repo("someone/else", private=False)
    status, body, headers = _get(sim, "/api/spaces/user/app/xet-write-token/main")
    assert status == 200 and set(body) == {"accessToken", "exp", "casUrl"}
    assert body["casUrl"].startswith("local://") and body["exp"] > time.time() + 600
    assert headers["X-Xet-Cas-Url"] == body["casUrl"]
    assert headers["X-Xet-Access-Token"] == body["accessToken"]
    again = _get(sim, "/api/spaces/user/app/xet-write-token/main")[1]
    assert again["casUrl"] != body["casUrl"]  # a store per token: hf_xet locks a store while in use
    assert _get(sim, "/api/spaces/user/app/xet-write-token/main", READ)[0] == 403
    assert _get(sim, "/api/spaces/someone/else/xet-write-token/main")[0] == 403
    assert _get(sim, "/api/spaces/user/app/xet-write-token/main", None)[0] == 401
    assert _get(sim, "/api/spaces/user/nope/xet-write-token/main")[0] == 404
    assert _get(sim, "/api/spaces/user/app/xet-read-token/main", READ)[0] == 200
    assert sim.counters.xet_write_tokens == 2
    assert sim.counters.requests["GET /api/{type}s/{repo}/xet-write-token/{rev}"] == 6


def test_classic_knob_refuses_tokens_and_reports_xet_disabled(sim):
    from hubsim import HubSim, Settings

    sim.create_repo("user/app")
    assert _get(sim, "/api/spaces/user/app?expand=xetEnabled")[1]["xetEnabled"] is True
    with HubSim(tokens={WRITE: "write"}, settings=Settings(xet=False)) as classic:
        classic.create_repo("user/app")
        assert _get(classic, "/api/spaces/user/app/xet-write-token/main")[0] == 404
        assert _get(classic, "/api/spaces/user/app?expand=xetEnabled")[1]["xetEnabled"] is False


def test_upload_reaches_cas_reads_back_and_dedups_chunks(sim, api, tmp_path):
    """Seeded bytes: what an edit re-sends depends on where the chunk boundaries fall (the same
    on every run for the same bytes); over random bytes it exceeded 5% in ~2% of runs."""
    api.create_repo("user/app", repo_type="space", space_sdk="gradio")
    rng = random.Random(0)  # noqa: S311 - test bytes, not a secret
    data = bytearray(rng.randbytes(12 * MB))
    (tmp_path / "model.bin").write_bytes(data)
    api.upload_file(path_or_fileobj=str(tmp_path / "model.bin"), path_in_repo="model.bin",
                    repo_id="user/app", repo_type="space")  # fmt: skip
    entry = sim.repo("user/app").files["model.bin"]
    assert entry.lfs_sha256 == hashlib.sha256(data).hexdigest() and entry.xet_hash
    assert entry.content == bytes(data)  # read back with hf_xet from the CAS: the real bytes
    first = sim.counters.cas_xorb_bytes
    assert 12 * MB <= first < 13 * MB and sim.counters.requests["PUT /lfs-upload/{oid}"] == 0
    tree = {f.path: f for f in api.list_repo_tree("user/app", repo_type="space")}
    assert tree["model.bin"].xet_hash == entry.xet_hash

    data[6 * MB : 6 * MB + 256 * 1024] = rng.randbytes(256 * 1024)  # edit 256 KiB in the middle
    (tmp_path / "model.bin").write_bytes(data)
    api.upload_file(path_or_fileobj=str(tmp_path / "model.bin"), path_in_repo="model.bin",
                    repo_id="user/app", repo_type="space")  # fmt: skip
    sent = sim.counters.cas_xorb_bytes - first
    assert 0 < sent < 0.05 * len(data), sent  # only the changed chunks reached the CAS
    assert sim.repo("user/app").files["model.bin"].content == bytes(data)


def test_lfs_file_entry_without_upload_is_refused(sim, api):
    api.create_repo("user/app", repo_type="space", space_sdk="gradio")
    ghost = hashlib.sha256(b"never uploaded").hexdigest()
    line = {
        "key": "lfsFile",
        "value": {"path": "w.bin", "algo": "sha256", "oid": ghost, "size": 14},
    }
    body = "\n".join(
        json.dumps(x) for x in ({"key": "header", "value": {"summary": "x"}}, line)
    ).encode()
    req = urllib.request.Request(
        sim.url + "/api/spaces/user/app/commit/main", data=body, method="POST",
        headers={"Authorization": f"Bearer {WRITE}", "Content-Type": "application/x-ndjson"},
    )  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req)
    assert err.value.code == 422 and b"does not exist" in err.value.read()
    assert "w.bin" not in sim.repo("user/app").files and sim.counters.commits == 0


def test_token_endpoint_fault_fails_the_upload_before_any_commit(sim, api, tmp_path):
    api.create_repo("user/app", repo_type="space", space_sdk="gradio")
    (tmp_path / "w.bin").write_bytes(os.urandom(MB))
    sim.faults.add(method="GET", path=r"/xet-write-token/", status=403, times=10)
    with pytest.raises((OSError, RuntimeError, HfHubHTTPError)):
        api.create_commit("user/app", repo_type="space", commit_message="x",
                          operations=[CommitOperationAdd("w.bin", str(tmp_path / "w.bin"))])  # fmt: skip
    assert sim.counters.commits == 0 and "w.bin" not in sim.repo("user/app").files


def test_a_store_held_by_another_process_does_not_block_the_next_upload(sim, api, tmp_path):
    """A client still holding its store (the redb lock) must not stall or break the next client."""
    import hf_xet

    api.create_repo("user/app", repo_type="space", space_sdk="gradio")
    (tmp_path / "a.bin").write_bytes(os.urandom(MB))
    api.upload_file(path_or_fileobj=str(tmp_path / "a.bin"), path_in_repo="a.bin",
                    repo_id="user/app", repo_type="space")  # fmt: skip
    cas_url = _get(sim, "/api/spaces/user/app/xet-write-token/main")[1]["casUrl"]
    holder = subprocess.Popen(
        [sys.executable, "-c", "import hf_xet,sys,time\n"
         "c=hf_xet.XetSession().new_upload_commit(endpoint=sys.argv[1])\n"
         "print('held',flush=True); time.sleep(30)", cas_url],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        (tmp_path / "b.bin").write_bytes(os.urandom(MB))
        started = time.monotonic()
        api.upload_file(path_or_fileobj=str(tmp_path / "b.bin"), path_in_repo="b.bin",
                        repo_id="user/app", repo_type="space")  # fmt: skip
        assert time.monotonic() - started < 10
        assert sim.repo("user/app").files["b.bin"].content == (tmp_path / "b.bin").read_bytes()
    finally:
        holder.kill()
        holder.wait()
    assert hf_xet  # the client library really is the one under test


def test_read_only_token_cannot_upload_through_xet(sim, api, read_api, tmp_path):
    api.create_repo("user/app", repo_type="space", space_sdk="gradio")
    (tmp_path / "w.bin").write_bytes(os.urandom(MB))
    with pytest.raises(HfHubHTTPError) as err:
        read_api.upload_file(path_or_fileobj=str(tmp_path / "w.bin"), path_in_repo="w.bin",
                             repo_id="user/app", repo_type="space")  # fmt: skip
    assert err.value.response.status_code == 403
    assert sim.counters.xet_write_tokens == 0 and sim.counters.commits == 0
