"""Which Space a run works on: the base Space, or a pull request's preview of it (whether, which one,
what a fork may see). The rules themselves are pure (preview.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hf_action.errors import InputError
from hf_action.github.runner import Runner
from hf_action.inputs import Inputs
from hf_action.preview import (
    PreviewAction,
    PullRequest,
    fork_note,
    preview_action,
    preview_enabled,
    preview_space_id,
    secrets_allowed,
)  # fmt: skip

DEPENDABOT = "dependabot[bot]"


@dataclass(frozen=True)
class Route:
    """What the event makes of this run, decided before the inputs are parsed."""

    raw: Mapping[str, str]  # the raw inputs, with operation 'delete' when a PR closes
    pr: PullRequest | None  # set when the run works on this pull request's preview Space
    stop: bool = False  # nothing to do: the run ends here, successfully


@dataclass(frozen=True)
class Destination:
    """The Space this run works on and what it may carry there."""

    space_id: str
    secrets: dict[str, str]
    notes: list[str]  # shown in the summary and the PR comment
    source_sha: str | None = None  # the pull request's head commit, for a preview
    preview: bool = False


def route_event(
    raw: Mapping[str, str], pr: PullRequest | None, runner: Runner, *, actor: str = ""
) -> Route:
    """Preview or not; a fork PR without a token skips; a closed PR only deletes its preview."""
    try:
        is_preview = preview_enabled(raw.get("preview") or "auto", pr)
    except ValueError as exc:
        raise InputError("preview", str(exc)) from None
    if pr is None or not is_preview:
        return Route(raw, None)
    if not (raw.get("hf-token") or "").strip():
        _skip_without_token(pr, runner, actor)
        return Route(raw, pr, stop=True)
    closing = preview_action(pr.action)[0] is PreviewAction.DELETE
    if closing and (raw.get("operation") or "").strip().lower() in ("", "deploy"):
        # A closed PR only deletes its preview: the checkout (path, card) is irrelevant.
        raw = {**raw, "operation": "delete"}
    return Route(raw, pr)


def _skip_without_token(pr: PullRequest, runner: Runner, actor: str) -> None:
    """Forks and Dependabot get no Actions secrets: skip, green. A pull request from this
    repository does, so an empty hf-token there is a missing or misnamed secret: fail."""
    if pr.is_fork:
        reason = "GitHub gives no secrets to workflows of fork PRs"
        fix = "A maintainer can deploy it by pushing the branch to this repository."
    elif DEPENDABOT in (actor.lower(), pr.author.lower()):
        reason = "Dependabot's runs get Dependabot secrets only"
        fix = "Add HF_TOKEN as a Dependabot secret too to preview its pull requests."
    else:
        raise InputError(
            "hf-token",
            f"is empty on pull request #{pr.number}, which comes from this repository (not a "
            "fork), so the secret it is given is missing or misnamed.",
            "Add the repository secret HF_TOKEN (Settings > Secrets and variables > Actions) with "
            "a write token from https://huggingface.co/settings/tokens and pass "
            "hf-token: ${{ secrets.HF_TOKEN }}.",
        )
    runner.notice(
        f"No hf-token on this pull request ({reason}): the preview is skipped. {fix}",
        title="Preview skipped",
    )
    runner.set_output("preview", "false")


def ignored(pr: PullRequest, runner: Runner) -> bool:
    """An event that asks nothing of the preview (labels, edits...): say so and stop."""
    action, reason = preview_action(pr.action)
    if action is not PreviewAction.IGNORE:
        return False
    runner.notice(reason, title="Nothing to do")
    runner.set_output("preview", "true")
    return True


def destination(
    inputs: Inputs, pr: PullRequest | None, base_id: str, runner: Runner
) -> Destination:
    """The base Space, or this PR's preview of it, with the secrets a fork's code may read."""
    if pr is None:
        return Destination(base_id, inputs.secrets, [])
    space_id = _preview_id(base_id, pr.number, inputs.preview_name)
    runner.info(f"Preview for pull request #{pr.number}: {space_id}")
    if not pr.is_fork:
        return Destination(space_id, inputs.secrets, [], pr.head_sha, preview=True)
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
    return Destination(space_id, secrets, [note], pr.head_sha, preview=True)


def _preview_id(base_id: str, number: int, template: str) -> str:
    try:
        return preview_space_id(base_id, number, template)
    except ValueError as exc:
        raise InputError(
            "preview-name", str(exc), "Use {name} and {number} with letters, digits, '-', '_', '.'."
        ) from None
