"""The front door: what this run is asked to do, decided once from the raw inputs and the event.

`read_request` is the only reader of the raw inputs after masking: it returns the validated `Inputs`
with the route (the base Space, or a pull request's preview), the operation (a closed pull request
deletes its preview) and where the Hub token comes from, or a `Stop` when the event asks for nothing.
Pure: the caller loads the event and says whether the job may mint an OIDC id token.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from hf_action.envblock import parse_env_block, short_keys, values_to_mask
from hf_action.errors import ActionError, EnvFormatError, InputError
from hf_action.inputs import Inputs, TokenSource, parse_inputs
from hf_action.preview import (
    DEPENDABOT,
    FORK_RULE,
    PreviewAction,
    PullRequest,
    preview_action,
    preview_enabled,
)


class StopKind(StrEnum):
    """Why a run ends green before it writes to the Hub."""

    NO_SECRETS = "no-secrets"  # a fork's or Dependabot's pull request: GitHub gives it no hf-token
    IGNORED_EVENT = "ignored-event"  # a pull-request event that asks nothing of the preview
    ROLLBACK_ON_PR = "rollback-on-pr"  # a rollback works on the Space itself, never from a PR
    SUPERSEDED = "superseded"  # a preview run a run of the PR's newer head overtook (app.report)


@dataclass(frozen=True)
class Stop:
    """Nothing for the run to do: one notice, and the `preview` output."""

    kind: StopKind
    notice: str
    title: str
    preview: bool | None  # the `preview` output (was this a preview run); None: not written


@dataclass(frozen=True)
class Request:
    """Everything the run needs from its inputs and event."""

    inputs: Inputs
    pr: PullRequest | None  # set when the run works on this pull request's preview Space

    @property
    def preview(self) -> bool:
        return self.pr is not None


@dataclass(frozen=True)
class Masking:
    """What to mask before anything is printed, and the secrets too short to mask."""

    values: tuple[str, ...]
    short: tuple[str, ...]


SECRET_BLOCKS = ("secrets", "preview-secrets")


def to_mask(raw: Mapping[str, str]) -> Masking:
    """The tokens and every secret value (production's and the previews'), even of a malformed block
    (its input error comes later)."""
    values = [(raw.get("hf-token") or "").strip(), (raw.get("github-token") or "").strip()]
    short: list[str] = []
    for name in SECRET_BLOCKS:
        values += values_to_mask(raw.get(name))
        try:
            parsed = parse_env_block(raw.get(name), kind="secret")
        except EnvFormatError:
            continue  # values_to_mask covered it
        values += list(parsed.values())
        short += [key for key in short_keys(parsed) if key not in short]
    return Masking(tuple(values), tuple(short))


def read_request(
    raw: Mapping[str, str],
    workspace: Path,
    event: PullRequest | None,
    *,
    oidc: bool,
    actor: str = "",
    event_name: str = "pull_request",
    hardware_names: Callable[[str], tuple[str, ...]] = lambda wanted: (),
) -> Request | Stop:
    """The raw inputs and the event (its pull request, if any), validated into a `Request`; `InputError`
    for the first bad one. `oidc`: the job may mint a GitHub OIDC id token (a keyless run when no
    hf-token is given). `event_name`: the event that carried `event`, named in a refusal."""
    token_given = bool((raw.get("hf-token") or "").strip())
    source = TokenSource.INPUT if token_given else TokenSource.KEYLESS if oidc else TokenSource.NONE
    try:
        previewing = preview_enabled(raw.get("preview") or "auto", event)
    except ValueError as exc:
        raise InputError("preview", str(exc)) from None
    if event is not None and event.untrusted and not previewing:
        raise untrusted_to_production_error(event, event_name)
    if source is TokenSource.KEYLESS and previewing:
        raise keyless_preview_error()  # before minting anything: a preview creates a new Space
    pr = event if previewing else None  # the pull request whose preview this run works on
    if pr is not None and not token_given:
        return _no_secrets(pr, actor)
    if source is TokenSource.NONE:
        raise no_token_error()
    closing = pr is not None and preview_action(pr.action)[0] is PreviewAction.DELETE
    inputs = parse_inputs(
        raw, workspace, token_source=source, closing=closing, hardware_names=hardware_names
    )
    if inputs.operation == "rollback" and event is not None:
        notice = (
            "operation: rollback does nothing on pull-request events: it rolls back the Space"
            " itself; run it from a push, a schedule or workflow_dispatch."
        )
        return Stop(StopKind.ROLLBACK_ON_PR, notice, "Rollback skipped", preview=None)
    if pr is not None:
        action, reason = preview_action(pr.action)
        if action is PreviewAction.IGNORE:
            return Stop(StopKind.IGNORED_EVENT, reason, "Nothing to do", preview=True)
    return Request(inputs, pr)


def _no_secrets(pr: PullRequest, actor: str) -> Stop:
    """Forks and Dependabot get no Actions secrets: skip, green. A pull request from this
    repository does, so an empty hf-token there is a missing or misnamed secret: fail."""
    if pr.is_fork:
        reason = "GitHub gives no secrets to workflows of fork PRs"
        fix = "A maintainer can deploy it by pushing the branch to this repository."
    elif DEPENDABOT in (actor.lower(), pr.author.lower()):
        reason = "Dependabot's runs get Dependabot secrets only"
        fix = (
            "Add HF_TOKEN as a Dependabot secret too to preview its pull requests (their previews"
            " get no Space secrets: Dependabot's pull requests are treated like forks)."
        )
    else:
        raise InputError(
            "hf-token",
            f"is empty on pull request #{pr.number}, which comes from this repository (not a "
            "fork), so the secret it is given is missing or misnamed.",
            "Add the repository secret HF_TOKEN (Settings > Secrets and variables > Actions) with "
            "a write token from https://huggingface.co/settings/tokens and pass "
            "hf-token: ${{ secrets.HF_TOKEN }}.",
        )
    notice = f"No hf-token on this pull request ({reason}): the preview is skipped. {fix}"
    return Stop(StopKind.NO_SECRETS, notice, "Preview skipped", preview=False)


def no_token_error() -> InputError:
    return InputError(
        "hf-token",
        "is empty, and this job cannot mint a GitHub OIDC id token for a keyless deploy.",
        "Pass a write token (in a workflow: `hf-token: ${{ secrets.HF_TOKEN }}`; on the command"
        " line: --hf-token or HF_TOKEN), or add `permissions: id-token: write` to the deploying job"
        " for a keyless deploy (the Space needs a trusted publisher for this repository; see"
        " docs/keyless.md).",
    )


def keyless_preview_error() -> ActionError:
    return ActionError(
        "Pull-request previews need an hf-token: each preview is a new Space, and a keyless token"
        " only works on the one existing Space it was issued for, so it cannot create previews.",
        "Pass `hf-token` with a token that can create Spaces in the namespace, or set `preview: false`.",
        title="Keyless previews are not possible",
    )


def untrusted_to_production_error(pr: PullRequest, event_name: str) -> ActionError:
    """`preview: false` on a fork's or Dependabot's pull request would deploy its code to the Space
    itself, with the Space's secrets: refused before anything is read or written."""
    return ActionError(
        f"This {event_name} run is for pull request #{pr.number} from {pr.source}, and preview: false"
        " would deploy its code to the Space itself. " + FORK_RULE,
        "Use preview: auto (the pull request then gets its own preview Space), or run the"
        f" production deploy on push events only, not on {event_name}.",
        title="Untrusted pull request refused",
    )
