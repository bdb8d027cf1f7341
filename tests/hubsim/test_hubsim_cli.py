"""``python -m hubsim`` prints its URL once ready and exits 0 on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cli_serves_and_stops_on_sigterm():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hubsim",
            "--port",
            "0",
            "--user",
            "alice",
            "--token",
            "hf_cli",
            "--time-scale",
            "0.1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("hubsim listening on http://127.0.0.1:"), line
        url = line.rsplit(" ", 1)[1]
        req = urllib.request.Request(
            f"{url}/api/whoami-v2", headers={"Authorization": "Bearer hf_cli"}
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert json.loads(resp.read())["name"] == "alice"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
        assert proc.stdout.read() == ""  # exactly one line
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_runtime_sha_flag():
    from hubsim.__main__ import parse_args

    assert parse_args([]).runtime_sha is False  # the production shape by default
    assert parse_args(["--runtime-sha"]).runtime_sha is True
