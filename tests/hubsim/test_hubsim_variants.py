"""hubsim's Variants (the Hub behaviours no recording tells) and its fake clock, through the real
client: each knob value does what hubsim/README says, and time moves only as the README says."""

from __future__ import annotations

import json
import re
import threading

import pytest
from huggingface_hub import CommitOperationAdd, HfApi, set_client_factory
from huggingface_hub.utils import _http

from hubsim import HubSim, LifecycleTimings, Settings
from hubsim.clock import FakeClock, RealClock, client_factory

WRITE = "hf_write_token"
APP = "import gradio as gr\ngr.Interface(lambda x: x, 'text', 'text').launch()\n"
CARD = "---\nsdk: gradio\n---\n"
SPACE = "user/v"


@pytest.fixture
def fake():
    clock = FakeClock()
    sim = HubSim(user="user", tokens={WRITE: "write"}, settings=Settings(xet=False), clock=clock)
    sim.settings.lifecycle = LifecycleTimings(stale=2.0, building=4.0, starting=2.0)
    set_client_factory(client_factory(clock))
    with sim:
        yield sim, clock, HfApi(endpoint=sim.url, token=WRITE)
    set_client_factory(_http.default_client_factory)


def _deploy(api: HfApi, clock: FakeClock, files: dict[str, str] | None = None) -> str:
    ops = [CommitOperationAdd(p, c.encode()) for p, c in (files or {"app.py": APP}).items()]
    if not api.repo_exists(SPACE, repo_type="space"):
        api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
        ops.append(CommitOperationAdd("README.md", CARD.encode()))
    oid = api.create_commit(SPACE, ops, commit_message="c", repo_type="space").oid
    clock.advance(30)
    return oid


def _events(api: HfApi, kind: str, timeout: float = 3.0, pings: int = 0) -> list[str]:
    """Every line of the stream (data events, keep-alives and comments) until it ends, goes
    quiet (`timeout` on the simulator's clock: a read timeout on the fake clock), or after
    `pings` lines that are not log lines (a stream kept open never ends by itself)."""
    import httpx2
    from huggingface_hub.utils import build_hf_headers, get_session

    url = f"{api.endpoint}/api/spaces/{SPACE}/logs/{kind}"
    lines = []
    try:
        with get_session().stream(
            "GET",
            url,
            headers=build_hf_headers(token=WRITE),
            timeout=httpx2.Timeout(10, read=timeout),
        ) as response:
            for line in response.iter_lines():
                lines += [line] if line else []
                if pings and len([x for x in lines if not x.startswith("data: {")]) > pings:
                    break
    except httpx2.ReadTimeout:
        pass
    return lines


def _data(lines: list[str]) -> list[str]:
    return [
        json.loads(line[6:])["data"].rstrip("\n") for line in lines if line.startswith("data: {")
    ]


# ---------------------------------------------------------------- the fake clock
def test_a_fake_clock_moves_only_when_slept_on_and_runs_due_actions_in_order():
    clock, done = FakeClock(wall=1000.0), []
    clock.call_later(2.0, lambda: done.append(("b", clock.monotonic())))
    clock.call_later(1.0, lambda: done.append(("a", clock.monotonic())))
    assert (clock.monotonic(), clock.time()) == (0.0, 1000.0)
    clock.sleep(1.5)
    assert done == [("a", 1.0)] and clock.monotonic() == 1.5 and clock.time() == 1001.5
    clock.advance(10)
    assert done == [("a", 1.0), ("b", 2.0)] and clock.monotonic() == 11.5


def test_a_waiting_stream_wakes_when_the_clock_reaches_its_time_and_not_before():
    clock, stop, woke = FakeClock(), threading.Event(), []
    waiter = threading.Thread(
        target=lambda: woke.append(clock.wait(3.0, stop, stream=("s", 10))), daemon=True
    )
    waiter.start()
    while clock.wake_of("s", 10) is None:
        pass
    assert clock.wake_of("s", 9) is None  # bytes still on their way: the clock must not move
    clock.advance(2.9)
    waiter.join(0.05)
    assert woke == []
    clock.advance(0.1)
    waiter.join(2)
    assert woke == [False] and clock.wake_of("s", 10) is None


def test_the_real_clock_waits_really_and_ends_when_the_client_left():
    stop = threading.Event()
    assert RealClock().wait(0.01, stop) is False
    assert RealClock().wait(0.01, stop, lambda: True) is True
    stop.set()
    assert RealClock().wait(5, stop) is True


# ---------------------------------------------------------------- settings changes
def _header(api: HfApi) -> str:
    return _data(_events(api, "build"))[0]


def _startup(api: HfApi) -> str:
    return _data(_events(api, "run"))[0]


@pytest.mark.parametrize(
    "mode,change,new_build,header_names_head,new_start",
    [
        ("rebuild", "secret", True, False, True),
        ("rebuild-named", "secret", True, True, True),
        ("container", "hardware", False, None, True),
        ("variables-quiet", "variable", False, None, False),
        ("variables-quiet", "secret", True, False, True),
        ("container", "restart", False, None, True),
        ("container", "factory", True, False, True),  # a factory reboot always rebuilds
    ],
)
def test_what_a_settings_change_does(fake, mode, change, new_build, header_names_head, new_start):
    sim, clock, api = fake
    sim.settings.variants.settings_restart = mode
    sim.set_quota(pro=True)
    head = _deploy(api, clock)
    header, startup, builds = _header(api), _startup(api), sim.counters.builds
    {
        "secret": lambda: api.add_space_secret(SPACE, "K", "v"),
        "variable": lambda: api.add_space_variable(SPACE, "K", "v"),
        "hardware": lambda: api.request_space_hardware(SPACE, "cpu-upgrade"),
        "restart": lambda: api.restart_space(SPACE),
        "factory": lambda: api.restart_space(SPACE, factory_reboot=True),
    }[change]()
    clock.advance(30)
    assert api.get_space_runtime(SPACE).stage == "RUNNING"
    assert (sim.counters.builds > builds) == new_build
    assert (_header(api) != header) == new_build
    if header_names_head is not None:
        assert _header(api).endswith(f"/ Commit SHA: {head[:7]} =====") == header_names_head
    assert (_startup(api) != startup) == new_start


@pytest.mark.parametrize("running", [False, True])
def test_running_stages_while_the_old_container_serves(fake, running):
    sim, clock, api = fake
    sim.settings.variants.running_stages = running
    _deploy(api, clock)
    api.add_space_secret(SPACE, "K", "v")  # a rebuild of a running Space
    assert api.get_space_runtime(SPACE).stage == ("RUNNING_BUILDING" if running else "BUILDING")
    clock.advance(4.5)
    stage = api.get_space_runtime(SPACE).stage
    assert stage == ("RUNNING_APP_STARTING" if running else "APP_STARTING")


@pytest.mark.parametrize("shape", ["absent", "shown", "served"])
def test_the_runtime_sha_of_each_shape_during_and_after_a_failed_build(fake, shape):
    sim, clock, api = fake
    sim.settings.variants.sha = shape
    old = _deploy(api, clock)
    new = api.create_commit(
        SPACE,
        [CommitOperationAdd("requirements.txt", b"hubsim-fail-build\n")],
        commit_message="broken",
        repo_type="space",
    ).oid
    clock.advance(3)  # building ours
    building = api.get_space_runtime(SPACE).raw
    clock.advance(30)
    failed = api.get_space_runtime(SPACE).raw
    assert (building["stage"], failed["stage"]) == ("BUILDING", "BUILD_ERROR")
    expected = {"absent": (None, None), "shown": (new, new), "served": (old, old)}[shape]
    assert (building.get("sha"), failed.get("sha")) == expected


# ---------------------------------------------------------------- logs
@pytest.mark.parametrize(
    "mode,tail",
    [("keepalive", "data: "), ("keepalive-comment", ": keep-alive"), ("silent", None)],
)
def test_open_streams_send_their_keepalives_until_the_reader_stops(fake, mode, tail):
    sim, clock, api = fake
    sim.settings.variants.log_stream = mode
    _deploy(api, clock)
    started = clock.monotonic()
    lines = _events(api, "build", timeout=3.5, pings=3)
    assert _data(lines)[0].startswith("===== Build Queued at ")
    pings = lines[len(_data(lines)) + 1 :]  # after ": hubsim" and the data events
    if tail is None:  # nothing ever comes: only the read timeout (on the clock) ends the read
        assert pings == [] and clock.monotonic() - started == 3.5
    else:  # a keep-alive a second: no read timeout ever fires
        assert pings == [tail] * 3 and clock.monotonic() - started == 3.0


def test_a_closing_stream_sends_what_is_written_and_moves_no_time(fake):
    _, clock, api = fake
    _deploy(api, clock)
    started = clock.monotonic()
    lines = _events(api, "build")
    assert _data(lines)[-1].startswith("DONE") and clock.monotonic() == started


@pytest.mark.parametrize("skew", [-10.0, 10.0])
def test_log_times_run_skew_seconds_off_the_api_clock(fake, skew):
    sim, clock, api = fake
    sim.settings.variants.log_skew = skew
    _deploy(api, clock)
    commit_time = api.space_info(SPACE).last_modified.timestamp()
    header = _header(api)
    queued = re.search(r"Queued at (\S+ \S+) ", header).group(1)
    from datetime import UTC, datetime

    at = datetime.strptime(queued, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()
    assert at - commit_time == pytest.approx(2.0 + skew, abs=1.0)  # the stale window, skewed


# ---------------------------------------------------------------- queue, info, another writer
@pytest.mark.parametrize("queued", ["NO_APP_FILE", "BUILDING"])
def test_a_first_build_waits_in_the_queue_showing_the_queued_stage(fake, queued):
    sim, clock, api = fake
    sim.settings.variants.first_queue, sim.settings.variants.queued_stage = 100.0, queued
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    ops = [
        CommitOperationAdd("app.py", APP.encode()),
        CommitOperationAdd("README.md", CARD.encode()),
    ]
    api.create_commit(SPACE, ops, commit_message="c", repo_type="space")
    clock.advance(90)
    assert api.get_space_runtime(SPACE).stage == queued and _events(api, "build") == [": hubsim"]
    clock.advance(30)
    assert api.get_space_runtime(SPACE).stage == "RUNNING"
    api.add_space_secret(SPACE, "K", "v")  # later builds do not queue
    assert api.get_space_runtime(SPACE).stage == "BUILDING"


def test_the_space_info_lags_behind_a_commit_but_the_listing_does_not(fake):
    sim, clock, api = fake
    old = _deploy(api, clock)
    sim.settings.variants.info_lag = 5.0
    ops = [CommitOperationAdd("x.txt", b"x")]
    new = api.create_commit(SPACE, ops, commit_message="c", repo_type="space").oid
    assert api.space_info(SPACE).sha == old
    assert api.list_repo_commits(SPACE, repo_type="space")[0].commit_id == new
    clock.advance(5)
    assert api.space_info(SPACE).sha == new


def test_another_writers_commit_lands_on_top_later(fake):
    sim, clock, api = fake
    ours = _deploy(api, clock)
    sim.commit_later(SPACE, 2.0, author="someone-else")
    sim.commit_later("user/never-created", 1.0)  # a Space that is gone: nothing happens
    clock.advance(1.9)
    assert sim.repo(SPACE).head == ours
    clock.advance(0.2)
    newest = api.list_repo_commits(SPACE, repo_type="space")[0]
    assert newest.commit_id == sim.repo(SPACE).head != ours and newest.authors == ["someone-else"]
