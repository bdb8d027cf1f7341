"""Fixtures shared by the end-to-end tests: a Hub simulator, the action run as the runner runs it,
and a guard that fails any test whose output contains a token or secret value it used."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hubsim import HubSim, LifecycleTimings, Settings
from tests.action_runner import ROOT, ActionHarness
from tests.fakes.github_api import FakeGitHub

TOKEN = "hf_e2e_write_token_5d1c2f"
READ_TOKEN = "hf_e2e_read_token_77aa19"
GH_TOKEN = "ghs_e2eGitHubToken0123456789abcdefgh"


def hub_writes(hub: HubSim) -> list[str]:
    """Every request the simulated Hub answered that was not a read (method and path)."""
    return [k for k, n in hub.counters.requests.items() if n and not k.startswith("GET ")]


@pytest.fixture(autouse=True, scope="session")
def _hf_home(tmp_path_factory):
    """huggingface_hub and hf_xet inside the test process (hubsim reads Xet files back with hf_xet)
    cache under HF_HOME: keep that in the session's temporary folder, not in ~/.cache."""
    old = os.environ.get("HF_HOME")
    os.environ["HF_HOME"] = str(tmp_path_factory.mktemp("hf-home"))
    yield
    if old is None:
        os.environ.pop("HF_HOME", None)
    else:
        os.environ["HF_HOME"] = old


@pytest.fixture(params=["xet"])
def hub(request):
    """The simulated Hub. Xet on, as in production; `both_lanes` adds the classic-LFS lane (the
    simulator refuses Xet there and the action runs with HF_HUB_DISABLE_XET=1)."""
    settings = Settings(
        time_scale=1.0,  # runtime shape: no `sha`, as in production; test_watch_e2e runs both
        lifecycle=LifecycleTimings(stale=0.15, building=0.25, starting=0.1),
        xet=request.param == "xet",
    )
    sim = HubSim(user="user", tokens={TOKEN: "write", READ_TOKEN: "read"}, settings=settings)
    sim.add_org("acme", members={"user": "write"})
    sim.add_org("readers", members={"user": "read"})
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def gh():
    """The fake GitHub API, at a GHES-style root (/api/v3): GITHUB_API_URL must be honored."""
    with FakeGitHub(token=GH_TOKEN, base_path="/api/v3") as fake:
        yield fake


@pytest.fixture
def leak_guard(request):
    """Secrets registered here must not appear in anything the test's runs printed or wrote."""
    values: list[str] = []
    yield values


def find_leaks(texts: list[tuple[str, str]], values: list[str]) -> list[str]:
    """Which of `texts` contain one of `values`; `::add-mask::` lines are how values get masked, so skip them."""
    leaks = []
    for name, text in texts:
        kept = "\n".join(line for line in text.splitlines() if not line.startswith("::add-mask::"))
        leaks += [
            f"{name} contains a secret ({v[:3]}…)" for v in sorted(set(values)) if v and v in kept
        ]
    return leaks


@pytest.fixture
def action(tmp_path, hub, leak_guard):
    harness = ActionHarness(tmp_path, hub.url, leak_guard)
    if not hub.settings.xet:
        harness.extra_env["HF_HUB_DISABLE_XET"] = "1"  # the classic-LFS lane, as some users run it
    harness.captured: list[tuple[str, str]] = []  # type: ignore[attr-defined]
    yield harness
    texts = harness.scan_for_leaks() + harness.captured  # type: ignore[attr-defined]
    # What reached the Hub counts too: commit messages and files must not carry a secret.
    for repo in list(hub.repos.values()):
        texts += [
            (f"commit {c.oid[:7]} of {repo.repo_id}", f"{c.title}\n{c.message}")
            for c in repo.commits
        ]
        texts += (
            [(f"{repo.repo_id}/README.md", repo.files["README.md"].text())]
            if "README.md" in repo.files
            else []
        )
        texts += [(f"{repo.repo_id} variables", str(repo.variables))]
    leaks = find_leaks(texts, leak_guard)
    assert not leaks, "secret leaked: " + "; ".join(leaks)


# Tests whose subject is the upload path run twice: Xet (production) and classic LFS.
both_lanes = pytest.mark.parametrize("hub", ["xet", "classic"], indirect=True)


def copy_example(name: str, dest: Path) -> Path:
    shutil.copytree(ROOT / "examples" / name, dest, dirs_exist_ok=True)
    return dest


def git_init(path: Path) -> None:
    """Make `path` a git checkout, as actions/checkout leaves it."""
    run = lambda *a: subprocess.run(["git", *a], cwd=path, check=True, capture_output=True)  # noqa: E731
    run("init", "-q", "-b", "main")
    run("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    run("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")


# --- tests of the fakes are not tests of the action ----------------------------------------------
FAKE_TESTS = ("tests/hubsim/", "tests/fakes/", "tests/test_fake_")


def is_fake_test(nodeid: str, keywords) -> bool:
    """Tests of hubsim or the fake GitHub server check the test doubles, not the action."""
    return nodeid.startswith(FAKE_TESTS) or "fake" in keywords


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if is_fake_test(item.nodeid, item.keywords):
            item.add_marker(pytest.mark.fake)


def pytest_terminal_summary(terminalreporter) -> None:
    """Count the action's tests and the fakes' tests apart: `-m "not fake"` runs only the former."""
    reports = [
        r
        for key in ("passed", "failed")
        for r in terminalreporter.stats.get(key, [])
        if r.when == "call"
    ]
    fake = sum(is_fake_test(r.nodeid, r.keywords) for r in reports)
    terminalreporter.write_line(
        f"tests of the action: {len(reports) - fake}; tests of the fakes (hubsim, fake GitHub): {fake}"
    )
