"""The independent check of issue 20: the entrypoint, as the runner runs it, against hubsim's Hub
variants in real time (durations scaled), in every runtime shape: every case ends within 60 s with
the right verdict (the shapes: no `sha`, the `sha` of the build shown, the `sha` of the build
serving). All of it takes minutes of real time, so the suite runs `IN_SUITE` (a few cases, each
in one shape: the ones a Hub variant most often got wrong); all of them run with
`HF_DEPLOY_VARIANTS_E2E=1 bash scripts/test tests/test_watch_variants_e2e.py --junitxml=out.xml`
(each run's seconds are in the XML's properties)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest

from hubsim import LifecycleTimings
from tests.conftest import TOKEN, copy_example

LIMIT = 60.0
SCALE = 0.25  # simulated durations x 0.25: a 2/4/2 s build takes 2 s
ENV = {"HF_DEPLOY_POLL_SCALE": "0.5"}  # polls 0.5 s at first, then 1.75 s; settle 10 s


def _variables(ws) -> dict[str, str]:
    return {"variables": "MODE=fast"}


def _code(ws) -> dict[str, str]:
    app = ws / "app.py"
    app.write_text(app.read_text() + f"\n# {time.monotonic_ns()}\n")
    return {}


def _secret_and_code(ws) -> dict[str, str]:
    return {**_code(ws), "secrets": "API_KEY=a-fresh-secret-value"}


def _broken(ws) -> dict[str, str]:
    (ws / "requirements.txt").write_text("gradio\nhubsim-fail-build==1.0\n")
    return {}


def _restart(ws) -> dict[str, str]:
    return {"operation": "restart"}


def _hardware(ws) -> dict[str, str]:
    return {"hardware": "cpu-upgrade"}


NO_DIST = "No matching distribution found for hubsim-fail-build"  # the failing build's last line
STARTED = "Application Startup after our change"  # a container restart's proof
NOT_PROVEN = "not proven that the running app uses the new settings"  # the no-restart warning
# (name, knobs, change, fresh Space, writer delay, expected stage, text the output must hold)
CASES: list[tuple[str, dict[str, Any], Callable, bool, float | None, str, str]] = [
    ("rebuild-named", {"settings_restart": "rebuild-named"}, _variables, False, None, "RUNNING", "Evidence: "),
    ("rebuild", {"settings_restart": "rebuild"}, _secret_and_code, False, None, "RUNNING", "names our commit"),
    ("container", {"settings_restart": "container"}, _variables, False, None, "RUNNING", "Application Startup after our change"),
    ("container-restart", {"settings_restart": "container"}, _restart, False, None, "RUNNING", "Application Startup after our change"),
    ("variables-quiet", {"settings_restart": "variables-quiet"}, _variables, False, None, "RUNNING", NOT_PROVEN),
    ("keepalive", {"log_stream": "keepalive"}, _broken, False, None, "BUILD_ERROR", NO_DIST),
    ("keepalive-comment", {"log_stream": "keepalive-comment"}, _code, False, None, "RUNNING", "names our commit"),
    ("silent", {"log_stream": "silent"}, _broken, False, None, "BUILD_ERROR", NO_DIST),
    ("skew-ahead", {"log_skew": 10.0, "log_stream": "keepalive"}, _broken, False, None, "BUILD_ERROR", NO_DIST),
    ("skew-behind", {"log_skew": -10.0}, _secret_and_code, False, None, "RUNNING", "names our commit"),
    ("first-queue", {"first_queue": 120.0}, _code, True, None, "RUNNING", "is the previous verdict, not ours"),
    ("first-queue-building", {"first_queue": 120.0, "queued_stage": "BUILDING"}, _code, True, None, "RUNNING", "names our commit"),
    ("superseded", {}, _code, False, 1.0, "SUPERSEDED", "by someone-else replaced our commit"),
    ("info-lag", {"info_lag": 3.0}, _code, False, None, "RUNNING", "Evidence: "),
    ("hardware-afresh", {"settings_restart": "container", "run_log": "afresh"}, _hardware, False, None, "RUNNING", STARTED),
    ("hardware-appends", {"settings_restart": "container", "run_log": "appends"}, _hardware, False, None, "RUNNING", STARTED),
    ("busy-then-quiet", {"settings_restart": "container"}, _restart, False, None, "RUNNING", "nothing more to come"),
]  # fmt: skip
SHAPES = ("absent", "shown", "served")
#: Run by the suite (the rest with HF_DEPLOY_VARIANTS_E2E=1): a run log that appends, and evidence
#: that never comes (the settle bound); one with a runtime sha, one without (the matrix has all).
IN_SUITE = {("hardware-appends", "served"), ("busy-then-quiet", "absent")}  # fmt: skip
ALL = bool(os.environ.get("HF_DEPLOY_VARIANTS_E2E"))
PARAMS = [
    pytest.param(
        shape,
        *case,
        id=f"{case[0]}-{shape}",
        marks=()
        if ALL or (case[0], shape) in IN_SUITE
        else pytest.mark.skip(reason="slow: HF_DEPLOY_VARIANTS_E2E=1 runs it"),
    )
    for case in CASES
    for shape in SHAPES
]


@pytest.mark.parametrize("shape,name,knobs,change,fresh,writer,stage,text", PARAMS)
def test_each_variant_ends_in_time_with_the_right_verdict(
    action, hub, record_property, shape, name, knobs, change, fresh, writer, stage, text
):
    hub.settings.time_scale = SCALE
    hub.settings.lifecycle = LifecycleTimings(stale=2.0, building=4.0, starting=2.0)
    copy_example("gradio-hello", action.workspace)
    space = f"user/v-{name}"
    if not fresh:
        action.run({"space": space, "hf-token": TOKEN, "wait": "false"}).assert_ok()
        time.sleep(3.0)
    hub.settings.variants.sha = shape
    hub.auth.pro = True  # paid hardware
    if name == "busy-then-quiet":  # the run log tells nothing: its reads are refused
        hub.faults.add(method="GET", path=r"/logs/run$", status=403, times=10**6)
    for knob, value in knobs.items():
        setattr(hub.settings.variants, knob, value)
    inputs = change(action.workspace)
    if writer is not None:
        hub.faults.add(
            method="GET",
            path=rf"^/api/spaces/{space}$",
            query=r"expand=runtime",
            before=lambda: hub.commit_later(space, writer, author="someone-else"),
        )
    started = time.monotonic()
    result = action.run(
        {"space": space, "hf-token": TOKEN, "timeout": "120s", **inputs}, env=ENV, timeout=150
    )
    took = time.monotonic() - started
    record_property("seconds", round(took, 1))  # --junitxml keeps it, for the measurements
    assert result.outputs["stage"] == stage, result.stdout
    assert result.returncode == (0 if stage == "RUNNING" else 1), result.stdout
    assert text in result.stdout + "\n".join(result.errors), result.stdout
    assert took < LIMIT
