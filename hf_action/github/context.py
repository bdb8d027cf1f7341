"""The job as GitHub's runner describes it: its `GITHUB_*` variables and the step's `INPUT_*`, read
once at the front door (the entrypoint, the CLI, `RunContext`). Nothing else in the package reads
the runner's environment, so a reader finds every fact about the workflow run here (a test holds it)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hf_action.inputs import input_defaults

DEFAULT_SERVER_URL = "https://github.com"
DEFAULT_API_URL = "https://api.github.com"


@dataclass(frozen=True)
class GitHubContext:
    """The workflow run: where it runs, on what, and where its step writes; "" when not set (the
    CLI outside a workflow)."""

    repository: str = ""  # owner/name
    sha: str = ""  # the commit the workflow runs on
    ref_name: str = ""
    server_url: str = DEFAULT_SERVER_URL
    api_url: str = DEFAULT_API_URL  # the REST root: GitHub Enterprise's, or api.github.com
    run_id: str = ""
    actor: str = ""
    event_name: str = ""
    event_path: str = ""  # the triggering event's payload (github/event.py reads it)
    workspace: Path = Path()
    actions: bool = False  # GITHUB_ACTIONS: the runner reads workflow commands on stdout
    output_file: str | None = None  # the step's outputs
    summary_file: str | None = None  # the step's summary
    action_repository: str = ""  # the repository of this action, as the workflow's `uses:` names it
    action_ref: str = ""  # and the ref it names (`v1`, a SHA, `main`)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GitHubContext:
        """The runner's variables; the workspace is the current folder when none is named."""
        return cls(
            repository=env.get("GITHUB_REPOSITORY") or "",
            sha=env.get("GITHUB_SHA") or "",
            ref_name=env.get("GITHUB_REF_NAME") or "",
            server_url=(env.get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL).rstrip("/"),
            api_url=(env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
            run_id=env.get("GITHUB_RUN_ID") or "",
            actor=env.get("GITHUB_ACTOR") or "",
            event_name=env.get("GITHUB_EVENT_NAME", ""),
            event_path=env.get("GITHUB_EVENT_PATH", ""),
            workspace=Path(env.get("GITHUB_WORKSPACE") or os.getcwd()).resolve(),
            actions=env.get("GITHUB_ACTIONS") == "true",
            output_file=env.get("GITHUB_OUTPUT"),
            summary_file=env.get("GITHUB_STEP_SUMMARY") or None,
            action_repository=env.get("GITHUB_ACTION_REPOSITORY") or "",
            action_ref=env.get("GITHUB_ACTION_REF") or "",
        )

    @property
    def docs_base(self) -> str | None:
        """Where this action's docs are, at the ref the workflow runs: a hint's `docs/x.md` becomes
        a link there (github/runner.py). None outside a step that names the action (the CLI, a
        runner that does not say), where the hint keeps the plain name."""
        if not (self.action_repository and self.action_ref):
            return None
        return f"{self.server_url}/{self.action_repository}/blob/{self.action_ref}/docs"

    @property
    def in_runner(self) -> bool:
        """The entrypoint speaks the runner's protocol inside a job (an output file means one)."""
        return self.actions or self.output_file is not None

    @property
    def run_url(self) -> str | None:
        """This workflow run's page."""
        if not (self.repository and self.run_id):
            return None
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"


def step_inputs(env: Mapping[str, str]) -> dict[str, str]:
    """The step's inputs: `INPUT_<NAME>` upper-cased with hyphens kept, as the runner passes them;
    underscores too (`docker run -e` by hand). The names come from action.yml."""
    raw: dict[str, str] = {}
    for name in input_defaults():
        for key in (f"INPUT_{name.upper()}", f"INPUT_{name.upper().replace('-', '_')}"):
            if key in env:
                raw[name] = env[key]
                break
    return raw
