"""Shared fixtures: a fast simulator and real huggingface_hub clients pointed at it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The client reads these at import time: set them before anything imports huggingface_hub.
os.environ["HF_HUB_DISABLE_XET"] = "1"  # Xet is out of scope for the simulator: force LFS
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1"

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import pytest  # noqa: E402

from hubsim import HubSim  # noqa: E402

WRITE, READ = "hf_write_token", "hf_read_token"


@pytest.fixture
def sim():
    """Simulator with fast timings (stale 50 ms, building 100 ms, starting 50 ms)."""
    with HubSim(user="user", tokens={WRITE: "write", READ: "read"}, time_scale=0.05) as s:
        yield s


@pytest.fixture
def api(sim):
    from huggingface_hub import HfApi

    return HfApi(endpoint=sim.url, token=WRITE)


@pytest.fixture
def read_api(sim):
    from huggingface_hub import HfApi

    return HfApi(endpoint=sim.url, token=READ)
