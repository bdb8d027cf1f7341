"""Fixtures shared by the end-to-end tests: a Hub simulator, the action run as the runner runs it,
and a guard that fails any test whose output contains a token or secret value it used."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from hubsim import HubSim, LifecycleTimings
from tests.action_runner import ROOT, ActionHarness

TOKEN = "hf_e2e_write_token_5d1c2f"
READ_TOKEN = "hf_e2e_read_token_77aa19"


@pytest.fixture
def hub():
    sim = HubSim(user="user", tokens={TOKEN: "write", READ_TOKEN: "read"}, time_scale=1.0)
    sim.lifecycle = LifecycleTimings(stale=0.15, building=0.25, starting=0.1)
    sim.add_org("acme", members={"user": "write"})
    sim.add_org("readers", members={"user": "read"})
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def leak_guard(request):
    """Secrets registered here must not appear in anything the test's runs printed or wrote."""
    values: list[str] = []
    yield values


@pytest.fixture
def action(tmp_path, hub, leak_guard, request):
    harness = ActionHarness(tmp_path, hub.url, leak_guard)
    harness.captured: list[str] = []  # type: ignore[attr-defined]
    yield harness
    leaks = []
    for name, text in harness.scan_for_leaks():
        kept = "\n".join(line for line in text.splitlines() if not line.startswith("::add-mask::"))
        leaks += [
            f"{name} contains a secret ({v[:3]}…)" for v in set(leak_guard) if v and v in kept
        ]
    for name, text in getattr(harness, "captured", []):
        kept = "\n".join(line for line in text.splitlines() if not line.startswith("::add-mask::"))
        leaks += [
            f"{name} contains a secret ({v[:3]}…)" for v in set(leak_guard) if v and v in kept
        ]
    assert not leaks, "secret leaked: " + "; ".join(leaks)


def copy_example(name: str, dest: Path) -> Path:
    shutil.copytree(ROOT / "examples" / name, dest, dirs_exist_ok=True)
    return dest


def git_init(path: Path) -> None:
    """Make `path` a git checkout, as actions/checkout leaves it."""
    run = lambda *a: subprocess.run(["git", *a], cwd=path, check=True, capture_output=True)  # noqa: E731
    run("init", "-q", "-b", "main")
    run("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    run("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
