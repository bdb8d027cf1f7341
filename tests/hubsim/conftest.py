"""Shared fixtures: a fast simulator and real huggingface_hub clients pointed at it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The client reads these at import time: set them before anything imports huggingface_hub.
os.environ.pop("HF_HUB_DISABLE_XET", None)  # Xet on, as in production; classic lane: `both_lanes`
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1"

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import pytest  # noqa: E402

from hubsim import HubSim, Settings  # noqa: E402

WRITE, READ = "hf_write_token", "hf_read_token"


@pytest.fixture(params=["xet"])
def lane(request, monkeypatch):
    """Upload path: "xet" (production: hf_xet to the simulator's CAS) or "classic" (LFS, as with
    HF_HUB_DISABLE_XET=1). Tests that depend on the path take both via `both_lanes`."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", request.param == "classic")
    return request.param


both_lanes = pytest.mark.parametrize("lane", ["xet", "classic"], indirect=True)


@pytest.fixture
def sim(lane):
    """Simulator with fast timings (stale 50 ms, building 100 ms, starting 50 ms); Xet off only in
    the classic lane, so a classic-only client fails in the Xet lane and the reverse."""
    settings = Settings(time_scale=0.05, xet=lane == "xet")
    with HubSim(user="user", tokens={WRITE: "write", READ: "read"}, settings=settings) as s:
        yield s


@pytest.fixture
def api(sim):
    from huggingface_hub import HfApi

    return HfApi(endpoint=sim.url, token=WRITE)


@pytest.fixture
def read_api(sim):
    from huggingface_hub import HfApi

    return HfApi(endpoint=sim.url, token=READ)
