"""Which Space a run works on: the base Space, or a pull request's preview of it (whether, which one,
what a fork may see). The rules themselves are pure (preview.py)."""

from __future__ import annotations

from dataclasses import dataclass

from hf_action.errors import InputError
from hf_action.github.runner import Runner
from hf_action.inputs import Inputs
from hf_action.preview import (
    PullRequest,
    fork_note,
    preview_space_id,
    secrets_allowed,
)  # fmt: skip


@dataclass(frozen=True)
class Destination:
    """The Space this run works on, what it may carry there, the base Space it is named from and the
    pull request it previews (None: the base Space itself)."""

    space_id: str
    secrets: dict[str, str]
    notes: list[str]  # shown in the summary and the PR comment
    base_id: str
    pr: PullRequest | None = None

    @property
    def preview(self) -> bool:
        return self.pr is not None

    @property
    def source_sha(self) -> str | None:
        """The pull request's head commit, for a preview."""
        return self.pr.head_sha if self.pr else None


def destination(
    inputs: Inputs, pr: PullRequest | None, base_id: str, runner: Runner
) -> Destination:
    """The base Space, or this PR's preview of it, with the secrets a fork's code may read."""
    if pr is None:
        return Destination(base_id, inputs.secrets, [], base_id)
    space_id = _preview_id(base_id, pr.number, inputs.preview_name)
    runner.info(f"Preview for pull request #{pr.number}: {space_id}")
    if not pr.is_fork:
        return Destination(space_id, inputs.secrets, [], base_id, pr)
    secrets = inputs.secrets
    if inputs.secrets and not secrets_allowed(pr, inputs.allow_fork_secrets):
        secrets = {}
        runner.warning(
            "This pull request comes from a fork: its preview runs without the Space "
            "secrets (set allow-fork-secrets: true to change that).",
            title="Secrets withheld from fork preview",
        )
    elif inputs.secrets:
        runner.warning(
            f"This pull request comes from the fork {pr.head_repo or '(deleted)'}: its preview "
            "runs with the Space secrets because allow-fork-secrets is true; its code can "
            "read them.",
            title="Secrets given to fork preview",
        )
    note = fork_note(pr, inputs.allow_fork_secrets and bool(inputs.secrets)) or ""
    return Destination(space_id, secrets, [note], base_id, pr)


def _preview_id(base_id: str, number: int, template: str) -> str:
    try:
        return preview_space_id(base_id, number, template)
    except ValueError as exc:
        raise InputError(
            "preview-name", str(exc), "Use {name} and {number} with letters, digits, '-', '_', '.'."
        ) from None
