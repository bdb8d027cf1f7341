# ruff: noqa: E501  (a table of exact messages reads better one case per line)
"""The build watch over the real client against the Hub simulator, in-process: what `HubProbe` reads
(Space info, runtime, the logs' first event and tail), what one poll (`observe`) reads and in which
order, and `watch_space` from a commit to RUNNING, to the failing stage with its log or to its
timeout, on the watch's own clock. The end-to-end tests run the same through the entrypoint; these
are the ones the mutation run can see."""

from __future__ import annotations

import re
import time

import pytest

from hf_action.errors import BuildFailed
from hf_action.hub.logs import SpaceLogs, logs_before, parse_header, startup
from hf_action.hub.proof import Goal, Header, LogState, Seen
from hf_action.hub.watch import (
    HubProbe,
    SpaceFacts,
    WatchResult,
    _Track,
    failure,
    observe,
    poll_intervals,
    watch_space,
    with_facts,
)
from hubsim import HubSim, LifecycleTimings, Settings
from hubsim.clock import FakeClock, client_factory
from tests.conftest import TOKEN

SPACE = "user/watched"
APP = b"import gradio as gr\ngr.Interface(lambda x: x, 'text', 'text').launch()\n"
CARD = b"---\nsdk: gradio\napp_file: app.py\n---\n"
NEW = "a1b2c3d" + "0" * 33
RUNTIME, INFO = "GET /api/spaces/{repo}/runtime", "GET /api/{type}s/{repo}"
SCALE = 0.02  # the pace of the polls against the quick simulated lifecycle (watch.poll_scale)


@pytest.fixture
def sim():
    hub = HubSim(user="user", tokens={TOKEN: "write"}, settings=Settings(xet=False))
    hub.settings.lifecycle = LifecycleTimings(stale=0.05, building=0.1, starting=0.05)
    hub.start()
    yield hub
    hub.stop()


@pytest.fixture
def api(sim):
    from huggingface_hub import HfApi

    return HfApi(endpoint=sim.url, token=TOKEN)


@pytest.fixture
def faked():
    """A simulator on a fake clock that the watch shares: its lifecycle moves only by the watch's
    sleeps (and by a log stream while the client reads it: hubsim/clock.py), so a build of
    realistic length takes no time and every poll sees the same stage however loaded the machine."""
    from huggingface_hub import HfApi, set_client_factory
    from huggingface_hub.utils import _http as hf_http

    clock = FakeClock()
    hub = HubSim(user="user", tokens={TOKEN: "write"}, settings=Settings(xet=False), clock=clock)
    hub.settings.lifecycle = LifecycleTimings(stale=3.0, building=20.0, starting=5.0)
    set_client_factory(client_factory(clock))
    hub.start()
    try:
        yield hub, clock, HfApi(endpoint=hub.url, token=TOKEN)
    finally:
        hub.stop()
        set_client_factory(hf_http.default_client_factory)


def push(api, files: dict[str, bytes]) -> str:
    from huggingface_hub import CommitOperationAdd

    ops = [CommitOperationAdd(path, data) for path, data in files.items()]
    return api.create_commit(SPACE, repo_type="space", operations=ops, commit_message="c").oid


def test_a_commit_is_watched_until_it_runs(faked):
    """The watch returns at its first poll after the Space runs our commit: not before (the stale
    window and the build show other stages), and not a poll later."""
    sim, clock, api = faked
    sim.settings.lifecycle = LifecycleTimings(
        stale=2.5, building=40.0, starting=6.0
    )  # runs at 48.5 s
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    sha = push(api, {"app.py": APP, "README.md": CARD, "requirements.txt": b"gradio\n"})
    t = Clock(clock)
    said: list[str] = []
    result = watch_space(
        HubProbe(api, SPACE, clock=t.clock),
        Goal("commit", sha),
        120,
        said.append,
        clock=t.clock,
        sleep=t.sleep,
    )
    (build,) = sim.repo(SPACE).space.builds
    ran = build.start_end - t.start  # when the Space began running our commit
    assert result.stage == "RUNNING" and result.evidence
    assert result.seconds - t.sleeps[-1] < ran <= result.seconds
    assert said[-1] == f"Evidence: {result.evidence}."
    assert re.fullmatch(r"\[ *\d+\.\ds\] [A-Z_]+.*", said[0]) and said[-2].endswith("] RUNNING")
    view = sim.repo(SPACE).space.runtime_view()
    assert (view["stage"], view["sha"]) == ("RUNNING", sha)


def test_the_probe_reads_facts_runtime_and_logs(api, sim):
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    sha = push(api, {"app.py": APP, "README.md": CARD})
    probe = HubProbe(api, SPACE)
    facts = probe.info()
    assert facts.head == sha and facts.sdk == "gradio" and facts.modified is not None
    assert facts.runtime["stage"]
    watch_space(probe, Goal("commit", sha), 20, lambda m: None, scale=SCALE)
    first = probe.first_line(True)
    assert first is not None and isinstance(first[1], float)
    header = parse_header(first)
    assert isinstance(header, Header) and header.commit == sha[:7]
    assert logs_before(api, SPACE) == (header, startup(probe.log_lines(False)))
    assert probe.tail(True).splitlines()[0] == first[0]
    run = probe.first_line(False)
    assert run is not None and "Application Startup" in run[0]


def test_an_empty_log_reads_as_none(api, sim):
    api.create_repo(SPACE, repo_type="space", space_sdk="static")  # static: no image is built
    probe = HubProbe(api, SPACE, read_timeout=0.2)
    assert probe.first_line(True) is None
    assert probe.info().sdk == "static"


def test_a_failing_build_fails_with_its_log(api, sim):
    api.create_repo(SPACE, repo_type="space", space_sdk="docker")
    dockerfile = b"FROM python:3.11\nRUN python -c 'import missing_module' && false\n"
    sha = push(
        api, {"Dockerfile": dockerfile, "README.md": b"---\nsdk: docker\napp_port: 8000\n---\n"}
    )
    said: list[str] = []
    with pytest.raises(BuildFailed) as err:
        watch_space(HubProbe(api, SPACE), Goal("commit", sha), 20, said.append, scale=SCALE)
    assert err.value.stage == "BUILD_ERROR" and "import missing_module" in err.value.log_tail
    assert err.value.hint == "Read the build log below; the failing step is near the end."
    assert any(line.startswith("Evidence: ") for line in said)


def test_a_build_that_takes_too_long_times_out_with_the_log(api, sim):
    sim.settings.lifecycle = LifecycleTimings(stale=0.05, building=30.0, starting=0.05)
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    sha = push(api, {"app.py": APP, "README.md": CARD})
    with pytest.raises(BuildFailed) as err:
        watch_space(HubProbe(api, SPACE), Goal("commit", sha), 0.5, lambda m: None, scale=SCALE)
    assert err.value.stage == "TIMEOUT" and err.value.message.startswith(
        "The Space did not reach RUNNING within 0s (last stage "
    )
    assert (
        err.value.hint == "Raise 'timeout' if the build is just slow, or read the build log below."
    )


class _Broken:
    def tail(self, build: bool) -> str:
        raise ConnectionError("gone")


@pytest.mark.parametrize(
    "stage,message,tail",
    [
        ("PAUSED", "The Space is paused, so it will not start this commit (the files are on the Space).", ""),
        ("DELETING", "The Space is being deleted.", ""),
        ("RUNTIME_ERROR", "RUNTIME_ERROR: The app crashed at start.", "(could not fetch the run log: ConnectionError)"),
        ("CONFIG_ERROR", "CONFIG_ERROR: The Space's configuration (README front matter) is invalid.", "(could not fetch the build log: ConnectionError)"),
        ("NO_APP_FILE", "NO_APP_FILE: The Space has no app file to run.", "(could not fetch the build log: ConnectionError)"),
        ("STOPPED", "STOPPED: The Space ended in STOPPED.", "(could not fetch the build log: ConnectionError)"),
    ],
)  # fmt: skip
def test_failure_messages_and_an_unreadable_log(stage, message, tail):
    err = failure(stage, {}, _Broken())  # type: ignore[arg-type]
    assert (err.message, err.stage, err.log_tail) == (message, stage, tail)


def test_the_hubs_error_message_wins():
    err = failure("BUILD_ERROR", {"errorMessage": "Docker build failed"}, _Broken())  # type: ignore[arg-type]
    assert err.message == "BUILD_ERROR: Docker build failed"


# ---------------------------------------------------------------- one poll, request by request
def deployed(api, sim, files: dict[str, bytes] | None = None, stage: str = "RUNNING") -> str:
    """A Space whose commit has been built to `stage`; the request counters start from zero."""
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    sha = push(api, files or {"app.py": APP, "README.md": CARD})
    deadline = time.monotonic() + 10
    while sim.repo(SPACE).space.runtime_view(time.monotonic())["stage"] != stage:
        assert time.monotonic() < deadline, "the simulated build did not end"
        time.sleep(0.02)
    sim.counters.reset()
    return sha


def log_requests(sim) -> int:
    return sim.counters.requests["GET /api/spaces/{repo}/logs/{kind}"]


@pytest.mark.parametrize(
    "goal,runtime",
    [
        (Goal("commit", NEW), {"stage": "BUILDING"}),  # busy: the log tells once it ends
        (Goal("commit", NEW), {"stage": "RUNNING", "sha": NEW}),  # the runtime names our commit
        (Goal("commit", NEW), {"stage": "PAUSED"}),
        (Goal("none", NEW), {"stage": "RUNNING"}),
        (Goal("commit", NEW, static=True), {"stage": "RUNNING"}),
    ],
)
def test_observe_reads_no_log_when_the_runtime_decides(api, sim, goal, runtime):
    deployed(api, sim)
    track = _Track(moved=True, busy_seen=False)
    seen, _ = observe(HubProbe(api, SPACE), goal, SpaceFacts(runtime), 3.5, track)
    expected = Seen(runtime["stage"], runtime.get("sha"), elapsed=3.5, moved=True)
    assert seen == expected
    assert sim.counters.requests == {}  # not even the runtime again


def test_observe_passes_on_the_watchs_memory_and_an_unknown_stage(api, sim):
    deployed(api, sim)
    seen, _ = observe(
        HubProbe(api, SPACE), Goal("none"), SpaceFacts({}), 1.25, _Track(busy_seen=True)
    )
    assert seen == Seen("UNKNOWN", None, elapsed=1.25, moved=False, busy_seen=True)


def test_observe_of_our_build_reads_its_log_then_when_the_app_started_then_the_stage(api, sim):
    sim.settings.variants.sha = "shown"  # so the stage read again can be told from the one given
    sha = deployed(api, sim)
    probe = HubProbe(api, SPACE)
    goal = with_facts(Goal("commit", sha), probe.info(), SCALE)
    sim.counters.reset()
    # The runtime of this poll, read before the log, still showed the previous build's verdict.
    seen, _ = observe(probe, goal, SpaceFacts({"stage": "BUILD_ERROR"}), 2.0, _Track())
    assert isinstance(seen.header, Header) and seen.header.commit == sha[:7]
    assert isinstance(seen.startup, float) and seen.startup >= seen.header.queued - 1e-3
    assert (seen.stage, seen.sha, seen.elapsed) == ("RUNNING", sha, 2.0)
    assert log_requests(sim) == 2 and sim.counters.requests[INFO] == 1
    assert seen.header == logs_before(api, SPACE)[0]


def test_observe_of_a_previous_build_reads_only_its_build_log(api, sim):
    old = deployed(api, sim)
    seen, _ = observe(
        HubProbe(api, SPACE), Goal("commit", NEW), SpaceFacts({"stage": "RUNNING"}), 4.0, _Track()
    )
    assert seen == Seen("RUNNING", None, header=seen.header, first_header=seen.header, elapsed=4.0)
    assert isinstance(seen.header, Header) and seen.header.commit == old[:7]
    assert seen.startup == LogState.UNREAD
    assert log_requests(sim) == 1 and sim.counters.requests[INFO] == 0


def test_observe_of_a_restart_names_the_runtime_sha_read_after_the_log(api, sim):
    sim.settings.variants.sha = "shown"
    sha = deployed(api, sim)
    # The restart's goal reads the build log even with a runtime sha: only the log tells a restart.
    goal = Goal("restart", sha, before=Header(sha[:7], 1.0))
    seen, _ = observe(HubProbe(api, SPACE), goal, SpaceFacts({"stage": "RUNNING"}), 0.5, _Track())
    assert (seen.stage, seen.sha) == ("RUNNING", sha) and isinstance(seen.startup, float)
    assert log_requests(sim) == 2 and sim.counters.requests[INFO] == 1


def test_observe_with_an_unreadable_build_log_reads_nothing_more(api, sim):
    deployed(api, sim)
    sim.faults.add(method="GET", path=r"/logs/build$", status=500)
    seen, _ = observe(
        HubProbe(api, SPACE), Goal("commit", NEW), SpaceFacts({"stage": "RUNNING"}), 0.0, _Track()
    )
    assert seen == Seen("RUNNING", None, header=LogState.UNREAD, startup=LogState.UNREAD)
    assert sim.counters.requests[INFO] == 0


def test_observe_of_our_build_with_an_unreadable_run_log(api, sim):
    sha = deployed(api, sim)
    sim.faults.add(method="GET", path=r"/logs/run$", status=500)
    seen, _ = observe(
        HubProbe(api, SPACE), Goal("commit", sha), SpaceFacts({"stage": "RUNNING"}), 0.0, _Track()
    )
    assert (
        isinstance(seen.header, Header)
        and seen.startup == LogState.UNREAD
        and seen.stage == "RUNNING"
    )


# ---------------------------------------------------------------- what the probe reads
@pytest.fixture
def sent(sim):
    """The requests the real client sends, in order (its shared client, with one more hook)."""
    import httpx2
    from huggingface_hub import set_client_factory
    from huggingface_hub.utils import _http as hf_http

    requests: list = []

    def factory():
        hooks = {"request": [hf_http.hf_request_event_hook, requests.append]}
        return httpx2.Client(event_hooks=hooks, follow_redirects=True, timeout=None)

    set_client_factory(factory)
    yield requests
    set_client_factory(hf_http.default_client_factory)


def test_probe_info_asks_only_for_what_the_watch_reads_in_one_request(api, sim, sent):
    sha = deployed(api, sim)
    sent.clear()
    facts = HubProbe(api, SPACE).info()
    assert [(r.method, r.url.path) for r in sent] == [("GET", f"/api/spaces/{SPACE}")]
    assert sorted(sent[0].url.params.get_list("expand")) == [
        "lastModified",
        "runtime",
        "sdk",
        "sha",
    ]
    hub = api.space_info(SPACE)
    assert facts == SpaceFacts(
        api.get_space_runtime(SPACE).raw, sha, hub.last_modified.timestamp(), "gradio"
    )
    assert facts.runtime["stage"] == "RUNNING"


def test_probe_build_log_header_is_unread_when_the_log_fails(api, sim):
    deployed(api, sim)
    sim.faults.add(method="GET", path=r"/logs/build$", status=500)
    assert logs_before(api, SPACE) == (
        LogState.UNREAD,
        startup(HubProbe(api, SPACE).log_lines(False)),
    )


def test_probe_first_line_of_a_log_not_written_yet_is_none_within_the_read_timeout(api, sim):
    sim.settings.lifecycle = LifecycleTimings(stale=0.0, building=5.0, starting=0.05)
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    push(api, {"app.py": APP, "README.md": CARD})
    probe = HubProbe(api, SPACE, read_timeout=0.3)
    started = time.monotonic()
    assert probe.first_line(False) is None  # building: the run log's stream stays open, empty
    assert time.monotonic() - started < 3
    first = probe.first_line(True)
    assert first is not None and first[0].startswith("===== Build Queued at ")


def test_probe_tail_keeps_the_last_200_lines_of_the_log(api, sim):
    # Lines of their own end in "X" ("Collecting pkg-0X"): only the newline is taken off.
    reqs = "".join(f"pkg-{i}X\n" for i in range(120)).encode()
    deployed(api, sim, {"app.py": APP, "README.md": CARD, "requirements.txt": reqs})
    probe = HubProbe(api, SPACE)
    build = [line.rstrip("\n") for line in api.fetch_space_logs(SPACE, build=True)]
    assert len(build) > 200 and "Collecting pkg-119X" in build
    assert probe.tail(True).split("\n") == build[-200:]
    run = [line.rstrip("\n") for line in api.fetch_space_logs(SPACE)]
    assert probe.tail(False).split("\n") == run and "Application Startup" in run[0]


# ---------------------------------------------------------------- the loop, on the Hub's clock
class Clock:
    """The watch's clock and sleep: time passes only by the watch's sleeps. Given the simulator's
    FakeClock (`faked`), each sleep moves the simulator's time too."""

    def __init__(self, fake: FakeClock | None = None) -> None:
        self.fake = fake if fake is not None else FakeClock()
        self.start, self.sleeps = self.fake.monotonic(), []

    def clock(self) -> float:
        return self.fake.monotonic()

    def sleep(self, seconds: float) -> None:
        assert len(self.sleeps) < 200, "the watch keeps polling"
        self.sleeps.append(seconds)
        self.fake.sleep(seconds)


def test_loop_on_a_build_that_is_not_ours_times_out_on_schedule_with_the_build_log(api, sim):
    """The Space keeps running the previous commit: one line for its stage, the polls follow
    the schedule, the last sleep stops at the timeout, and the error carries the build log."""
    reqs = "".join(f"package-{i}\n" for i in range(30)).encode()
    old = deployed(api, sim, {"app.py": APP, "README.md": CARD, "requirements.txt": reqs})
    sim.settings.lifecycle = LifecycleTimings(stale=60.0, building=0.1, starting=0.05)
    new = push(api, {"app.py": APP + b"# v2\n"})  # queued behind a minute of the previous build
    sim.counters.reset()
    said: list[str] = []
    t = Clock()
    with pytest.raises(BuildFailed) as err:
        watch_space(
            HubProbe(api, SPACE),
            Goal("commit", new),
            5.25,
            said.append,
            clock=t.clock,
            sleep=t.sleep,
        )
    why = f"the build log header names {old[:7]}, not our commit"
    assert said == [f"[  0.0s] RUNNING (not ours yet: {why})"]
    assert t.sleeps == [1, 1, 1, 1, 1, 0.25]
    assert sim.counters.requests[INFO] == 7 and log_requests(sim) == 7 + 1  # + the tail
    build = [line.rstrip("\n") for line in api.fetch_space_logs(SPACE, build=True)]
    assert len(build) > 40
    assert (err.value.stage, err.value.log_tail) == ("TIMEOUT", "\n".join(build[-40:]))
    assert (
        err.value.message
        == f"The Space did not reach RUNNING within 5s (last stage RUNNING; {why})."
    )
    assert (
        err.value.hint == "Raise 'timeout' if the build is just slow, or read the build log below."
    )


def test_loop_proven_on_the_first_poll_returns_what_it_read(api, sim):
    sha = deployed(api, sim)
    said: list[str] = []
    t = Clock()
    result = watch_space(
        HubProbe(api, SPACE),
        Goal("commit", sha),
        60,
        said.append,
        clock=t.clock,
        sleep=t.sleep,
        scale=SCALE,
    )
    assert t.sleeps == [] and sim.counters.requests[RUNTIME] == 0
    assert sim.counters.requests[INFO] == 2 and log_requests(sim) == 2  # + the stage after the log
    why = f"the build log header names our commit {sha[:7]} and the app started from it"
    assert result == WatchResult("RUNNING", 0.0, 1, api.get_space_runtime(SPACE).raw, why)
    assert said == ["[  0.0s] RUNNING", f"Evidence: {why}."]


def test_loop_follows_a_build_to_running_and_says_each_stage_once(faked):
    """Polls on the schedule through the stale window, the build and the start (each seen by
    several polls), saying each stage once, the moment a poll first sees it."""
    sim, clock, api = faked
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    sha = push(api, {"app.py": APP, "README.md": CARD})
    said: list[str] = []
    t = Clock(clock)
    result = watch_space(
        HubProbe(api, SPACE, clock=t.clock),
        Goal("commit", sha),
        120,
        said.append,
        clock=t.clock,
        sleep=t.sleep,
    )
    assert result.stage == "RUNNING" and result.polls == len(t.sleeps) + 1
    schedule = [d for d, _ in zip(poll_intervals(), t.sleeps, strict=False)]
    assert result.seconds == sum(t.sleeps) and t.sleeps == schedule
    (build,) = sim.repo(SPACE).space.builds
    polls = [sum(t.sleeps[:i]) for i in range(result.polls)]  # when each poll read the Space
    shown = [build.view(t.start + at).stage for at in polls]
    firsts = [(polls[i], stage) for i, stage in enumerate(shown) if stage not in shown[:i]]
    stages = [stage for _, stage in firsts]
    assert stages == ["NO_APP_FILE", "BUILDING", "APP_STARTING", "RUNNING"]
    assert len(shown) > len(firsts)  # stages seen by several polls, said once
    said_stages = [line.split(" (")[0] for line in said[:-1]]  # without "(not ours yet: …)"
    assert said_stages == [f"[{at:5.1f}s] {stage}" for at, stage in firsts]
    assert said[-1] == f"Evidence: {result.evidence}."


def test_loop_fails_on_our_build_error_with_the_hubs_message(api, sim):
    reqs = "".join(f"package-{i}\n" for i in range(30)).encode() + b"hubsim-fail-build\n"
    sha = deployed(
        api, sim, {"app.py": APP, "README.md": CARD, "requirements.txt": reqs}, "BUILD_ERROR"
    )
    said: list[str] = []
    with pytest.raises(BuildFailed) as err:
        watch_space(
            HubProbe(api, SPACE),
            Goal("commit", sha),
            60,
            said.append,
            clock=lambda: 0.0,
            scale=SCALE,
        )
    why = f"the build log header names our commit {sha[:7]}"
    assert said == ["[  0.0s] BUILD_ERROR", f"Evidence: {why}."]
    build = [line.rstrip("\n") for line in api.fetch_space_logs(SPACE, build=True)]
    assert err.value.message == "BUILD_ERROR: Build failed with exit code: 1"
    assert (err.value.stage, err.value.log_tail) == ("BUILD_ERROR", "\n".join(build[-40:]))


def test_loop_a_verdict_without_a_build_is_ours_after_the_settle_time(api, sim):
    """No app file, no build log: the Hub may still show the previous verdict, so the watch waits
    the settle time on its own clock, reading the (empty) build log each poll, then fails."""
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    sha = push(api, {"README.md": CARD})
    deadline = time.monotonic() + 10
    while sim.repo(SPACE).space.visible_build(time.monotonic()) is None:  # the stale window
        assert time.monotonic() < deadline
        time.sleep(0.02)
    sim.counters.reset()
    said: list[str] = []
    t = Clock()
    with pytest.raises(BuildFailed) as err:
        watch_space(
            HubProbe(api, SPACE), Goal("commit", sha), 60, said.append, clock=t.clock, sleep=t.sleep
        )
    assert t.sleeps == [1, 1, 1, 1, 1, 2, 2, 2, 3, 3.5, 3.5]  # failed at 21 s, the first poll >= 20
    assert said == [
        "[  0.0s] NO_APP_FILE (not ours yet: NO_APP_FILE without a build log may still be the"
        " previous verdict)",
        "Evidence: NO_APP_FILE without a build, still shown 20s after our change.",
    ]
    assert log_requests(sim) == 12 + 1 and sim.counters.requests[INFO] == 1 + 11
    assert (err.value.stage, err.value.message, err.value.log_tail) == (
        "NO_APP_FILE",
        "NO_APP_FILE: Application file app.py not found",
        "",
    )
    assert err.value.hint == (
        "Set 'app-file' (or app_file in the README front matter) to the file that starts the app."
    )


def test_loop_a_paused_space_fails_at_once_without_reading_a_log(api, sim):
    sha = deployed(api, sim)
    api.pause_space(SPACE)
    sim.counters.reset()
    said: list[str] = []
    with pytest.raises(BuildFailed) as err:
        watch_space(
            HubProbe(api, SPACE),
            Goal("commit", sha),
            60,
            said.append,
            clock=lambda: 0.0,
            scale=SCALE,
        )
    assert said == [
        "[  0.0s] PAUSED (not ours yet: the Space is PAUSED: it will not start by waiting)",
        "Evidence: the Space is PAUSED: it will not start by waiting.",
    ]
    assert (err.value.stage, err.value.log_tail) == ("PAUSED", "") and log_requests(sim) == 0
    assert err.value.message == (
        "The Space is paused, so it will not start this commit (the files are on the Space)."
    )
    assert err.value.hint == "Restart it (operation: restart) or un-pause it in the Space settings."


class _TurnsToError:
    """A Probe (our seam, not the Hub) on which our build's error shows between the two runtime
    reads of one poll: the first read still shows the previous build running."""

    def __init__(self) -> None:
        self.reads = [
            {"stage": "RUNNING"},
            {"stage": "BUILD_ERROR", "errorMessage": "pip: no matching distribution"},
        ]

    def info(self) -> SpaceFacts:
        return SpaceFacts(runtime=self.reads.pop(0), head=NEW, sdk="gradio")

    def newest_commit(self) -> tuple[str, str | None]:
        return NEW, None

    def first_line(self, build: bool) -> tuple[str, float | None] | None:
        if build:
            return f"===== Build Queued at 2026-11-28 10:00:00 / Commit SHA: {NEW[:7]} =====", 5.0
        return None

    def log_lines(self, build: bool) -> list[tuple[str, float | None]]:
        first = self.first_line(build)
        return [first] if first else []

    def tail(self, build: bool) -> str:
        return "ERROR: No matching distribution found for gradio==0.0.0"


def test_a_failure_seen_on_the_second_read_carries_that_reads_message():
    """The stage judged comes from the runtime read after our log; the Hub's error message must come
    from the same read, not from the previous build's runtime read before it."""
    probe = _TurnsToError()
    with pytest.raises(BuildFailed) as info:
        watch_space(probe, Goal("commit", NEW), 60, lambda line: None, sleep=lambda s: None)
    assert info.value.stage == "BUILD_ERROR" and not probe.reads
    assert info.value.message == "BUILD_ERROR: pip: no matching distribution"
    assert "No matching distribution" in info.value.log_tail


# ---------------------------------------------------------------- bounded log reads, real time
def _building(api, sim, seconds: float = 30.0) -> None:
    """A build under way for `seconds`: its run log has no line yet."""
    sim.settings.lifecycle = LifecycleTimings(stale=0.0, building=seconds, starting=0.05)
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    push(api, {"app.py": APP, "README.md": CARD})


@pytest.mark.parametrize("stream", ["keepalive", "keepalive-comment"])
def test_a_read_of_a_stream_kept_open_by_keepalives_ends_after_the_quiet_time(api, sim, stream):
    """A keep-alive every 0.1 s never lets a read timeout fire: the quiet rule ends the read."""
    sim.settings.variants.log_stream, sim.settings.variants.keepalive = stream, 0.1
    _building(api, sim)
    probe = HubProbe(api, SPACE, read_timeout=5.0, quiet=0.5, budget=10.0)
    started = time.monotonic()
    assert probe.first_line(False) is None
    assert 0.5 <= time.monotonic() - started < 3.0
    started = time.monotonic()
    assert probe.tail(True).startswith("===== Build Queued at ")  # the lines, then quiet
    assert time.monotonic() - started < 3.0


def test_a_read_of_a_stream_that_keeps_writing_ends_at_its_budget(api, sim):
    """Lines keep coming (a long build's log, one line every 0.05 s): only the budget ends it."""
    sim.settings.variants.log_stream = "keepalive"
    reqs = "".join(f"pkg-{i}\n" for i in range(400)).encode()
    sim.settings.lifecycle = LifecycleTimings(stale=0.0, building=40.0, starting=0.05)
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    push(api, {"app.py": APP, "README.md": CARD, "requirements.txt": reqs})
    probe = HubProbe(api, SPACE, read_timeout=5.0, quiet=5.0, budget=1.0)
    started = time.monotonic()
    tail = probe.tail(True)
    assert 1.0 <= time.monotonic() - started < 4.0 and tail.count("\n") >= 3


def test_a_first_line_read_ends_at_the_first_line_of_a_log_still_being_written(api, sim):
    """The watch reads one line per log each poll: it must not wait for a busy log to go quiet."""
    sim.settings.variants.log_stream = "keepalive"
    reqs = "".join(f"pkg-{i}\n" for i in range(400)).encode()
    sim.settings.lifecycle = LifecycleTimings(stale=0.0, building=40.0, starting=0.05)
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    push(api, {"app.py": APP, "README.md": CARD, "requirements.txt": reqs})
    logs = SpaceLogs(api, SPACE, read_timeout=5.0, quiet=5.0, budget=3.0)
    started = time.monotonic()
    first = logs.first_line(True)
    assert first is not None and first[0].startswith("===== Build Queued at ")
    assert time.monotonic() - started < 2.5  # the whole log is read for the 3 s budget


def test_a_read_of_a_silent_open_stream_ends_at_the_read_timeout(api, sim):
    sim.settings.variants.log_stream = "silent"
    _building(api, sim)
    started = time.monotonic()
    assert HubProbe(api, SPACE, read_timeout=0.3).first_line(False) is None
    assert time.monotonic() - started < 3.0


def test_the_failure_tail_keeps_its_last_lines_when_the_log_clock_runs_ahead(api, sim):
    """huggingface_hub's no-follow read drops events stamped after the response's Date + 1 s; a
    log clock ahead (60 s here, so that a slow machine cannot hide it) loses a just-failed build's
    last lines there, not in our tail."""
    sim.settings.variants.log_skew = 60.0
    reqs = b"gradio\nhubsim-fail-build==1.0\n"
    deployed(api, sim, {"app.py": APP, "README.md": CARD, "requirements.txt": reqs}, "BUILD_ERROR")
    ours = HubProbe(api, SPACE).tail(True)
    theirs = "".join(api.fetch_space_logs(SPACE, build=True))
    error = "ERROR: No matching distribution found for hubsim-fail-build==1.0"
    assert error in ours.splitlines()[-3:]
    assert error not in theirs  # the library's read, for contrast (the reason ours exists)


def test_the_probe_reads_the_newest_commit_and_its_author_in_one_request(api, sim):
    sha = deployed(api, sim)
    sim.commit_later(SPACE, 0.0, author="someone-else")
    time.sleep(0.2)
    sim.counters.reset()
    newest = HubProbe(api, SPACE).newest_commit()
    assert newest == (sim.repo(SPACE).head, "someone-else") and newest[0] != sha
    assert sim.counters.requests == {"GET /api/{type}s/{repo}/commits/{rev}": 1}
