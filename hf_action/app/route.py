"""Which Space a run works on: the base Space, or a pull request's preview of it (whether, which one,
what a fork may see). The rules themselves are pure (preview.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hf_action.errors import InputError
from hf_action.github.runner import Runner
from hf_action.inputs import Inputs
from hf_action.preview import (
    BaseVisibility,
    PullRequest,
    fork_note,
    preview_space_id,
    preview_visibility,
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
    visibility: str | None = None  # to set on the Space; None: the creation default, or leave it

    @property
    def preview(self) -> bool:
        return self.pr is not None

    @property
    def source_sha(self) -> str | None:
        """The pull request's head commit, for a preview."""
        return self.pr.head_sha if self.pr else None


def destination(
    inputs: Inputs,
    pr: PullRequest | None,
    base_id: str,
    runner: Runner,
    read_base: Callable[[], BaseVisibility],
) -> Destination:
    """The base Space, or this PR's preview of it: no more visible than the base (`read_base` reads
    it), with the secrets a fork's code may read."""
    if pr is None:
        return Destination(base_id, inputs.secrets, [], base_id, visibility=inputs.visibility)
    space_id = _preview_id(base_id, pr.number, inputs.preview_name)
    runner.info(f"Preview for pull request #{pr.number}: {space_id}")
    visibility = _visibility(inputs, base_id, runner, read_base)
    if not pr.is_fork:
        return Destination(space_id, inputs.secrets, [], base_id, pr, visibility)
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
    return Destination(space_id, secrets, [note], base_id, pr, visibility)


def _visibility(
    inputs: Inputs, base_id: str, runner: Runner, read_base: Callable[[], BaseVisibility]
) -> str | None:
    """The preview's visibility (preview.preview_visibility), said in the log. The base is read only
    for a deploy that does not name the preview's visibility."""
    if inputs.operation != "deploy":
        return None
    explicit = inputs.preview_visibility
    base = BaseVisibility.MISSING if explicit is not None else read_base()
    visibility, reason = preview_visibility(explicit, inputs.visibility, base, base_id)
    runner.info(f"Preview visibility: {visibility or 'unchanged (public when created)'}; {reason}.")
    return visibility


def _preview_id(base_id: str, number: int, template: str) -> str:
    try:
        return preview_space_id(base_id, number, template)
    except ValueError as exc:
        raise InputError(
            "preview-name", str(exc), "Use {name} and {number} with letters, digits, '-', '_', '.'."
        ) from None
