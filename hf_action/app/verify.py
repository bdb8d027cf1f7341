"""After the watch: call the app (the smoke check) and fail the run, outputs kept, when it does not
answer as expected. Runs after deploy, rollback and restart, once the Space is RUNNING."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hf_action.app import record
from hf_action.app.context import RunContext
from hf_action.app.route import Destination
from hf_action.errors import SmokeFailed
from hf_action.github.runner import Runner
from hf_action.hub.client import hub_step
from hf_action.hub.logs import LOG_TAIL, SpaceLogs
from hf_action.hub.smoke import SmokeResult, smoke_check
from hf_action.hub.space import shown_visibility
from hf_action.hub.transport import direct_transport
from hf_action.hub.urls import APP_DOMAIN, own_app_host
from hf_action.inputs import SmokeCheck
from hf_action.outcome import Outcome
from hf_action.text import md_code, md_inert

if TYPE_CHECKING:
    from huggingface_hub import HfApi, SpaceInfo

NOT_RUN = "Smoke check not run"


def verify_app(
    api: HfApi,
    token: str,
    smoke: SmokeCheck,
    outcome: Outcome,
    where: Destination,
    ctx: RunContext,
) -> Outcome:
    """A private Space's app is called with the token (as gradio_client calls one); a public or
    protected one (its app is public) without it, and a fork's private preview not at all: its code
    would receive the token."""
    path, space_id, runner = smoke.path, outcome.space_id, ctx.runner
    if outcome.dry_run:
        runner.info(f"Dry run: the smoke check of {path} is not run.")
        return outcome
    if outcome.stage != "RUNNING" or not outcome.app_url:
        why = f"the Space is {outcome.stage or 'in an unknown stage'}, not RUNNING"
        return _skip(runner, outcome, f"{why}; that its app answers {path} is not proven.")
    with hub_step("read the Space's visibility", space_id):
        info = api.space_info(space_id)
    private = _needs_token(info)
    if private and where.pr is not None and where.pr.untrusted:
        return _skip(
            runner,
            outcome,
            "this private preview runs an untrusted pull request's code, which would receive the token with the"
            f" request; that its app answers {path} is not proven.",
        )
    if private and not own_app_host(outcome.app_url, info.subdomain, ctx.endpoint):
        own = f"https://{info.subdomain}.{APP_DOMAIN}" if info.subdomain else "its hf.space host"
        return _skip(
            runner,
            outcome,
            f"the Hub names {outcome.app_url} as the app's address, not the Space's own ({own},"
            f" or the Hub's {ctx.endpoint}); the token is not sent there, and that its app answers"
            f" {path} is not proven.",
        )
    url = outcome.app_url.rstrip("/") + path
    with runner.group(f"Smoke check: GET {url} (timeout {smoke.timeout:.0f}s)"):
        result = smoke_check(
            direct_transport(url),
            url,
            token=token if private else None,
            accept=smoke.statuses,
            timeout=smoke.timeout,
            say=runner.info,
            scale=ctx.clock.scale,  # the run's HF_DEPLOY_POLL_SCALE (policy.poll_scale)
            pace=ctx.quota.pause,  # the Hub's quota, shared with the watch (hub/pace.py)
        )
        runner.info(result.describe())
    if result.passed:
        return record.smoked(outcome, f"{md_code(path)} answered {result.status}")
    raise _failed(api, runner, outcome, result, smoke)


def _needs_token(info: SpaceInfo) -> bool:
    """A private Space's app does; a public or protected one's does not. When the info does not
    state the visibility, `private: true` may be a protected Space (hub/space.py): the token is
    sent then, as the app may need it."""
    stated = shown_visibility(info)
    return stated == "private" if stated is not None else bool(info.private)


def _skip(runner: Runner, outcome: Outcome, why: str) -> Outcome:
    runner.warning(f"{NOT_RUN}: {why}", title=NOT_RUN)
    return record.smoked(outcome, "not run")


def _failed(
    api: HfApi, runner: Runner, outcome: Outcome, result: SmokeResult, smoke: SmokeCheck
) -> SmokeFailed:
    """The last status, the body's start and the run log's tail; the outcome rides on the error."""
    if result.status is not None:
        with runner.group(f"Smoke check: the last answer's body ({result.status})"):
            runner.untrusted_block(result.body or "(empty)")
    try:
        tail = SpaceLogs(api, outcome.space_id).tail(build=False)
        tail = "\n".join(tail.splitlines()[-LOG_TAIL:])
    except Exception as unread:  # the log is a courtesy: never let it hide the failure
        tail = f"(could not fetch the run log: {type(unread).__name__})"
    body = f"; body: {result.excerpt()!r}" if result.status is not None else ""
    message = (
        f"Smoke check failed: the Space is RUNNING {str(outcome.commit_sha)[:7]}, but"
        f" {result.describe()}{body}."
    )
    listed = ", ".join(str(s) for s in sorted(smoke.statuses))
    hint = (
        "Read the run log above; if the app needs longer to load, raise smoke-timeout; if this"
        f" status is expected, list it in smoke-status{f' (now: {listed})' if listed else ''}."
    )
    shown = f"{md_code(smoke.path)}: {md_inert(runner.scrub(result.describe()))}"  # Hub's URL
    failed = record.smoke_failed(outcome, shown, message, tail)
    return SmokeFailed(message, tail, hint).with_outcome(failed)
