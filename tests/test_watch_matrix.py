"""The build watch on every Hub variant hubsim offers (hubsim/README: Variants).

Every watch case x every value of every knob, pairwise (a fixed covering array), plus the full
product of the settings-change knob x the runtime shape for the cases a settings change decides.
Each row deploys (or restarts, or pauses) in-process with the real client over HTTP against
hubsim, on a fake clock shared by the simulator's lifecycle and the watch: minutes of builds take
milliseconds, and every run sees the same answers.

Each row asserts the verdict, and that the run ended within 3 polls after the Space reached its
final state for our change: the instant our build's outcome (or the newer commit that supersedes
ours) became visible; for a change the Hub applies without restarting, the settle time after it,
since no evidence can tell "not yet" from "never" before that. `SLOWEST` records the slowest of
them for the issue's closing note (`pytest -s` prints it).
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from hf_action.app.context import Clock, RunContext
from hf_action.app.deploy import deploy_space
from hf_action.app.manage import manage_space
from hf_action.app.route import Destination
from hf_action.errors import ActionError, BuildFailed
from hf_action.github.runner import Runner
from hf_action.hub.policy import RetryPolicy
from hf_action.hub.watch import SETTLE, HubProbe
from hf_action.inputs import parse_inputs
from hubsim import HubSim, LifecycleTimings, Settings
from hubsim.clock import FakeClock, client_factory
from hubsim.settings import LOG_STREAMS, QUEUED_STAGES, RUN_LOGS, RUNTIME_SHAS, SETTINGS_RESTARTS
from tests.conftest import TOKEN

CASES = (
    "new-code",
    "static",
    "fast-rebuild",
    "settings-only",
    "hardware-only",
    "busy-then-quiet",
    "secret-and-code",
    "build-error",
    "runtime-error",
    "no-app-file",
    "restart",
    "pause",
)
KNOBS: dict[str, tuple[Any, ...]] = {
    "settings_restart": SETTINGS_RESTARTS,
    "sha": RUNTIME_SHAS,
    "log_stream": LOG_STREAMS,
    "log_skew": (-60.0, -10.0, 0.0, 10.0, 60.0),  # no source: beyond CLOCK_SKEW both ways
    "run_log": RUN_LOGS,
    "first_queue": (0.0, 120.0),
    "queued_stage": QUEUED_STAGES,
    "running_stages": (False, True),
    "info_lag": (0.0, 5.0),
    "stale": (2.0, 30.0),  # no source: the previous verdict shown after a push, beyond SETTLE
    "writer": ("none", "before", "during"),
}
VARIANTS = [k for k in KNOBS if k not in ("stale", "writer")]  # hubsim.Variants fields
WRITER_AT = {"before": 1.0, "during": 5.0}  # seconds after the run starts: before our build
FAST_WRITER_AT = {"before": 0.3, "during": 0.6}  # starts, during it (fast: in 0.5 s, 0.2 s)
SETTINGS_DECIDE = ("settings-only", "secret-and-code", "restart")
QUIET = ("busy-then-quiet",)  # the run log cannot be read: nothing can tell a restart's start
TIMINGS = LifecycleTimings(stale=2.0, building=4.0, starting=2.0)
FAST = LifecycleTimings(stale=0.5, building=0.2, starting=0.1)  # shorter than a poll
GRADIO_CARD = "---\ntitle: m\nsdk: gradio\napp_file: app.py\n---\n"
APP = "import gradio as gr\ngr.Interface(lambda x: x, 'text', 'text').launch()\n"


def covering_rows() -> list[dict[str, Any]]:
    """Rows of case + knob values covering every pair of values of two factors, starting with the
    full product settings_restart x sha for the cases a settings change decides (and, for a
    container restart, x run_log); greedy and
    deterministic (each row adds the values covering most pairs not covered yet)."""
    factors: dict[str, tuple[Any, ...]] = {"case": CASES, **KNOBS}
    names = list(factors)
    todo = {
        (a, va, b, vb)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        for va in factors[a]
        for vb in factors[b]
    }
    seeds = [
        {"case": c, "settings_restart": r, "sha": s}
        for c in SETTINGS_DECIDE
        for r in SETTINGS_RESTARTS
        for s in RUNTIME_SHAS
    ]
    seeds += [  # a container restart, on either run log, any runtime, no other writer
        {"case": c, "settings_restart": "container", "sha": s, "run_log": log, "writer": "none"}
        for c in ("hardware-only", *QUIET)
        for s in RUNTIME_SHAS
        for log in RUN_LOGS
    ]
    rows: list[dict[str, Any]] = []
    while seeds or todo:
        if seeds:
            row = seeds.pop(0)
        else:
            a, va, b, vb = min(todo, key=repr)
            row = {a: va, b: vb}
        for name in names:
            if name not in row:
                row[name] = max(factors[name], key=lambda v, n=name: _gain(todo, row, n, v))
        todo -= {(a, row[a], b, row[b]) for i, a in enumerate(names) for b in names[i + 1 :]}
        rows.append(row)
    return rows


def _gain(todo: set[tuple[Any, ...]], row: dict[str, Any], name: str, value: Any) -> int:
    return sum(((k, row[k], name, value) in todo) + ((name, value, k, row[k]) in todo) for k in row)


ROWS = covering_rows()
SLOWEST: dict[str, Any] = {"seconds": 0.0, "polls": 0, "row": None}


@dataclass
class Watched:
    """What one row's run did: its outcome or error, its polls, and the fake times that matter."""

    start: float
    end: float = 0.0
    sleeps: list[tuple[float, float]] = field(default_factory=list)  # (from, to) of each poll wait
    polls: list[float] = field(default_factory=list)  # when the watch read the Space info
    stage: str | None = None
    error: ActionError | None = None
    out: str = ""


@pytest.fixture(scope="module")
def world():
    """One simulator on a fake clock; the client's log streams move it while read (clock.py)."""
    from huggingface_hub import set_client_factory
    from huggingface_hub.utils import _http

    clock = FakeClock()
    sim = HubSim(user="user", tokens={TOKEN: "write"}, settings=Settings(xet=False), clock=clock)
    sim.auth.pro = True  # paid hardware for the hardware-only case
    set_client_factory(client_factory(clock))
    sim.start()
    yield sim, clock
    sim.stop()
    set_client_factory(_http.default_client_factory)


def _workspace(root: Path, case: str) -> Path:
    ws = root / "ws"
    ws.mkdir(exist_ok=True)
    if case == "static":
        (ws / "README.md").write_text("---\ntitle: m\nsdk: static\n---\n")
        (ws / "index.html").write_text("<h1>v1</h1>\n")
        return ws
    (ws / "README.md").write_text(GRADIO_CARD)
    (ws / "app.py").write_text(APP)
    (ws / "requirements.txt").write_text("gradio\n")
    return ws


def _change(ws: Path, case: str) -> dict[str, str]:
    """Edit the workspace as the case says; returns the run's extra inputs."""
    if case == "static":
        (ws / "index.html").write_text("<h1>v2</h1>\n")
    elif case in ("new-code", "fast-rebuild", "secret-and-code"):
        (ws / "app.py").write_text(APP + "# v2\n")
    elif case == "build-error":
        (ws / "requirements.txt").write_text("gradio\nhubsim-fail-build==1.0\n")
    elif case == "runtime-error":
        (ws / "app.py").write_text("import sys\nprint('starting')\nsys.exit(1)\n")
    elif case == "no-app-file":
        (ws / "app.py").unlink()
    extra = {"secrets": "API_KEY=a-new-secret-value"} if case == "secret-and-code" else {}
    if case == "settings-only":
        extra["variables"] = "MODE=fast"
    if case == "hardware-only":
        extra["hardware"] = "cpu-upgrade"
    if case == "busy-then-quiet":
        extra["operation"] = "restart"
    if case in ("restart", "pause"):
        extra["operation"] = case
    return extra


def _run(sim: HubSim, clock: FakeClock, ws: Path, raw: dict[str, str]) -> Watched:
    from huggingface_hub import HfApi

    api = HfApi(endpoint=sim.url, token=TOKEN)
    raw = {"hf-token": TOKEN, "path": ".", "timeout": "600s", **raw}
    inputs = parse_inputs(raw, ws, hardware_names=lambda wanted: ("cpu-basic", "cpu-upgrade"))
    stream = io.StringIO()
    runner = Runner(github=True, stream=stream)
    watched = Watched(clock.monotonic())

    def sleep(seconds: float) -> None:
        before = clock.monotonic()
        clock.sleep(seconds)
        watched.sleeps.append((before, clock.monotonic()))

    ctx = RunContext({}, runner, RetryPolicy(), Clock(clock.monotonic, sleep), sim.url)
    real_info = HubProbe.info

    def info(probe: HubProbe) -> Any:
        watched.polls.append(clock.monotonic())
        return real_info(probe)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(HubProbe, "info", info)
        _operate(api, inputs, ctx, watched)
    watched.end, watched.out = clock.monotonic(), stream.getvalue()
    return watched


def _operate(api: Any, inputs: Any, ctx: RunContext, watched: Watched) -> None:
    where = Destination.production(inputs, inputs.space)
    try:
        if inputs.operation == "deploy":
            watched.stage = deploy_space(api, inputs, where, ctx).stage
        else:
            watched.stage = manage_space(api, inputs, where, ctx).stage
    except ActionError as exc:
        watched.error = exc


@pytest.mark.parametrize("row", ROWS, ids=["-".join(str(v) for v in r.values()) for r in ROWS])
def test_every_case_on_every_hub_variant(world, tmp_path, row):
    sim, clock = world
    case = row["case"]
    for knob in VARIANTS:
        setattr(sim.settings.variants, knob, row[knob])
    sim.settings.lifecycle = (
        FAST if case == "fast-rebuild" else replace(TIMINGS, stale=row["stale"])
    )
    space = f"user/m{ROWS.index(row)}"
    ws = _workspace(tmp_path, case)
    fresh = row["first_queue"] > 0 and case not in (
        *SETTINGS_DECIDE,
        *QUIET,
        "hardware-only",
        "pause",
    )
    if not fresh:  # an existing Space running the workspace's first version
        first = _run(sim, clock, ws, {"space": space, "wait": "false"})
        assert first.error is None, first.out
        clock.advance(60 + row["first_queue"])  # its first build queued, built, running
    extra = _change(ws, case)
    writer = None
    if row["writer"] != "none":
        delay = (FAST_WRITER_AT if case == "fast-rebuild" else WRITER_AT)[row["writer"]]
        writer = clock.monotonic() + delay
        sim.commit_later(space, delay, author="someone-else")
    commits = len(sim.repo(space).commits) if sim.repo(space) else 0
    if case in QUIET:  # the run log tells nothing: its reads are refused (not retried)
        sim.faults.add(method="GET", path=r"/logs/run$", status=403, times=10**6)
    try:
        watched = _run(sim, clock, ws, {"space": space, **extra})
    finally:
        sim.faults.clear()
    want, final = _expected(sim, space, case, watched, writer)
    _assert_verdict(sim, space, case, want, watched, commits)
    _assert_prompt(watched, final, row)


def _expected(sim, space, case, watched, writer) -> tuple[str, float]:
    """The verdict the run must give, and when the Space reached its final state for our change
    (fake clock): our build's end (from hubsim's build history), or the newer commit's landing
    (as the Space info shows it) when that came first."""
    if case == "no-app-file":
        return "NO_APP_FILE predicted", watched.start
    if case == "pause":
        return "PAUSED", watched.start
    builds = sim.repo(space).space.builds
    ours = [b for b in builds if b.t0 >= watched.start and (writer is None or b.t0 < writer)]
    watch_start = watched.polls[0] if watched.polls else watched.start
    final = ours[-1].start_end if ours else watch_start + SETTLE  # no restart: settle decides
    if case in QUIET and ours and ours[-1].image is not None:  # a container restart, untold
        final += SETTLE  # by any log: only the settle time after it tells "nothing more"
    if writer is not None and writer < final:
        return "SUPERSEDED", writer + sim.settings.variants.info_lag
    verdict = {"build-error": "BUILD_ERROR", "runtime-error": "RUNTIME_ERROR"}.get(case, "RUNNING")
    return verdict, final


def _assert_verdict(sim, space, case, want, watched, commits) -> None:
    repo = sim.repo(space)
    if want == "NO_APP_FILE predicted":
        assert watched.error is not None and watched.error.title == "No app to run", watched.out
        assert (len(repo.commits) if repo else 0) == commits  # nothing written
        return
    if want in ("RUNNING", "PAUSED"):
        assert watched.error is None and watched.stage == want, watched.out
        shown = repo.space.runtime_view()
        assert shown["stage"] == want
        if want == "RUNNING":
            assert shown["sha"] == repo.head  # what we reported runs, not an older build
        restart = sim.settings.variants.settings_restart
        quiet = (case == "settings-only" and restart == "variables-quiet") or (
            case in QUIET and restart == "container"
        )
        assert ("it is not proven that the running app uses the new" in watched.out) == quiet
        return
    assert isinstance(watched.error, BuildFailed), watched.out
    assert watched.error.stage == want, watched.out
    if want == "SUPERSEDED":
        newer = repo.head[:7]
        assert f"Superseded: {newer} by someone-else replaced" in watched.error.message
        assert watched.stage is None  # never a claim that our commit runs
    elif want == "BUILD_ERROR":
        assert (
            "ERROR: No matching distribution found for hubsim-fail-build" in watched.error.log_tail
        )
    else:
        assert "SystemExit: 1" in watched.error.log_tail


def _assert_prompt(watched: Watched, final: float, row: dict[str, Any]) -> None:
    polls_after = sum(1 for _, end in watched.sleeps if end > final)
    seconds = watched.end - final
    assert polls_after <= 3, (polls_after, seconds, watched.sleeps, final, watched.out)
    assert watched.end < watched.start + 300  # never the 600 s timeout
    if seconds > SLOWEST["seconds"] or polls_after > SLOWEST["polls"]:
        SLOWEST.update(
            seconds=max(seconds, SLOWEST["seconds"]),
            polls=max(polls_after, SLOWEST["polls"]),
            row=row,
        )


def test_the_matrix_covers_every_pair_and_the_settings_product():
    factors: dict[str, tuple[Any, ...]] = {"case": CASES, **KNOBS}
    for a, b in itertools.combinations(factors, 2):
        seen = {(r[a], r[b]) for r in ROWS}
        assert seen == set(itertools.product(factors[a], factors[b])), (a, b)
    for case in SETTINGS_DECIDE:
        seen = {(r["settings_restart"], r["sha"]) for r in ROWS if r["case"] == case}
        assert seen == set(itertools.product(SETTINGS_RESTARTS, RUNTIME_SHAS)), case


def teardown_module() -> None:
    print(f"\nmatrix: {len(ROWS)} rows; slowest end after the final state: {SLOWEST}")
