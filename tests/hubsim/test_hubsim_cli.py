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


def test_set_reaches_every_knob_by_its_type():
    """``--set`` covers a new knob with no change: each default, written out, reads back."""
    from enum import Enum

    from hubsim.settings import Settings, assign, knob_names

    settings = Settings()
    for name in knob_names():
        value = settings
        for part in name.split("."):
            value = getattr(value, part)
        if isinstance(value, Enum):
            text = value.name
        elif value is None or isinstance(value, bool):
            text = str(value).lower()
        else:
            text = str(value)
        assign(settings, f"{name}={text}")
    assert settings == Settings()


def test_set_parses_each_kind_of_knob_and_refuses_the_rest(capsys):
    from hubsim.__main__ import main, parse_args, settings_of
    from hubsim.settings import ProtectedInfo

    knobs = [
        "variants.log_stream=keepalive",
        "lifecycle.building=0.5",
        "space_creations=3",
        "variants.protected_info=AS_PRIVATE",
        "enforce_plans=true",
        "audience=none",
        "variants.log_skew=-10",
    ]
    args = parse_args(["--time-scale", "0.1", *(a for k in knobs for a in ("--set", k))])
    settings = settings_of(args)
    assert (settings.time_scale, settings.variants.log_stream, settings.lifecycle.building) == (
        0.1,
        "keepalive",
        0.5,
    )
    assert settings.space_creations == 3 and settings.enforce_plans is True
    assert settings.variants.protected_info is ProtectedInfo.AS_PRIVATE
    assert settings.audience is None and settings.variants.log_skew == -10.0
    for bad in ("variants.log_stream=loud", "page_size=many", "nope=1", "variants"):
        assert main(["--set", bad]) == 2  # refused before anything is served
        err = capsys.readouterr().err
        assert err.startswith("hubsim: --set ") and ("unknown knob" in err or "is not a" in err)
