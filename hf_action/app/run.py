"""One run of the action, shared by the GitHub entrypoint and the CLI: mask, validate, pick the target,
run the operation, report. Expected failures end in one `::error::` line and exit code 1."""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from hf_action.app.report import Outcome, summary_markdown, write_outputs
from hf_action.envblock import MIN_MASKED, parse_env_block, short_keys, values_to_mask
from hf_action.errors import ActionError, BuildFailed, EnvFormatError, InputError
from hf_action.github.comment import CommentState, StickyComment, github_api_url, marker, render
from hf_action.github.event import load_pull_request
from hf_action.github.runner import Runner, workspace_from_env
from hf_action.hub.urls import space_url
from hf_action.inputs import Inputs, parse_inputs
from hf_action.preview import (
    PreviewAction,
    PullRequest,
    fork_note,
    preview_action,
    preview_enabled,
    preview_space_id,
    secrets_allowed,
)  # fmt: skip


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


def run(raw: Mapping[str, str], env: Mapping[str, str], runner: Runner) -> int:
    mask_raw(runner, raw)
    started = time.monotonic()
    comment = None
    try:
        pr = load_pull_request(env)
        try:
            is_preview = preview_enabled(raw.get("preview") or "auto", pr)
        except ValueError as exc:
            raise InputError("preview", str(exc)) from None
        if pr is not None and is_preview and not (raw.get("hf-token") or "").strip():
            runner.notice(
                "No hf-token on this pull request (GitHub gives no secrets to workflows of fork PRs): "
                "the preview is skipped. A maintainer can deploy it by pushing the branch to this repository.",
                title="Preview skipped",
            )
            runner.set_output("preview", "false")
            return 0
        closing = (
            is_preview and pr is not None and preview_action(pr.action)[0] is PreviewAction.DELETE
        )
        if closing and (raw.get("operation") or "deploy").strip().lower() == "deploy":
            # A closed PR only deletes its preview: the checkout (path, card) is irrelevant.
            raw = {**raw, "operation": "delete"}
        inputs = parse_inputs(raw, workspace_from_env(env))
        if is_preview and pr is not None:
            action, reason = preview_action(pr.action)
            if action is PreviewAction.IGNORE:
                runner.notice(reason, title="Nothing to do")
                runner.set_output("preview", "true")
                return 0
            if action is PreviewAction.DELETE and inputs.operation == "deploy":
                inputs = _replace(inputs, operation="delete")

        # Imported here, not at the top: a run that stops before the Hub (bad input, an ignored PR event)
        # starts without loading httpx2 and the deploy modules (~0.1 s of a cold start).
        from hf_action.hub.client import check_can_write, explain, make_api, whoami

        api = make_api(inputs.token, runner.info)
        try:
            identity = whoami(api)
        except Exception as exc:
            raise explain(exc, action="check the token (whoami)", space_id=inputs.space) from None
        base_id = inputs.space if "/" in inputs.space else f"{identity.user}/{inputs.space}"
        check_can_write(identity, base_id.split("/")[0])
        space_id = (
            _preview_id(base_id, pr.number, inputs.preview_name) if (is_preview and pr) else base_id
        )
        if is_preview:
            runner.info(f"Preview for pull request #{pr.number}: {space_id}")

        notes: list[str] = []  # shown in the summary and the PR comment
        secrets = inputs.secrets
        if is_preview and pr is not None and pr.is_fork:
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
            notes.append(fork_note(pr, inputs.allow_fork_secrets and bool(inputs.secrets)) or "")

        if is_preview and pr is not None and inputs.comment and inputs.github_token:
            comment = _Comment(inputs, env, runner, pr, base_id, space_id, notes)
            if inputs.operation == "deploy" and not inputs.dry_run:
                comment.update("building", None)

        if inputs.operation == "deploy":
            from hf_action.app.deploy import Target, run_deploy

            target = Target(space_id, secrets, pr.head_sha if pr else None, preview=is_preview)
            outcome = run_deploy(api, inputs, target, runner, env)
        else:
            from hf_action.app.manage import run_operation

            outcome = run_operation(api, inputs, space_id, runner, preview=is_preview)
        outcome.notes += notes
        _report(runner, outcome)
        if comment is not None:
            if outcome.space_deleted:
                # Edit the comment of a preview that had one; never create one just to say "removed".
                comment.update("removed", outcome, create=False)
            else:
                comment.update("running" if outcome.stage == "RUNNING" else "building", outcome)
        runner.info(
            f"Done in {time.monotonic() - started:.1f}s: {outcome.space_url} ({outcome.stage or 'no stage'})"
        )
        return 0
    except BuildFailed as exc:
        outcome = getattr(exc, "outcome", None)
        if exc.log_tail:
            with runner.group(f"{exc.stage}: last lines of the log"):
                runner.untrusted_block(exc.log_tail)
        runner.error(exc.line, title=exc.title)
        if outcome is not None:
            _report(runner, outcome)
        if comment is not None:
            own = outcome is not None and outcome.failure
            comment.update("failed", outcome, failure=None if own else exc.message)
        return 1
    except ActionError as exc:
        runner.error(exc.line, title=exc.title)
        if getattr(exc, "outcome", None) is not None:  # a commit was made before the failure
            exc.outcome.failure = exc.message
            _report(runner, exc.outcome)
        if comment is not None:  # it may already say "building": do not leave it so
            comment.update("failed", None, failure=exc.message)
        return 1
    except (
        Exception
    ) as exc:  # a bug, or a failure we did not foresee: one error line, details folded
        with runner.group(f"Traceback ({type(exc).__name__})"):
            runner.info(traceback.format_exc())
        runner.error(
            f"Unexpected {type(exc).__name__}: {exc}. This is a bug or an unforeseen failure: please"
            " report it with the traceback folded above.",
            title="hf-deploy internal error",
        )
        return 1


def _preview_id(base_id: str, number: int, template: str) -> str:
    try:
        return preview_space_id(base_id, number, template)
    except ValueError as exc:
        raise InputError(
            "preview-name", str(exc), "Use {name} and {number} with letters, digits, '-', '_', '.'."
        ) from None


def _report(runner: Runner, outcome: Outcome) -> None:
    write_outputs(runner, outcome)
    runner.add_summary(summary_markdown(outcome))


def _replace(inputs: Inputs, **changes) -> Inputs:
    return replace(inputs, **changes)


class _Comment:
    """The sticky PR comment; a failure to comment only warns, once: the run then stops commenting."""

    def __init__(
        self,
        inputs: Inputs,
        env: Mapping[str, str],
        runner: Runner,
        pr: PullRequest,
        base_id: str,
        space_id: str,
        notes: list[str],
    ) -> None:
        self.pr, self.base_id, self.space_id, self.notes = pr, base_id, space_id, notes
        self.runner, self.broken = runner, False
        self.space_url = space_url(space_id)
        values = [v for v in [inputs.token, inputs.github_token, *inputs.secrets.values()] if v]
        # An app may print a multi-line secret line by line: redact each line too, as the log masks do.
        lines = [line.strip() for v in values for line in v.splitlines() if len(line.strip()) >= 4]
        self.secret_values = sorted(set(values + lines), key=len, reverse=True)
        self.sticky = StickyComment(
            inputs.github_token or "",
            env.get("GITHUB_REPOSITORY") or pr.base_repo,
            pr.number,
            github_api_url(env),
            marker(base_id),
            self._warn,
            seconds_between_requests=0.0,
            seconds_between_writes=0.0,
        )

    def _warn(self, message: str) -> None:
        self.broken = True
        self.runner.warning(message, title="PR comment not written")

    def update(
        self,
        status: str,
        outcome: Outcome | None,
        *,
        failure: str | None = None,
        create: bool = True,
    ) -> None:
        if self.broken:
            return
        failures = [f for f in (outcome.failure if outcome else None, failure) if f]

        state = CommentState(
            status=status,
            space_id=self.space_id,
            space_url=self.space_url,
            app_url=outcome.app_url if outcome else None,
            head_sha=self.pr.head_sha,
            hub_commit_url=outcome.commit_url if outcome else None,
            stage=outcome.stage if outcome else None,
            updated_at=datetime.now(UTC),
            log_tail=outcome.log_tail if outcome else None,
            notes=list(self.notes) + failures,
            base_space_id=self.base_id,
        )
        self.sticky.upsert(render(state, secrets=self.secret_values), create=create)
