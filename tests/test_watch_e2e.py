"""The build watch, end to end, on both shapes of the Hub's runtime JSON (with and without `sha`).

The entrypoint runs as the runner runs it against hubsim. After every green run the Space must
really run the commit the run reports (read in-process from the simulator, whatever the shape);
every red run must come within seconds of the Hub showing our failure, with its log tail.
"""

from __future__ import annotations

import time

import pytest

from hubsim import LifecycleTimings
from hubsim.settings import SLEEP_STAGES
from tests.conftest import TOKEN, copy_example

SLOW = LifecycleTimings(stale=30.0, building=30.0, starting=30.0)  # a wait for a build would show


@pytest.fixture(params=[False, True], ids=["no-sha", "sha"])
def shape(request, hub):
    """Both runtime shapes: without `sha` (the production recordings) and with it."""
    hub.settings.variants.sha = "shown" if request.param else "absent"
    return request.param


def shown(hub, space_id: str) -> dict:
    """What the Space runs right now (in-process: the sha is known whatever the JSON shape)."""
    return hub.repo(space_id).space.runtime_view(time.monotonic())


def deploy(action, space: str, env: dict | None = None, **inputs: str):
    started = time.monotonic()
    inputs.setdefault("timeout", "30s")  # a watch that misses the end fails here, not later
    result = action.run({"space": space, "hf-token": TOKEN, **inputs}, env=env)
    return result, time.monotonic() - started


def assert_runs_head(hub, result, space_id: str) -> None:
    result.assert_ok()
    now = shown(hub, space_id)
    assert result.outputs["stage"] == "RUNNING" == now["stage"], (result.stdout, now)
    assert now["sha"] == hub.repo(space_id).head == result.outputs["commit-sha"]
    assert "Evidence: " in result.stdout


def bump(path) -> None:
    path.write_text(path.read_text() + f"\n# {time.monotonic_ns()}\n")


def test_static_site_first_deploy_and_redeploy_take_seconds(action, hub, shape):
    hub.settings.lifecycle = SLOW  # a static Space never builds: nothing of this may be waited for
    copy_example("static-site", action.workspace)
    first, took = deploy(action, "user/site")
    assert_runs_head(hub, first, "user/site")
    assert took < 15 and ("static Space" in first.stdout or shape)
    (action.workspace / "index.html").write_text("<h1>v2</h1>\n")
    again, took = deploy(action, "user/site")
    assert_runs_head(hub, again, "user/site")
    assert again.outputs["commit-sha"] != first.outputs["commit-sha"] and took < 15


def test_a_rebuild_shorter_than_a_poll_is_noticed(action, hub, shape):
    copy_example("gradio-hello", action.workspace)
    deploy(action, "user/quick")[0].assert_ok()
    hub.settings.lifecycle = LifecycleTimings(
        stale=0.5, building=0.2, starting=0.1
    )  # 0.3 s of build
    bump(action.workspace / "app.py")
    # Polls 1 s apart: BUILDING and APP_STARTING fall between two polls.
    result, took = deploy(action, "user/quick", {"HF_DEPLOY_POLL_SCALE": "1"}, timeout="20s")
    assert_runs_head(hub, result, "user/quick")
    assert took < 12


@pytest.mark.parametrize(
    "settings",
    [{"visibility": "private"}, {"sleep-time": "3600"}],
    ids=["visibility", "sleep-time"],
)
def test_settings_that_restart_nothing_finish_fast_without_a_commit(action, hub, shape, settings):
    hub.set_quota(pro=True)  # a sleep time is only sent for paid hardware
    copy_example("gradio-hello", action.workspace)
    first, _ = deploy(action, "user/cfg", hardware="cpu-upgrade")
    first.assert_ok()
    commits, restarts = len(hub.repo("user/cfg").commits), hub.counters.restarts
    hub.settings.lifecycle = SLOW
    result, took = deploy(action, "user/cfg", hardware="cpu-upgrade", **settings)
    assert_runs_head(hub, result, "user/cfg")
    assert len(hub.repo("user/cfg").commits) == commits and hub.counters.restarts == restarts
    assert result.outputs["commit-sha"] == first.outputs["commit-sha"] and took < 15


def test_new_code_and_a_changed_secret_wait_for_the_new_commit(action, hub, shape):
    """The secret restarts the old build, which reaches RUNNING during the commit's stale window;
    that RUNNING is the old code and must not end the watch."""
    copy_example("gradio-hello", action.workspace)
    deploy(action, "user/race", secrets="API_KEY=first-value-123")[0].assert_ok()
    old = hub.repo("user/race").head
    hub.settings.lifecycle = LifecycleTimings(stale=1.5, building=0.2, starting=0.1)
    bump(action.workspace / "app.py")
    result, took = deploy(action, "user/race", secrets="API_KEY=second-value-456")
    assert_runs_head(hub, result, "user/race")
    assert hub.repo("user/race").head != old and hub.counters.restarts >= 1
    assert took > 1.5  # it waited past the stale window, where only the old code ran


def test_a_changed_secret_alone_waits_for_the_restart(action, hub, shape):
    copy_example("gradio-hello", action.workspace)
    deploy(action, "user/sec", secrets="API_KEY=first-value-123")[0].assert_ok()
    commits = len(hub.repo("user/sec").commits)
    hub.settings.lifecycle = LifecycleTimings(stale=0.2, building=0.6, starting=0.2)
    result, took = deploy(action, "user/sec", secrets="API_KEY=second-value-456")
    assert_runs_head(hub, result, "user/sec")
    assert len(hub.repo("user/sec").commits) == commits
    assert took > 0.8  # the restart (0.8 s) ran to the end before the job went green


def test_an_error_left_by_the_previous_build_does_not_fail_ours(action, hub, shape):
    copy_example("docker-fastapi", action.workspace)
    dockerfile = action.workspace / "Dockerfile"
    good = dockerfile.read_text()
    dockerfile.write_text(good + "\nRUN exit 3\n")
    broken, _ = deploy(action, "user/fix", **{"app-port": "8000"})
    assert broken.returncode == 1 and broken.outputs["stage"] == "BUILD_ERROR"
    hub.settings.lifecycle = LifecycleTimings(stale=1.0, building=0.2, starting=0.1)
    dockerfile.write_text(good)
    result, _ = deploy(action, "user/fix", **{"app-port": "8000"})
    assert_runs_head(hub, result, "user/fix")


def test_files_without_an_app_fail_before_anything_is_written(action, hub, shape):
    """Our files cannot hold a gradio app (no app.py, no app_file): the Hub would answer
    NO_APP_FILE, so the run says so, with the fix, before creating or committing anything."""
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "app.py").rename(action.workspace / "main.py")
    result, _ = deploy(action, "user/noapp")
    assert result.returncode == 1 and hub.repo("user/noapp") is None
    assert result.errors == [
        "::error title=No app to run::The gradio Space would have no 'app.py', so the Hub could not run it (NO_APP_FILE);"
        " nothing was changed on the Space. Add app.py to 'path', or set 'app-file' (or app_file"
        " in the README front matter) to the file that starts the app."
    ]
    result, _ = deploy(action, "user/noapp", **{"app-file": "main.py"})
    assert_runs_head(hub, result, "user/noapp")


def _break(workspace, how: str) -> tuple[str, str]:
    """Make the next commit fail the way `how` says; returns (stage, text of its log tail)."""
    if how == "BUILD_ERROR":
        (workspace / "requirements.txt").write_text("gradio\nhubsim-fail-build==1.0\n")
        return how, "No matching distribution found for hubsim-fail-build"
    (workspace / "app.py").write_text("import sys\nprint('starting')\nsys.exit(1)\n")
    return how, "SystemExit: 1"


@pytest.mark.parametrize("how", ["BUILD_ERROR", "RUNTIME_ERROR"])
def test_our_own_failure_fails_within_seconds_with_its_log(action, hub, shape, how):
    copy_example("gradio-hello", action.workspace)
    deploy(action, "user/bad")[0].assert_ok()
    hub.settings.lifecycle = LifecycleTimings(stale=0.5, building=0.3, starting=0.2)
    stage, text = _break(action.workspace, how)
    result, took = deploy(action, "user/bad", timeout="60s")
    assert result.returncode == 1, result.stdout
    assert result.outputs["stage"] == stage and stage in result.errors[0]
    assert text in result.stdout
    assert shown(hub, "user/bad")["sha"] == hub.repo("user/bad").head
    assert took < 15  # seconds after the Hub said so, not the 60 s timeout


@pytest.fixture(params=SLEEP_STAGES)
def asleep(request, hub):
    """How the Hub shows a Space without visitors: SLEEPING or STOPPED (hubsim/README: Variants)."""
    hub.settings.variants.sleep_stage = request.param
    return request.param


def test_an_asleep_space_runs_the_new_commit(action, hub, shape, asleep):
    copy_example("gradio-hello", action.workspace)
    deploy(action, "user/zz")[0].assert_ok()
    hub.put_to_sleep("user/zz")
    hub.settings.lifecycle = LifecycleTimings(stale=0.5, building=0.2, starting=0.1)
    bump(action.workspace / "app.py")
    result, _ = deploy(action, "user/zz")
    assert_runs_head(hub, result, "user/zz")


def test_a_settings_change_on_an_asleep_space_reports_it_asleep(action, hub, shape, asleep):
    copy_example("gradio-hello", action.workspace)
    deploy(action, "user/nap")[0].assert_ok()
    hub.put_to_sleep("user/nap")
    result, took = deploy(action, "user/nap", visibility="private")
    result.assert_ok()
    assert result.outputs["stage"] == asleep and took < 15


def test_a_paused_space_fails_at_once(action, hub, shape):
    copy_example("gradio-hello", action.workspace)
    deploy(action, "user/held")[0].assert_ok()
    hub.repo("user/held").space.paused = True
    bump(action.workspace / "app.py")
    result, took = deploy(action, "user/held", timeout="60s")
    assert result.returncode == 1 and result.outputs["stage"] == "PAUSED"
    assert "paused" in result.errors[0] and took < 15


def test_restart_operation_waits_for_the_restarts_own_build(action, hub, shape):
    copy_example("gradio-hello", action.workspace)
    deploy(action, "user/again")[0].assert_ok()
    hub.settings.lifecycle = LifecycleTimings(stale=0.2, building=0.8, starting=0.2)
    result, took = deploy(action, "user/again", operation="restart")
    result.assert_ok()
    assert result.outputs["stage"] == "RUNNING" == shown(hub, "user/again")["stage"]
    assert "a build queued after our change" in result.stdout
    assert took > 1.0  # the restart's 1 s build ran to the end before the job went green
