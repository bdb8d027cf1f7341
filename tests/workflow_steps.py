"""The shell steps of this repository's own workflows (.github/workflows), run here as the runner runs
them: the step's `run:` text verbatim, `bash --noprofile --norc -eo pipefail`, its `env:` with each
`${{ expression }}` given by the test. A `run:` holds no expression (zizmor forbids template
injection), so what runs is exactly what ships."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXPRESSION = re.compile(r"^\$\{\{\s*(.+?)\s*\}\}$")


@dataclass(frozen=True)
class Step:
    name: str
    run: str
    env: dict[str, str]  # name -> the expression it is set from, or a literal

    def execute(
        self, cwd: Path, values: dict[str, str], extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Runs the step; `values` answers each expression of its `env:` (a missing one fails)."""
        env = {"PATH": os.environ["PATH"], "HOME": str(cwd), **(extra_env or {})}
        for name, value in self.env.items():
            expression = EXPRESSION.match(value)
            env[name] = values[expression[1]] if expression else value
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", self.run],
            cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip


def step(workflow: str, job: str, name: str) -> Step:
    """The step called `name` of `job` in .github/workflows/`workflow`."""
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))
    (found,) = [s for s in doc["jobs"][job]["steps"] if s.get("name") == name]
    assert "${{" not in found["run"], f"{name}: an expression inside run: is not what the test runs"
    return Step(name, found["run"], {k: str(v) for k, v in (found.get("env") or {}).items()})


def shell_steps(workflow: str) -> list[tuple[str, str]]:
    """(job, step name) of every step with a `run:` in the workflow."""
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))
    return [
        (job_id, s.get("name", "")) for job_id, job in doc["jobs"].items() for s in job["steps"]
        if "run" in s
    ]  # fmt: skip
