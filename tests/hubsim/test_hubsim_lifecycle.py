"""Failure triggers, stale window, static Spaces, pause/restart and restarts on settings changes."""

from __future__ import annotations

import re
import time

import pytest
from huggingface_hub import CommitOperationAdd

GRADIO_APP = "import gradio as gr\ngr.Interface(lambda x: x, 'text', 'text').launch()\n"
DOCKER_README = "---\ntitle: t\nsdk: docker\napp_port: 8000\n---\n"


def _commit(api, repo_id, files: dict[str, str], message="deploy"):
    ops = [CommitOperationAdd(p, c.encode()) for p, c in files.items()]
    return api.create_commit(repo_id, ops, commit_message=message, repo_type="space")


def _settle(sim, api, repo_id, timeout=5.0):
    """Wait until the build of the head is over; the in-process view names its sha in any shape."""
    space = api.space_info(repo_id)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = sim.repo(repo_id).space.runtime_view(time.monotonic())
        rt = api.get_space_runtime(repo_id)
        done = shown["stage"] not in ("BUILDING", "APP_STARTING") and shown["sha"] == space.sha
        if done and rt.stage == shown["stage"]:
            return rt
        time.sleep(0.02)
    raise AssertionError(f"{repo_id} did not settle: {rt.raw}")


def test_dockerfile_failing_run_gives_build_error(sim, api):
    api.create_repo("user/dock", repo_type="space", space_sdk="docker")
    dockerfile = (
        "FROM python:3.11\nWORKDIR /app\nRUN pip install fastapi\n"
        'RUN make assets && exit 1\nCMD ["python", "main.py"]\n'
    )
    _commit(
        api,
        "user/dock",
        {"README.md": DOCKER_README, "Dockerfile": dockerfile, "main.py": "print(1)\n"},
    )
    rt = _settle(sim, api, "user/dock")
    assert rt.stage == "BUILD_ERROR" and "exit code: 1" in rt.raw["errorMessage"]
    log = "".join(api.fetch_space_logs("user/dock", build=True))
    assert "--> FROM docker.io/library/python:3.11" in log and "--> RUN pip install fastapi" in log
    assert (
        '--> ERROR: process "/bin/sh -c make assets && exit 1" did not complete successfully: '
        "exit code: 1" in log
    )
    assert "CMD" not in log and "Pushing image" not in log


def test_fail_build_marker_and_healthy_docker(sim, api):
    api.create_repo("user/dock2", repo_type="space", space_sdk="docker")
    good = "FROM python:3.11\nRUN pip install fastapi uvicorn\nCMD uvicorn main:app --port 8000\n"
    _commit(
        api, "user/dock2", {"README.md": DOCKER_README, "Dockerfile": good, "main.py": "app = 1\n"}
    )
    assert _settle(sim, api, "user/dock2").stage == "RUNNING"
    assert "Uvicorn running on http://0.0.0.0:8000" in "".join(api.fetch_space_logs("user/dock2"))
    _commit(
        api, "user/dock2", {"Dockerfile": "FROM python:3.11\n# hubsim: fail-build\nRUN echo ok\n"}
    )
    assert _settle(sim, api, "user/dock2").stage == "BUILD_ERROR"


def test_missing_app_file_gives_no_app_file(sim, api):
    api.create_repo("user/noapp", repo_type="space", space_sdk="streamlit")
    _commit(
        api,
        "user/noapp",
        {"README.md": "---\nsdk: streamlit\napp_file: src/main.py\n---\n", "app.py": "x=1\n"},
    )
    rt = _settle(sim, api, "user/noapp")
    assert rt.stage == "NO_APP_FILE" and "src/main.py" in rt.raw["errorMessage"]


def test_invalid_front_matter_gives_config_error(sim, api):
    api.create_repo("user/cfgerr", repo_type="space", space_sdk="gradio")
    _commit(api, "user/cfgerr", {"README.md": "---\nsdk: flask\n---\n", "app.py": GRADIO_APP})
    rt = _settle(sim, api, "user/cfgerr")
    assert rt.stage == "CONFIG_ERROR" and "flask" in rt.raw["errorMessage"]
    _commit(api, "user/cfgerr", {"README.md": "---\nsdk: docker\napp_port: eighty\n---\n"})
    assert _settle(sim, api, "user/cfgerr").stage == "CONFIG_ERROR"


def test_unparsable_front_matter_is_rejected_by_validate_yaml(sim, api):
    import pytest

    api.create_repo("user/yaml", repo_type="space", space_sdk="gradio")
    with pytest.raises(ValueError, match=r"Invalid metadata in README\.md"):
        _commit(api, "user/yaml", {"README.md": "---\nsdk: [gradio\n---\n"})
    assert sim.repo("user/yaml").commits[-1].title == "initial commit"


def test_crashing_app_gives_runtime_error_with_traceback(sim, api):
    api.create_repo("user/crash", repo_type="space", space_sdk="gradio")
    _commit(api, "user/crash", {"app.py": "import sys\nprint('boot')\nsys.exit(1)\n"})
    rt = _settle(sim, api, "user/crash")
    assert rt.stage == "RUNTIME_ERROR"
    run = "".join(api.fetch_space_logs("user/crash"))
    assert "Traceback (most recent call last):" in run and 'app.py", line 3, in <module>' in run
    assert "SystemExit: 1" in run


@pytest.mark.parametrize("with_sha", [False, True], ids=["no-sha", "sha"])
def test_stale_window_reports_previous_stage_sha_and_logs(sim, api, with_sha):
    from hubsim import LifecycleTimings

    sim.settings.variants.sha = "shown" if with_sha else "absent"
    api.create_repo("user/stale", repo_type="space", space_sdk="gradio")
    first = _commit(api, "user/stale", {"app.py": GRADIO_APP})
    assert _settle(sim, api, "user/stale").stage == "RUNNING"
    sim.settings.time_scale = 1.0
    sim.settings.lifecycle = LifecycleTimings(stale=0.5, building=0.1, starting=0.1)
    second = _commit(api, "user/stale", {"app.py": "import sys\nsys.exit(1)\n"})
    rt = api.get_space_runtime("user/stale")
    assert rt.stage == "RUNNING"  # the old build is still reported, with its logs
    assert rt.raw.get("sha") == (first.oid if with_sha else None)
    assert _header(api, "user/stale") == f"Commit SHA: {first.oid[:7]}"
    assert sim.repo("user/stale").head == second.oid
    rt = _settle(sim, api, "user/stale")
    assert rt.stage == "RUNTIME_ERROR"
    assert rt.raw.get("sha") == (second.oid if with_sha else None)
    assert _header(api, "user/stale") == f"Commit SHA: {second.oid[:7]}"


def _header(api, repo_id, build=True):
    """The first log line's tail: ``Commit SHA: abc1234``, ``queued`` (no sha) or ``startup``."""
    first = next(iter(api.fetch_space_logs(repo_id, build=build)), "")
    m = re.fullmatch(
        r"===== (?:Build Queued|Application Startup) at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
        r"(?: / (Commit SHA: [0-9a-f]{7}))? =====\n",
        first,
    )
    assert m, first
    return m.group(1) or ("queued" if build else "startup")


def test_static_space_is_served_at_once_without_build(sim, api):
    from hubsim import LifecycleTimings

    sim.settings.lifecycle = LifecycleTimings(stale=30.0, building=30.0, starting=30.0)
    api.create_repo("user/site", repo_type="space", space_sdk="static")
    assert api.get_space_runtime("user/site").stage == "RUNNING"
    ci = _commit(api, "user/site", {"index.html": "<h1>v2</h1>"})
    rt = api.get_space_runtime("user/site")  # no stale window, no build: at once
    assert rt.stage == "RUNNING" and rt.hardware is None and "sha" not in rt.raw
    assert sim.repo("user/site").space.runtime_view(time.monotonic())["sha"] == ci.oid
    assert list(api.fetch_space_logs("user/site", build=True)) == []


def test_pause_restart_and_settings_changes_restart(sim, api):
    api.create_repo("user/life", repo_type="space", space_sdk="gradio")
    _commit(api, "user/life", {"app.py": GRADIO_APP})
    _settle(sim, api, "user/life")
    assert api.pause_space("user/life").stage == "PAUSED"
    api.add_space_variable("user/life", "K", "v")  # a paused Space stays paused
    assert api.get_space_runtime("user/life").stage == "PAUSED" and sim.counters.restarts == 0
    assert api.restart_space("user/life").stage == "BUILDING"
    assert _settle(sim, api, "user/life").stage == "RUNNING"
    api.add_space_secret("user/life", "S", "v")
    assert api.get_space_runtime("user/life").stage == "BUILDING"
    _settle(sim, api, "user/life")
    api.restart_space("user/life", factory_reboot=True)
    assert sim.counters.restarts == 3 and sim.counters.builds == 4
    assert sim.repo("user/life").stage == "BUILDING"
    rt = api.set_space_sleep_time("user/life", 3600)
    assert rt.sleep_time == 3600 and sim.repo("user/life").sleep_time == 3600


@pytest.mark.parametrize("with_sha", [False, True], ids=["no-sha", "sha"])
def test_runtime_shape_knob(with_sha, api, sim):
    """Default: no ``sha`` (as the production recordings); ``variants.sha = "shown"`` names the build."""
    from hubsim import HubSim

    assert HubSim().settings.variants.sha == "absent"
    sim.settings.variants.sha = "shown" if with_sha else "absent"
    api.create_repo("user/shape", repo_type="space", space_sdk="gradio")
    ci = _commit(api, "user/shape", {"app.py": GRADIO_APP})
    _settle(sim, api, "user/shape")
    for raw in (api.get_space_runtime("user/shape").raw, api.space_info("user/shape").runtime.raw):
        assert raw.get("sha") == (ci.oid if with_sha else None)


def test_logs_are_sse_events_with_headers(sim, api):
    import json
    import urllib.request

    api.create_repo("user/sse", repo_type="space", space_sdk="gradio")
    _commit(api, "user/sse", {"app.py": GRADIO_APP})
    _settle(sim, api, "user/sse")
    req = urllib.request.Request(
        f"{sim.url}/api/spaces/user/sse/logs/run",
        headers={"authorization": "Bearer hf_write_token"},
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = [ln for ln in resp.read().decode().splitlines() if ln.startswith("data: ")]
    first = json.loads(events[0][len("data: ") :])
    assert set(first) == {"data", "timestamp"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["timestamp"])
    assert _header(api, "user/sse", build=False) == "startup"


def test_restart_and_wake_are_logged_without_a_commit_sha(sim, api):
    api.create_repo("user/wake", repo_type="space", space_sdk="gradio")
    ci = _commit(api, "user/wake", {"app.py": GRADIO_APP})
    _settle(sim, api, "user/wake")
    assert _header(api, "user/wake") == f"Commit SHA: {ci.oid[:7]}"
    api.restart_space("user/wake")
    assert _header(api, "user/wake") == "queued"
    _settle(sim, api, "user/wake")
    sim.put_to_sleep("user/wake")
    assert api.get_space_runtime("user/wake").stage == "SLEEPING"
    assert sim.repo("user/wake").space.runtime_view(time.monotonic())["sha"] == ci.oid
    restarts = sim.counters.restarts
    sim.wake("user/wake")  # a visitor
    assert api.get_space_runtime("user/wake").stage == "BUILDING"
    assert _header(api, "user/wake") == "queued" and sim.counters.restarts == restarts + 1
    assert _settle(sim, api, "user/wake").stage == "RUNNING"


def test_commit_to_a_sleeping_space_builds_it(sim, api):
    from hubsim import LifecycleTimings

    api.create_repo("user/zz", repo_type="space", space_sdk="gradio")
    _commit(api, "user/zz", {"app.py": GRADIO_APP})
    _settle(sim, api, "user/zz")
    sim.put_to_sleep("user/zz")
    sim.settings.time_scale = 1.0
    sim.settings.lifecycle = LifecycleTimings(stale=0.3, building=0.1, starting=0.1)
    ci = _commit(api, "user/zz", {"app.py": GRADIO_APP + "# v2\n"})
    assert api.get_space_runtime("user/zz").stage == "SLEEPING"  # the stale window
    assert _settle(sim, api, "user/zz").stage == "RUNNING"
    assert _header(api, "user/zz") == f"Commit SHA: {ci.oid[:7]}"


def test_settings_that_restart_and_those_that_do_not(lane):
    """On a fake clock: the restart's BUILDING is seen however late the read comes (a real
    100 ms build window was missed on a loaded machine)."""
    from huggingface_hub import HfApi

    from hubsim import HubSim, Settings
    from hubsim.clock import FakeClock
    from tests.hubsim.conftest import READ, WRITE

    clock = FakeClock()
    settings = Settings(time_scale=0.05, xet=lane == "xet")
    with HubSim(
        user="user", tokens={WRITE: "write", READ: "read"}, settings=settings, clock=clock
    ) as sim:
        api = HfApi(endpoint=sim.url, token=WRITE)
        api.create_repo("user/set", repo_type="space", space_sdk="gradio")
        head = _commit(api, "user/set", {"app.py": GRADIO_APP}).oid
        clock.advance(60)
        assert api.get_space_runtime("user/set").stage == "RUNNING"
        api.update_repo_settings("user/set", private=True, repo_type="space")
        api.set_space_sleep_time("user/set", 3600)
        assert sim.counters.restarts == 0 and api.get_space_runtime("user/set").stage == "RUNNING"
        for change in (
            lambda: api.add_space_secret("user/set", "S", "v"),
            lambda: api.add_space_variable("user/set", "V", "v"),
            lambda: api.request_space_hardware("user/set", "cpu-upgrade"),
        ):
            sim.set_quota(pro=True)
            before = sim.counters.restarts
            change()
            assert sim.counters.restarts == before + 1
            assert api.get_space_runtime("user/set").stage == "BUILDING"
            assert _header(api, "user/set") == "queued"
            clock.advance(60)
            assert sim.repo("user/set").space.runtime_view(clock.monotonic())["sha"] == head
            assert api.get_space_runtime("user/set").stage == "RUNNING"


def test_a_restart_keeps_progressing_during_the_next_commits_stale_window(sim, api):
    """A secret change restarts the old build; the commit right after waits behind the stale
    window, during which the Hub shows that restart (stage and log) reaching RUNNING."""
    from hubsim import LifecycleTimings

    api.create_repo("user/race", repo_type="space", space_sdk="gradio")
    _commit(api, "user/race", {"app.py": GRADIO_APP})
    _settle(sim, api, "user/race")
    sim.settings.time_scale = 1.0
    sim.settings.lifecycle = LifecycleTimings(stale=1.0, building=0.1, starting=0.1)
    api.add_space_secret("user/race", "S", "new")
    ci = _commit(api, "user/race", {"app.py": GRADIO_APP + "# v2\n"})
    time.sleep(0.4)
    assert api.get_space_runtime("user/race").stage == "RUNNING"  # the restart, old code
    assert _header(api, "user/race") == "queued"
    assert _settle(sim, api, "user/race").stage == "RUNNING"
    assert _header(api, "user/race") == f"Commit SHA: {ci.oid[:7]}"


def test_a_build_shorter_than_a_poll(sim, api):
    from hubsim import LifecycleTimings

    api.create_repo("user/quick", repo_type="space", space_sdk="gradio")
    _commit(api, "user/quick", {"app.py": GRADIO_APP})
    _settle(sim, api, "user/quick")
    sim.settings.time_scale = 1.0
    sim.settings.lifecycle = LifecycleTimings(stale=0.0, building=0.2, starting=0.1)
    started = time.monotonic()
    _commit(api, "user/quick", {"app.py": GRADIO_APP + "# v2\n"})
    assert api.get_space_runtime("user/quick").stage in ("BUILDING", "APP_STARTING")
    assert _settle(sim, api, "user/quick").stage == "RUNNING"
    assert time.monotonic() - started < 1.0
