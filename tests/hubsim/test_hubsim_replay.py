"""Replay every production recording against the simulator and compare response shapes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from hubsim import HubSim, LifecycleTimings

# Copied from ../shared/hub-recordings (Apache-2.0, see SOURCE.md there) so the replay runs on every machine.
RECORDINGS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "hub-recordings"
RECORDINGS = sorted(RECORDINGS_DIR.glob("*.yaml"))
# Keys the simulator adds on purpose (documented in hubsim/README.md).
ALLOWED_EXTRA = {"sha", "errorMessage"}


def _shape_diff(recorded, actual, where="$"):
    """List the differences of keys and value types between two JSON values."""
    if recorded is None or actual is None:
        return (
            []
            if recorded is actual
            else [f"{where}: {type(recorded).__name__} != {type(actual).__name__}"]
        )
    if type(recorded) is not type(actual):
        return [f"{where}: {type(recorded).__name__} != {type(actual).__name__}"]
    problems = []
    if isinstance(recorded, dict):
        missing = set(recorded) - set(actual)
        extra = set(actual) - set(recorded) - ALLOWED_EXTRA
        if missing:
            problems.append(f"{where}: missing keys {sorted(missing)}")
        if extra:
            problems.append(f"{where}: unexpected keys {sorted(extra)}")
        for k in set(recorded) & set(actual):
            problems += _shape_diff(recorded[k], actual[k], f"{where}.{k}")
    elif isinstance(recorded, list) and recorded and actual:
        problems += _shape_diff(recorded[0], actual[0], f"{where}[0]")
    return problems


def _send(sim: HubSim, request: dict):
    uri = request["uri"].replace("https://huggingface.co", sim.url)
    body = request.get("body")
    data = body.encode() if isinstance(body, str) else body
    headers = {"Authorization": "Bearer hf_write_token"}
    ctype = (request.get("headers") or {}).get("Content-Type")
    if ctype:
        headers["Content-Type"] = ctype[0]
    req = urllib.request.Request(uri, data=data, method=request["method"], headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _prepare(sim: HubSim, interactions: list) -> None:
    """Seed what existed on the Hub before the recording started."""
    first = interactions[0]
    if (
        first["request"]["uri"].endswith("/api/repos/create")
        and first["response"]["status"]["code"] == 409
    ):
        body = json.loads(first["request"]["body"])
        sim.create_repo(
            f"{body['organization']}/{body['name']}",
            repo_type=body["type"],
            sdk=body["sdk"],
            private=True,
        )
    sim.create_repo("victor/static-space", sdk="static")


def test_recordings_folder_present():
    assert len(RECORDINGS) == 5, f"expected the 5 production cassettes in {RECORDINGS_DIR}"


@pytest.mark.parametrize("cassette", RECORDINGS, ids=[p.stem.split(".")[-1] for p in RECORDINGS])
def test_replay_recording(cassette: Path):
    interactions = yaml.safe_load(cassette.read_text())["interactions"]
    # A long stale window keeps the runtime on the pre-commit stage, as right after a real commit.
    with HubSim(user="user", tokens={"hf_write_token": "write"}) as sim:
        sim.settings.lifecycle = LifecycleTimings(stale=30.0, building=30.0, starting=30.0)
        _prepare(sim, interactions)
        for i, it in enumerate(interactions):
            rec_req, rec_resp = it["request"], it["response"]
            status, headers, body = _send(sim, rec_req)
            label = f"#{i} {rec_req['method']} {rec_req['uri']}"
            assert status == rec_resp["status"]["code"], f"{label}: {body[:300]!r}"
            assert headers.get("X-Request-Id"), label
            rec_ctype = rec_resp["headers"]["Content-Type"][0]
            assert headers["Content-Type"].split(";")[0] == rec_ctype.split(";")[0], label
            for h in ("X-Error-Code", "X-Error-Message"):
                assert (h in rec_resp["headers"]) == (h in headers), f"{label}: header {h}"
            rec_body = rec_resp["body"]["string"]
            if rec_ctype.startswith("application/json"):
                problems = _shape_diff(json.loads(rec_body), json.loads(body))
                assert not problems, f"{label}: {problems}"
            else:
                assert body.decode() == rec_body, label
