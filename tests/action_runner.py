"""Run the action the way the GitHub runner does: `INPUT_*` env (hyphens kept), an event file,
an output file and a summary file, in a fresh process. Every value passed as a secret is recorded so the
suite-wide leak guard can look for it afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRET_INPUTS = ("hf-token", "github-token")
SECRET_BLOCKS = ("secrets", "preview-secrets")


def step_variables(
    inputs: Mapping[str, str],
    env: Mapping[str, str],
    *,
    workspace: str,
    event_name: str,
    event_path: str,
    files: Mapping[str, str],
    hub_url: str,
) -> dict[str, str]:
    """What GitHub's runner hands a step (actions/runner): its variables, the step's files
    (`files`: GITHUB_OUTPUT, GITHUB_STEP_SUMMARY...), the workflow's `env:` for the step (the
    simulated Hub, fast; `env` on top) and the inputs as `INPUT_<NAME>`, hyphens kept. Both
    harnesses use it: the entrypoint in a process (here), the image in a container
    (tests/container/conftest.py)."""
    return {
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_WORKSPACE": workspace,
        "GITHUB_EVENT_PATH": event_path,
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_REPOSITORY": "octo-org/octo-app",
        "GITHUB_REPOSITORY_OWNER": "octo-org",
        "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_API_URL": "https://api.github.com",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_JOB": "deploy",
        "GITHUB_ACTION": "__octo-org_hf-deploy",
        "GITHUB_ACTOR": "octocat",
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        **files,
        "HF_ENDPOINT": hub_url,
        "HF_DEPLOY_POLL_SCALE": "0.05",
        "HF_DEPLOY_BACKOFF_SCALE": "0.01",
        **env,
        **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
    }


@dataclass
class ActionResult:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    commands: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("::error")]

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("::warning")]

    @property
    def notices(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("::notice")]

    def assert_ok(self) -> ActionResult:
        assert self.returncode == 0, (
            f"action failed ({self.returncode}):\n{self.stdout}\n{self.stderr}"
        )
        return self


def parse_outputs(text: str, names: Collection[str] | None = None) -> dict[str, str]:
    """Step outputs as the runner's GITHUB_OUTPUT file holds them (`name=value`, or `name<<DELIM`, the
    lines, `DELIM`), and as plain mode prints them among other lines (`names`: the outputs to take)."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        heredoc = re.match(r"^([^<=]+)<<(.+)$", lines[i])
        name, sep, value = lines[i].partition("=")
        if heredoc and (names is None or heredoc[1] in names):
            j = lines.index(heredoc[2], i + 1)
            outputs[heredoc[1]] = "\n".join(lines[i + 1 : j])
            i = j
        elif sep and (names is None or name in names):
            outputs[name] = value
        i += 1
    return outputs


class ActionHarness:
    def __init__(self, tmp: Path, hub_url: str, leak_guard: list[str]) -> None:
        self.tmp = tmp
        self.hub_url = hub_url
        self.workspace = tmp / "workspace"
        self.workspace.mkdir(exist_ok=True)
        self.leak_guard = leak_guard
        self.runs = 0
        self.extra_env: dict[str, str] = {}

    def run(
        self,
        inputs: dict[str, str],
        *,
        event_name: str = "push",
        event: dict | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> ActionResult:
        self.runs += 1
        out = self.tmp / f"output-{self.runs}.txt"
        summary = self.tmp / f"summary-{self.runs}.md"
        event_path = self.tmp / f"event-{self.runs}.json"
        event_path.write_text(json.dumps(event or {}))
        out.touch()
        summary.touch()
        base = {
            k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "HF_"))
        }
        files = {"GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary)}
        env = {
            # hf_xet keeps shard and chunk caches under HF_HOME: one per test, so no test dedups
            # against what another uploaded (each has its own Hub) and ~/.cache stays untouched.
            "HF_HOME": str(self.tmp / "hf-home"),
            "PYTHONPATH": str(ROOT),
            **self.extra_env,
            **(env or {}),
        }
        base.update(
            step_variables(
                inputs, env, workspace=str(self.workspace), event_name=event_name,
                event_path=str(event_path), files=files, hub_url=self.hub_url,
            )
        )  # fmt: skip
        for name in SECRET_INPUTS:
            if inputs.get(name):
                self.leak_guard.append(inputs[name])
        for block in SECRET_BLOCKS:  # production's secrets and the previews'
            if inputs.get(block):
                from hf_action.envblock import parse_env_block
                from hf_action.errors import EnvFormatError

                with contextlib.suppress(EnvFormatError):
                    self.leak_guard.extend(
                        v
                        for v in parse_env_block(inputs[block], kind="secret").values()
                        if len(v) >= 6
                    )
        proc = subprocess.run(
            [sys.executable, str(ROOT / "entrypoint.py")], env=base, capture_output=True, text=True,
            timeout=timeout, cwd=self.workspace,
        )  # fmt: skip
        (self.tmp / f"stdout-{self.runs}.txt").write_text(proc.stdout)
        (self.tmp / f"stderr-{self.runs}.txt").write_text(proc.stderr)
        return ActionResult(
            proc.returncode,
            proc.stdout,
            proc.stderr,
            parse_outputs(out.read_text()),
            summary.read_text(),
        )

    def scan_for_leaks(self) -> list[tuple[str, str]]:
        """Every file the runs wrote and every line they printed (the leak guard drops ::add-mask:: lines)."""
        return [
            (path.name, path.read_text(errors="replace"))
            for path in sorted(self.tmp.glob("*"))
            if path.is_file() and path.suffix in (".txt", ".md")
        ]
