"""Which Space a run works on: the base Space, or a pull request's preview of it (whether, which one,
how visible, on what hardware, with which secrets and variables, what an untrusted pull request
gets). The rules themselves are pure (preview.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from hf_action.errors import InputError
from hf_action.github.runner import Runner
from hf_action.inputs import CPU_BASIC, EnvMode, Inputs
from hf_action.preview import (
    FORK_RULE,
    BaseVisibility,
    PreviewSettings,
    PullRequest,
    SetFrom,
    fork_note,
    preview_space_id,
    preview_visibility,
)  # fmt: skip


@dataclass(frozen=True)
class Destination:
    """The Space this run works on and what it sets there, the base Space it is named from and the
    pull request it previews (None: the base Space itself)."""

    space_id: str
    secrets: dict[str, str]
    notes: list[str]  # shown in the summary and the PR comment
    base_id: str
    pr: PullRequest | None = None
    visibility: str | None = None  # to set on the Space; None: the creation default, or leave it
    hardware: str | None = None  # None: leave it (cpu-basic when created)
    sleep_time: int | None = None
    variables: dict[str, str] = field(default_factory=dict)
    secrets_mode: EnvMode = EnvMode.MERGE
    variables_mode: EnvMode = EnvMode.MERGE
    settings: PreviewSettings | None = None  # a preview's, as the reports tell them

    @classmethod
    def production(cls, inputs: Inputs, base_id: str) -> Destination:
        """The base Space, with every setting as the inputs give it."""
        return cls(
            base_id, inputs.secrets, [], base_id,
            visibility=inputs.visibility, hardware=inputs.hardware, sleep_time=inputs.sleep_time,
            variables=inputs.variables, secrets_mode=inputs.secrets_mode,
            variables_mode=inputs.variables_mode,
        )  # fmt: skip

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
    it), on the preview's hardware, with the preview's secrets and variables (none of the secrets
    for an untrusted pull request)."""
    if pr is None:
        return Destination.production(inputs, base_id)
    space_id = _preview_id(base_id, pr.number, inputs.preview_name)
    runner.info(f"Preview for pull request #{pr.number}: {space_id}")
    if pr.untrusted:
        runner.notice(FORK_RULE, title="Untrusted pull request")
    secrets, secrets_from = _chosen(inputs.preview_secrets, inputs.secrets, pr.untrusted)
    variables, variables_from = _chosen(inputs.preview_variables, inputs.variables, False)
    hardware = inputs.preview_hardware
    settings = PreviewSettings(
        hardware,
        None if hardware == CPU_BASIC else inputs.preview_sleep_time,
        secrets_from,
        variables_from,
        tuple(secrets),
        tuple(variables),
    )
    if inputs.operation == "deploy":
        runner.info(f"Preview settings: {settings.named()}")
    note = fork_note(pr)
    return Destination(
        space_id, secrets, [note] if note else [], base_id, pr,
        visibility=_visibility(inputs, base_id, runner, read_base),
        hardware=hardware, sleep_time=settings.sleep_time, variables=variables,
        secrets_mode=_mode(secrets_from, inputs.secrets_mode),
        variables_mode=_mode(variables_from, inputs.variables_mode),
        settings=settings,
    )  # fmt: skip


def _chosen(
    given: Mapping[str, str] | None, space: Mapping[str, str], withheld: bool
) -> tuple[dict[str, str], SetFrom]:
    """A preview's set: none for an untrusted pull request, the `preview-*` one when given, else
    the base Space's."""
    if withheld:
        return {}, SetFrom.WITHHELD
    if given is not None:
        return dict(given), SetFrom.PREVIEW
    return dict(space), SetFrom.SPACE


def _mode(source: SetFrom, asked: EnvMode) -> EnvMode:
    """A preview holds exactly its own set (`preview-*`, or none): whatever it held before (the base
    Space's set, given earlier, or added by hand) is deleted. Else as asked."""
    return asked if source is SetFrom.SPACE else EnvMode.EXACT


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
