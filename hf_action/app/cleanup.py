"""``operation: cleanup-previews``: delete the previews whose pull request is closed.

Meant for a scheduled workflow, for the previews a missed close event left behind (workflow
disabled, run cancelled, a bug). A Space is a preview of the base Space only when its name is
exactly what ``preview-name`` gives for some pull request number (``preview_number``), and it is
deleted only when GitHub says that pull request is closed: anything uncertain is kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hf_action.app.context import RunContext
from hf_action.github.deployments import Deployments, environment_name
from hf_action.github.pulls import CLOSED, pull_states
from hf_action.github.runner import Runner
from hf_action.hub.client import hub_step
from hf_action.hub.explain import cannot_delete
from hf_action.inputs import Inputs, deployment_wanted
from hf_action.preview import preview_number
from hf_action.text import counted

if TYPE_CHECKING:
    from huggingface_hub import HfApi

_KEPT = {
    "open": "kept: pull request open",
    "missing": "kept: no such pull request",
    "unknown": "kept: GitHub did not answer",
}


@dataclass
class Preview:
    """One preview Space found on the Hub and what became of it."""

    space_id: str
    number: int
    state: str = "unknown"  # open, closed, merged, missing, unknown (GitHub did not answer)
    action: str = "kept"
    hardware: str | None = None  # as the Hub's runtime shows it; None: it did not say


@dataclass
class Cleanup:
    """The run's record: every preview found, for the outputs and the step summary."""

    base_id: str
    dry_run: bool
    previews: list[Preview] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def deleted(self) -> list[str]:
        return [p.space_id for p in self.previews if p.action in ("deleted", "would delete")]


def find_previews(api: HfApi, base_id: str, template: str) -> list[Preview]:
    """The base Space's previews on the Hub: every Space of its owner, kept by exact name."""
    owner = base_id.split("/")[0]
    with hub_step(f"list the Spaces of {owner}", base_id):
        spaces = [info.id for info in api.list_spaces(author=owner)]
    found = [(s, preview_number(s, base_id, template)) for s in spaces]
    return sorted((Preview(s, n) for s, n in found if n is not None), key=lambda p: p.number)


def cleanup_previews(api: HfApi, inputs: Inputs, base_id: str, ctx: RunContext) -> Cleanup:
    """Find the previews, ask GitHub about their pull requests, delete the closed ones' previews."""
    github, runner = ctx.github, ctx.runner
    if inputs.keyless:
        raise cannot_delete(inputs.operation, base_id)  # the Hub would answer a bare 403
    started = time.monotonic()
    report = Cleanup(base_id, inputs.dry_run, find_previews(api, base_id, inputs.preview_name))
    repository = github.repository
    runner.info(f"{counted(len(report.previews), 'preview Space')} of {base_id} on the Hub")
    for preview in report.previews:
        preview.hardware = _hardware(api, preview.space_id)
        runner.info(
            f"  {preview.space_id} (#{preview.number}): {preview.hardware or 'hardware unknown'}"
        )
    states, failures = pull_states(
        inputs.github_token or "", repository, github.api_url, [p.number for p in report.previews]
    )
    if failures:
        runner.warning(
            f"GitHub did not say whether {counted(len(failures), 'pull request')} of {repository}"
            f" {'is' if len(failures) == 1 else 'are'} closed, so their previews are kept:"
            f" {'; '.join(failures[:5])}",
            title="Previews kept",
        )
    deployments = Deployments(
        inputs.github_token or "", repository, github,
        lambda message: runner.warning(message, title="Deployment not updated"),
    )  # fmt: skip
    for preview in report.previews:
        preview.state = states.get(preview.number, "unknown")
        if preview.state not in CLOSED:
            preview.action = _KEPT.get(preview.state, "kept")
        elif inputs.dry_run:
            preview.action = "would delete"
        else:
            _delete(api, preview, runner)
            if deployment_wanted(inputs.github_deployment, preview=True):
                deployments.deactivate(
                    environment_name(inputs.environment, base_id, preview.number)
                )
    if inputs.dry_run and report.deleted:
        runner.notice(
            f"Dry run: would delete {counted(len(report.deleted), 'preview')}:"
            f" {', '.join(report.deleted)}",
            title="Dry run",
        )
    report.seconds = time.monotonic() - started
    return report


def _hardware(api: HfApi, space_id: str) -> str | None:
    """The preview's hardware, for the record only: a preview whose pull request closed is deleted
    whatever it runs on (a flavor changed by hand included), and an unreadable one is no reason to
    keep it."""
    from huggingface_hub.errors import HfHubHTTPError

    try:
        runtime = api.get_space_runtime(space_id)
    except HfHubHTTPError:
        return None
    return runtime.requested_hardware or runtime.hardware


def _delete(api: HfApi, preview: Preview, runner: Runner) -> None:
    with hub_step("delete the preview", preview.space_id):
        api.delete_repo(preview.space_id, repo_type="space", missing_ok=True)
    preview.action = "deleted"
    runner.info(f"Deleted {preview.space_id}: pull request #{preview.number} is {preview.state}")
