"""One run of the action, shared by the GitHub entrypoint and the CLI: mask, validate, pick the target,
run the operation, report. Expected failures end in one `::error::` line and exit code 1."""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from hf_action.app import previews
from hf_action.app.deployment import RunDeployment, open_deployment
from hf_action.app.previews import PreviewComment
from hf_action.app.report import summary_markdown, write_outputs
from hf_action.envblock import MIN_MASKED, parse_env_block, short_keys, values_to_mask
from hf_action.errors import ActionError, BuildFailed, EnvFormatError
from hf_action.github.event import load_pull_request
from hf_action.github.runner import Runner, workspace_from_env
from hf_action.hub import keyless
from hf_action.hub.urls import endpoint
from hf_action.inputs import Inputs, parse_inputs
from hf_action.outcome import Outcome
from hf_action.preview import PullRequest, preview_enabled

if TYPE_CHECKING:
    from huggingface_hub import HfApi


def mask_raw(runner: Runner, raw: Mapping[str, str]) -> None:
    """Before anything else is printed: the tokens and every secret value, even malformed ones."""
    runner.mask((raw.get("hf-token") or "").strip())
    runner.mask((raw.get("github-token") or "").strip())
    for value in values_to_mask(raw.get("secrets")):
        runner.mask(value)
    try:
        parsed = parse_env_block(raw.get("secrets"), kind="secret")
    except EnvFormatError:
        return  # values_to_mask covered it; the input error comes next
    for value in parsed.values():
        runner.mask(value)
    if short := short_keys(parsed):
        runner.warning(
            f"The secret{'s' if len(short) > 1 else ''} {', '.join(short)} {'are' if len(short) > 1 else 'is'}"
            f" shorter than {MIN_MASKED} characters: set on the Space but not masked in the log"
            " (masking so short a string would hide it in every commit sha and number). Pass values"
            " that are not secret as variables.",
            title="Short secrets not masked",
        )


class Report:
    """Where a run's end goes: step outputs, the step summary, the PR comment once there is one."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.started = time.monotonic()
        self.comment: PreviewComment | None = None
        self.deployment: RunDeployment | None = None

    def done(self, outcome: Outcome) -> int:
        """One measurement of the run (from its start): the summary and the log say the same."""
        outcome.timed(self.started)
        if self.deployment is not None:
            self.deployment.finished(outcome)
        self._outputs(outcome)
        if self.comment is not None:
            self.comment.finished(outcome)
        self.runner.info(
            f"Done in {outcome.seconds:.1f}s: {outcome.space_url} ({outcome.stage or 'no stage'})"
        )
        return 0

    def failed(self, exc: Exception) -> int:
        """One error line; the outcome of what was done before the failure is still reported."""
        if self.deployment is not None:
            self.deployment.failed(exc.outcome if isinstance(exc, ActionError) else None)
        if isinstance(exc, BuildFailed):
            self._build_failed(exc)
        elif isinstance(exc, ActionError):
            self.runner.error(exc.line, title=exc.title)
            if exc.outcome is not None:  # a commit was made before the failure
                exc.outcome.failure = exc.message
                self._outputs(exc.outcome.timed(self.started))
            if self.comment is not None:  # it may already say "building": do not leave it so
                self.comment.update("failed", None, failure=exc.message)
        else:  # a bug, or a failure we did not foresee: one error line, details folded
            with self.runner.group(f"Traceback ({type(exc).__name__})"):
                self.runner.info("".join(traceback.format_exception(exc)))
            self.runner.error(
                f"Unexpected {type(exc).__name__}: {exc}. This is a bug or an unforeseen failure:"
                " please report it with the traceback folded above.",
                title="hf-deploy internal error",
            )
        return 1

    def _build_failed(self, exc: BuildFailed) -> None:
        if exc.log_tail:
            with self.runner.group(f"{exc.stage}: last lines of the log"):
                self.runner.untrusted_block(exc.log_tail)
        self.runner.error(exc.line, title=exc.title)
        if exc.outcome is not None:
            self._outputs(exc.outcome.timed(self.started))
        if self.comment is not None:
            own = exc.outcome is not None and exc.outcome.failure
            self.comment.update("failed", exc.outcome, failure=None if own else exc.message)

    def _outputs(self, outcome: Outcome) -> None:
        write_outputs(self.runner, outcome)
        self.runner.add_summary(summary_markdown(outcome))


def run(raw: Mapping[str, str], env: Mapping[str, str], runner: Runner) -> int:
    mask_raw(runner, raw)
    runner.mask((env.get(keyless.REQUEST_TOKEN) or "").strip())  # GitHub's, for the id token
    report = Report(runner)
    try:
        outcome = _dispatch(raw, env, runner, report)
    except Exception as exc:
        return report.failed(exc)
    return 0 if outcome is None else report.done(outcome)


def _dispatch(
    raw: Mapping[str, str], env: Mapping[str, str], runner: Runner, report: Report
) -> Outcome | None:
    """inputs -> the Space to work on -> the operation; None when the event asks for nothing."""
    pr = load_pull_request(env)
    oidc = keyless.wanted(raw, env)  # no hf-token, and the job may mint a GitHub OIDC id token
    if oidc and _previewing(raw, pr):
        raise keyless.preview_error()  # before minting anything: a preview creates a new Space
    route = previews.route(raw, pr, runner, actor=env.get("GITHUB_ACTOR") or "")
    if route.stop:
        return None
    if not oidc and not (route.raw.get("hf-token") or "").strip():
        raise keyless.no_token_error()
    inputs = parse_inputs(
        route.raw,
        workspace_from_env(env),
        token_required=not oidc,
        hardware_names=_hardware_names(route.raw, runner),
    )
    pr = route.pr
    if pr is not None and previews.ignored(pr, runner):
        return None
    if oidc:
        inputs = _keyless(inputs, env, runner)
    api, base_id = _connect(inputs, runner)
    if inputs.operation == "cleanup-previews":
        from hf_action.app.cleanup import run_cleanup  # see _connect

        run_cleanup(api, inputs, base_id, runner, env)
        return None
    where = previews.target(inputs, pr, base_id, runner)
    report.deployment = open_deployment(inputs, env, runner, pr, base_id, where.space_id)
    report.comment = previews.open_comment(inputs, env, runner, pr, base_id, where)
    outcome = _operate(api, inputs, env, runner, pr, where)
    outcome.notes += where.notes
    return outcome


def _previewing(raw: Mapping[str, str], pr: PullRequest | None) -> bool:
    try:
        return preview_enabled(raw.get("preview") or "auto", pr)
    except ValueError:
        return False  # previews.route reports the bad input


def _hardware_names(raw: Mapping[str, str], runner: Runner) -> tuple[str, ...]:
    """huggingface_hub's SpaceHardware values, loaded only when `hardware` is set (cold start), and
    the Hub's listing when the library does not know the name."""
    wanted = (raw.get("hardware") or "").strip().lower()
    if not wanted:
        return ()
    from hf_action.hub.client import prepare_client
    from hf_action.hub.space import hub_hardware, library_hardware

    # The client's environment first: huggingface_hub reads it at import.
    prepare_client(runner.info)
    names = library_hardware()
    return names if wanted in names else names + tuple(n for n in hub_hardware() if n not in names)


def _keyless(inputs: Inputs, env: Mapping[str, str], runner: Runner) -> Inputs:
    """No hf-token, but the job may mint an OIDC id token: exchange it for a token on the Space."""
    from hf_action.hub.client import prepare_client  # see _connect

    prepare_client(runner.info)
    runner.info(
        f"No hf-token: keyless deploy, exchanging this job's GitHub OIDC id token at {endpoint()}"
        f" for a token on spaces/{inputs.space}."
    )
    got = keyless.exchange(inputs.space, endpoint(), env, runner.mask)
    runner.info(f"Keyless: the Hub issued a token for {got.resource}, valid {got.expires_in}s.")
    if inputs.wait and inputs.timeout > got.expires_in:
        runner.warning(
            f"timeout ({inputs.timeout:.0f}s) is longer than the keyless token lives"
            f" ({got.expires_in}s): a longer wait would lose access to the Space.",
            title="Keyless token expires before the timeout",
        )
    return replace(inputs, token=got.token, keyless=True)


def _connect(inputs: Inputs, runner: Runner) -> tuple[HfApi, str]:
    """The Hub client, once the token proves it may write to the Space's namespace."""
    # Imported here, not at the top: a run that stops before the Hub (bad input, an ignored PR event)
    # starts without loading httpx2 and the deploy modules (~0.1 s of a cold start).
    from hf_action.hub.client import check_can_write, hub_step, make_api, whoami

    api = make_api(inputs.token, runner.info)
    with hub_step("check the token (whoami)", inputs.space):
        identity = whoami(api)
    base_id = inputs.space if "/" in inputs.space else f"{identity.user}/{inputs.space}"
    check_can_write(identity, base_id.split("/")[0])
    return api, base_id


def _operate(
    api: HfApi,
    inputs: Inputs,
    env: Mapping[str, str],
    runner: Runner,
    pr: PullRequest | None,
    where: previews.Destination,
) -> Outcome:
    is_preview = pr is not None
    if inputs.operation == "deploy":
        from hf_action.app.deploy import Target, run_deploy  # see _connect

        target = Target(where.space_id, where.secrets, pr.head_sha if pr else None, is_preview)
        return run_deploy(api, inputs, target, runner, env)
    from hf_action.app.manage import run_operation  # see _connect

    return run_operation(api, inputs, where.space_id, runner, preview=is_preview)
