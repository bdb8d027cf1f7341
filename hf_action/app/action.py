"""One run of the action, shared by the GitHub entrypoint and the CLI: mask, validate, pick the target,
run the operation, report. Expected failures end in one `::error::` line and exit code 1."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING

from hf_action.app import record
from hf_action.app.context import RunContext
from hf_action.app.newer_run import watch_pull_head
from hf_action.app.pr_comment import open_comment
from hf_action.app.report import Reporter
from hf_action.app.route import Destination, destination
from hf_action.app.run_deployment import open_deployment
from hf_action.envblock import MIN_MASKED
from hf_action.github.context import GitHubContext
from hf_action.github.event import load_pull_request
from hf_action.github.runner import Runner
from hf_action.hub import keyless
from hf_action.hub.background import in_background
from hf_action.hub.policy import RetryPolicy, xet_bounds
from hf_action.hub.urls import hub_endpoint
from hf_action.hub.xetmemory import XetConcurrency, cpu_count, job_memory, xet_concurrency
from hf_action.inputs import Inputs
from hf_action.outcome import Outcome
from hf_action.preview import BaseVisibility
from hf_action.request import Request, Stop, read_request, to_mask

if TYPE_CHECKING:
    from huggingface_hub import HfApi

    from hf_action.hub.space import SpaceState
    from hf_action.local.snapshot import FoundFiles


def mask_raw(runner: Runner, raw: Mapping[str, str]) -> None:
    """Before anything else is printed: the tokens and every secret value, even malformed ones."""
    masking = to_mask(raw)
    for value in masking.values:
        runner.mask(value)
    if short := masking.short:
        runner.warning(
            f"The secret{'s' if len(short) > 1 else ''} {', '.join(short)} {'are' if len(short) > 1 else 'is'}"
            f" shorter than {MIN_MASKED} characters: set on the Space but not masked in the log"
            " (masking so short a string would hide it in every commit sha and number). Pass values"
            " that are not secret as variables.",
            title="Short secrets not masked",
        )


#: Process settings huggingface_hub and hf_xet read from os.environ: copied there from the run's `env`.
_FROM_ENV = (keyless.REQUEST_URL, keyless.REQUEST_TOKEN)


def configure_process(env: Mapping[str, str]) -> XetConcurrency:
    """The one place the process environment is written, called by the entrypoint and the CLI before
    `run_action`: what huggingface_hub (read at its import) and hf_xet (read when its session
    starts) take from there. Values the job sets itself win. Returns hf_xet's concurrency, which
    `run_action` names in the log."""
    xet = xet_concurrency(env, job_memory(), cpu_count())
    # No tqdm bars in the log, whatever the job sets: read by huggingface_hub when it is imported,
    # which spares the no-op huggingface_hub's tqdm module (tqdm.auto pulls in asyncio).
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    defaults = {
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        **xet_bounds(RetryPolicy.from_env(env)),
        **xet.settings,
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, env.get(name) or value)
    for name in _FROM_ENV:
        if (env.get(name) or "").strip():
            os.environ[name] = (env.get(name) or "").strip()
    os.environ["HF_ENDPOINT"] = hub_endpoint(env)  # the library's Hub is the run's, set or not
    return xet


def run_action(
    raw: Mapping[str, str],
    env: Mapping[str, str],
    runner: Runner,
    github: GitHubContext,
    xet: XetConcurrency | None = None,
) -> int:
    """One run: the raw inputs as the runner (or the CLI) gives them, the run's environment, the
    runner, the workflow run as the front door read it (`GitHubContext.from_env`), and what
    `configure_process` gave hf_xet (named once the secrets are masked)."""
    mask_raw(runner, raw)
    runner.mask((env.get(keyless.REQUEST_TOKEN) or "").strip())  # GitHub's, for the id token
    if xet is not None:
        runner.info(xet.line())
    report = Reporter(runner)
    ctx = RunContext.from_env(env, runner, github)
    try:
        request = read_request(
            raw,
            ctx.github.workspace,
            load_pull_request(ctx.github),
            oidc=keyless.oidc_available(env),
            actor=ctx.github.actor,
            event_name=ctx.github.event_name or "pull_request",
            hardware_names=lambda wanted: _hardware_names(wanted, ctx),
        )
        if isinstance(request, Stop):
            return report.stopped(request)
        return _dispatch(request, ctx, report)
    except Exception as exc:
        return report.failed(exc)


def _dispatch(request: Request, ctx: RunContext, report: Reporter) -> int:
    """The Space to work on -> the operation -> the report of how it ended."""
    inputs = request.inputs
    ctx.quota.until(inputs.timeout)  # no wait for the Hub's rate limit goes past it
    token = _keyless_token(inputs, ctx) if inputs.keyless else inputs.token
    api = _connect(token, ctx)
    found = _read_files_meanwhile(inputs) if inputs.operation == "deploy" else None
    space = _read_space_meanwhile(api, inputs, request.pr is None)
    base_id = _check_token(api, inputs)
    if inputs.operation == "cleanup-previews":
        from hf_action.app.cleanup import cleanup_previews  # see _connect

        _loaded()
        return report.cleaned(cleanup_previews(api, inputs, base_id, ctx))
    where = destination(
        inputs, request.pr, base_id, ctx.runner, lambda: _base_visibility(api, base_id)
    )
    report.head = head = watch_pull_head(inputs, where, ctx)
    report.deployment = open_deployment(inputs, where, ctx, head)
    report.comment = open_comment(inputs, where, ctx, head)
    if head is not None and (newer := head.newer) is not None:  # before anything went to the Hub
        return report.superseded(head, newer)
    outcome = _operate(api, inputs, token, where, ctx, found, space)
    return report.done(outcome)


def _base_visibility(api: HfApi, base_id: str) -> BaseVisibility:
    """Who may see the base Space, read only for a preview deploy (app/route.py)."""
    from hf_action.hub.client import hub_step  # see _connect
    from hf_action.hub.space import base_visibility

    with hub_step("read the base Space's visibility", base_id):
        return base_visibility(api, base_id)


def _hardware_names(wanted: str, ctx: RunContext) -> tuple[str, ...]:
    """huggingface_hub's SpaceHardware values (loaded only when `hardware` is set: cold start), and
    the Hub's listing when the library does not know `wanted`. Asked after every other input is valid."""
    from hf_action.hub.client import prepare_client
    from hf_action.hub.space import hub_hardware, library_hardware

    # The client's environment first: huggingface_hub reads it at import.
    prepare_client(ctx.endpoint, ctx.runner.info, ctx.policy, ctx.quota)
    names = library_hardware()
    if wanted in names:
        return names
    return names + tuple(n for n in hub_hardware(ctx.endpoint) if n not in names)


def _keyless_token(inputs: Inputs, ctx: RunContext) -> str:
    """No hf-token, but the job may mint an OIDC id token: exchange it for a token on the Space."""
    from hf_action.hub.client import prepare_client  # see _connect

    runner, endpoint = ctx.runner, ctx.endpoint
    prepare_client(endpoint, runner.info, ctx.policy, ctx.quota)
    runner.info(
        f"No hf-token: keyless deploy, exchanging this job's GitHub OIDC id token at {endpoint}"
        f" for a token on spaces/{inputs.space}."
    )
    got = keyless.exchange(inputs.space, endpoint, ctx.env, runner.mask, ctx.github.repository)
    assumed = "" if got.expiry_stated else " (assumed: the answer stated no expires_in)"
    runner.info(
        f"Keyless: the Hub issued a token for {got.resource}, valid {got.expires_in}s{assumed}."
    )
    if inputs.wait and inputs.timeout > got.expires_in:
        runner.warning(
            f"timeout ({inputs.timeout:.0f}s) is longer than the keyless token lives"
            f" ({got.expires_in}s) and nothing renews it (huggingface_hub refreshes only the tokens"
            " it exchanges itself; docs/keyless.md): a longer wait would lose access to the Space.",
            title="Keyless token expires before the timeout",
        )
    return got.token


def _connect(token: str, ctx: RunContext) -> HfApi:
    """The Hub client (huggingface_hub loaded, our transport in place); no request made yet."""
    # Imported here, not at the top: a run that stops before the Hub (bad input, an ignored PR event)
    # starts without loading httpx2 and the deploy modules (~0.1 s of a cold start).
    from hf_action.hub.client import make_api

    return make_api(token, ctx.endpoint, ctx.runner.info, ctx.policy, ctx.quota)


def _check_token(api: HfApi, inputs: Inputs) -> str:
    """The Space's owner/name, once the token proves it may write to the Space's namespace."""
    from hf_action.hub.client import check_can_write, hub_step, whoami  # see _connect
    from hf_action.hub.explain import no_owner  # see _connect

    if inputs.keyless:
        # The Space is the inputs' owner/name, which the exchange scoped the token to; the Hub checks
        # every write against it. Nothing asks whoami, whose answer for such a token is recorded
        # nowhere (docs/keyless.md).
        return inputs.space
    with hub_step("check the token (whoami)", inputs.space):
        identity = whoami(api)
    if "/" in inputs.space:
        base_id = inputs.space
    elif identity.user:
        base_id = f"{identity.user}/{inputs.space}"
    else:
        raise no_owner(inputs.space)
    check_can_write(identity, base_id.split("/")[0])
    return base_id


def _loaded() -> None:
    """Start-up is over: the Hub client and the deploy modules are loaded. Their objects live until
    the process ends, and every collection while they loaded walked all of them (~25 ms of a no-op
    deploy, bench/results.md), so the entrypoint turned collection off. Frozen, they are left out
    of every later collection; what the run allocates from here on is collected as usual."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _read_files_meanwhile(inputs: Inputs) -> Future[FoundFiles]:
    """The deploy's files (and git's index, with dulwich) are read in a thread while this one talks
    to the Hub (whoami, the Space's info): the files need the inputs alone, and the requests spend
    their time loading certificates and waiting for answers, without the GIL. Started once the
    client is made, not before: two threads loading modules at once only slowed both (bench/results.md,
    the no-op). The deploy takes the result, or the input error, from the future (`deploy_space`);
    a run that fails first leaves it unread."""

    def read() -> FoundFiles:
        from hf_action.local.snapshot import read_files  # see _connect

        return read_files(inputs)

    return in_background(read, "hf-deploy-files")


def _read_space_meanwhile(
    api: HfApi, inputs: Inputs, production: bool
) -> Future[SpaceState | Exception] | None:
    """The Space's info (its head, settings and files), asked while whoami is: on a distant link
    each request is a round trip, and the deploy reads the Space right after the token's check.
    Only a read, so the token is still checked before anything is written (a failed check leaves
    the answer unread); asked once (`one_attempt`): on any failure the deploy reads it again, with
    retries. Asked when the Space's name is known before whoami: a deploy to `owner/name`, not a
    preview (named from its base) nor a keyless run (no whoami to overlap)."""
    if inputs.operation != "deploy" or inputs.keyless or not production or "/" not in inputs.space:
        return None
    from hf_action.hub.space import read_space  # see _connect; imported here, not in the thread
    from hf_action.hub.transport import one_attempt

    def read() -> SpaceState | Exception:
        with one_attempt():
            try:
                return read_space(api, inputs.space)
            except Exception as exc:  # any failure: the deploy asks again, with retries
                return exc

    return in_background(read, "hf-deploy-space")


def _taken(
    space: Future[SpaceState | Exception], ctx: RunContext
) -> Callable[[], SpaceState | None]:
    """The Space's state read ahead, or None (said in the log) when that read failed."""

    def take() -> SpaceState | None:
        got = space.result()
        if not isinstance(got, Exception):
            return got
        ctx.runner.info(
            f"The Space's info, asked while the token was checked, failed ({type(got).__name__});"
            " retry: the deploy reads it again."
        )
        return None

    return take


def _operate(
    api: HfApi,
    inputs: Inputs,
    token: str,
    where: Destination,
    ctx: RunContext,
    found: Future[FoundFiles] | None = None,
    space: Future[SpaceState | Exception] | None = None,
) -> Outcome:
    # Imported before `_loaded`, whatever the operation (the others' modules import it too): the
    # deploy modules load while collection is held.
    from hf_action.app.deploy import deploy_space  # see _connect

    _loaded()
    if inputs.operation == "deploy":
        outcome = deploy_space(
            api, inputs, where, ctx, found.result if found else None,
            _taken(space, ctx) if space and where.space_id == inputs.space else None,
        )  # fmt: skip
    elif inputs.operation == "rollback":
        from hf_action.app.rollback import rollback_space  # see _connect

        outcome = rollback_space(api, inputs, where.space_id, ctx)
    else:
        from hf_action.app.manage import manage_space  # see _connect

        outcome = manage_space(api, inputs, where, ctx)
    if inputs.smoke is not None:
        from hf_action.app.verify import verify_app  # see _connect

        outcome = verify_app(api, token, inputs.smoke, outcome, where, ctx)
    return record.noted(outcome, where.notes)
