"""The action's image run the way GitHub's runner runs a container action (actions/runner's
container step: `docker run --workdir /github/workspace`, the job's folders mounted under /github,
`-e NAME` for every variable with its value in docker's own environment, INPUT_HF-TOKEN hyphen and
all), against hubsim on the host network.

Collected only when HF_DEPLOY_IMAGE names a built image (`bash scripts/image-test` builds it and sets
it); the plain suite leaves these files out. Once collected nothing here skips: no engine is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.action_runner import SECRET_INPUTS, ActionResult, parse_outputs, step_variables

IMAGE = os.environ.get("HF_DEPLOY_IMAGE", "")
if not IMAGE:
    collect_ignore_glob = ["test_*.py"]

# What the runner mounts, host folder name -> path in the container.
MOUNTS = {
    "_github_home": "/github/home",
    "_github_workflow": "/github/workflow",
    "_runner_file_commands": "/github/file_commands",
}


@dataclass
class ContainerRun:
    result: ActionResult
    wall_s: float


class ContainerHarness:
    """One job's runner folders on the host; each `run` is one step of the job in the image."""

    def __init__(self, tmp: Path, hub, leak_guard: list[str]) -> None:
        self.tmp = tmp
        self.hub = hub
        self.leak_guard = leak_guard
        self.workspace = tmp / "work" / "octo-app" / "octo-app"
        self.workspace.mkdir(parents=True)
        self.temp = tmp / "work" / "_temp"
        for name in MOUNTS:
            (self.temp / name).mkdir(parents=True)
        self.runs = 0
        self.volumes: dict[str, str] = {}  # extra host path -> container path (read-only)

    def run(
        self,
        inputs: dict[str, str],
        *,
        event_name: str = "push",
        event: dict | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 180,
    ) -> ContainerRun:
        self.runs += 1
        step = uuid.uuid4().hex[:8]
        commands = self.temp / "_runner_file_commands"
        files = {
            "GITHUB_OUTPUT": f"set_output_{step}",
            "GITHUB_STEP_SUMMARY": f"step_summary_{step}",
            "GITHUB_ENV": f"set_env_{step}",
            "GITHUB_PATH": f"add_path_{step}",
            "GITHUB_STATE": f"save_state_{step}",
        }
        for name in files.values():
            (commands / name).touch()
        (self.temp / "_github_workflow" / "event.json").write_text(json.dumps(event or {}))
        variables = {
            "HOME": "/github/home",
            "RUNNER_TEMP": str(self.temp),  # the runner passes host paths here untranslated
            **step_variables(
                inputs, env or {}, workspace="/github/workspace", event_name=event_name,
                event_path="/github/workflow/event.json",
                files={k: f"/github/file_commands/{v}" for k, v in files.items()},
                hub_url=self.hub.url,
            ),
        }  # fmt: skip
        self.leak_guard.extend(v for n, v in inputs.items() if n in SECRET_INPUTS and v)
        argv = ["docker", "run", "--rm", "--network", "host", "--workdir", "/github/workspace"]
        for name in variables:  # the value comes from docker's own environment, as the runner does
            argv += ["-e", name]
        mounts = {str(self.temp / k): v for k, v in MOUNTS.items()}
        mounts[str(self.workspace)] = "/github/workspace"
        # hubsim's Xet CAS is a local:// folder: the same path inside, so hf_xet finds it.
        mounts[self.hub.xet.root] = self.hub.xet.root
        argv += [a for host, inside in mounts.items() for a in ("-v", f"{host}:{inside}")]
        argv += [a for host, inside in self.volumes.items() for a in ("-v", f"{host}:{inside}:ro")]
        argv.append(IMAGE)
        start = time.perf_counter()
        proc = subprocess.run(
            argv,
            env={"PATH": os.environ["PATH"], **variables},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        wall = time.perf_counter() - start
        (self.tmp / f"stdout-{self.runs}.txt").write_text(proc.stdout)
        (self.tmp / f"stderr-{self.runs}.txt").write_text(proc.stderr)
        return ContainerRun(
            ActionResult(
                proc.returncode,
                proc.stdout,
                proc.stderr,
                parse_outputs((commands / files["GITHUB_OUTPUT"]).read_text()),
                (commands / files["GITHUB_STEP_SUMMARY"]).read_text(),
            ),
            wall,
        )

    def scan_for_leaks(self) -> list[tuple[str, str]]:
        """What the runs printed and every file they wrote to the runner's folders."""
        paths = [*self.tmp.glob("std*-*.txt"), *(self.temp / "_runner_file_commands").iterdir()]
        return [(p.name, p.read_text(errors="replace")) for p in sorted(paths) if p.is_file()]


@pytest.fixture(scope="session", autouse=True)
def _engine() -> None:
    """The engine must answer: a machine without one fails these tests, it does not skip them."""
    proc = subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True, check=False)
    assert proc.returncode == 0, f"image {IMAGE} not available: {proc.stderr.decode()[-500:]}"


@pytest.fixture
def container(tmp_path, hub, leak_guard):
    from tests.conftest import find_leaks

    harness = ContainerHarness(tmp_path, hub, leak_guard)
    yield harness
    leaks = find_leaks(harness.scan_for_leaks(), leak_guard)
    assert not leaks, "secret leaked: " + "; ".join(leaks)
