"""Classifier readings that the round trip cannot provoke on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hubsim.probe.cassette import load
from hubsim.probe.classify import read_log_stream

pytestmark = pytest.mark.fake


def _stream(ended: str, lines: list[str]) -> dict:
    events = [{"t": 0.01 * i, "kind": "comment", "line": ln} for i, ln in enumerate(lines)]
    return {
        "request": {"method": "GET", "uri": "http://hub/api/spaces/u/s/logs/build", "body": None},
        "response": {"status": {"code": 200}, "headers": {}, "body": {"string": ""}},
        "probe": {
            "step": "first-build",
            "t0": 0,
            "t1": 1,
            "stream": {"ended": ended, "events": events},
        },
    }


def test_a_stream_cut_before_its_first_byte_decides_nothing(tmp_path: Path):
    """A busy server may send nothing within the window: that read is no evidence of a
    stream kept open, so the closed ones decide."""
    doc = {"interactions": [_stream("server", [": hi"]), _stream("window", [])]}
    path = tmp_path / "static.yaml"
    path.write_text(yaml.safe_dump(doc))
    assert read_log_stream([load(path)]).value == "close"
    doc["interactions"].append(_stream("window", [": hi"]))
    path.write_text(yaml.safe_dump(doc))
    assert read_log_stream([load(path)]).value == "mixed"
