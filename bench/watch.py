"""Build watch: the action's watch loop driven by a fake clock against hubsim's lifecycle model.

The Hub's answers come from `hubsim.lifecycle.Build` (the code that serves the runtime and the
logs), evaluated at the fake clock's time, so a 5-minute build runs in milliseconds. A build is:
the stale window (the previous build is still shown: RUNNING, its sha if the shape has one, its
logs), BUILDING, APP_STARTING, then RUNNING. Both runtime shapes are measured: without `sha`
(production) the watch also reads the first line of the build log and, once, of the run log.
The notice delay is the time from RUNNING becoming visible to the watch returning. The baseline
is the same loop with a fixed 10 s interval.
"""

from __future__ import annotations

import statistics
import time
from unittest import mock

from hf_action.hub import watch as watch_mod
from hf_action.hub.proof import Goal
from hf_action.hub.watch import SpaceFacts, watch_space
from hubsim.buildplan import BuildPlan
from hubsim.lifecycle import Build
from hubsim.settings import LifecycleTimings

STALE, STARTING = 5.0, 15.0  # seconds; BUILDING takes the rest of the total build time
OLD, NEW = "0dd" * 13 + "b", "a1b" * 13 + "c"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _plan(commit: str) -> BuildPlan:
    build = [f"===== Build Queued at {{queued}} / Commit SHA: {commit[:7]} =====", "", "DONE"]
    run = ["===== Application Startup at {started} =====", "", "Running on local URL"]
    return BuildPlan("gradio", "RUNNING", None, build, run)


class SimProbe:
    """The watch's Hub reads, answered by hubsim's model of one build at the fake clock's time."""

    def __init__(self, build: Build, clock: FakeClock, with_sha: bool) -> None:
        self.build, self.clock, self.with_sha = build, clock, with_sha
        self.requests = {"runtime": 0, "logs": 0, "info": 0}

    def info(self) -> SpaceFacts:
        self.requests["info"] += 1
        return SpaceFacts(self._runtime(), NEW, self.build.wall(self.build.t0), "gradio")

    def runtime(self) -> dict:
        self.requests["runtime"] += 1
        return self._runtime()

    def _runtime(self) -> dict:
        v = self.build.view(self.clock.now)
        return {"stage": v.stage, **({"sha": v.sha} if self.with_sha and v.sha else {})}

    def first_line(self, build: bool) -> tuple[str, float] | None:
        out = self.log_lines(build)
        return out[0] if out else None

    def log_lines(self, build: bool) -> list[tuple[str, float]]:
        self.requests["logs"] += 1
        now, shown = self.clock.now, self.build
        while shown is not None and now < shown.stale_end:
            shown = shown.previous
        events = shown.log_events("build" if build else "run") if shown else []
        return [(line, shown.wall(t)) for t, line in events if shown and t <= now]

    def tail(self, build: bool) -> str:
        return ""


def one_build(total: float, fixed: float | None, with_sha: bool) -> tuple[float, int, int]:
    timings = LifecycleTimings(stale=STALE, building=total - STALE - STARTING, starting=STARTING)
    return timed_build(timings, fixed, with_sha)


def timed_build(
    timings: LifecycleTimings, fixed: float | None, with_sha: bool
) -> tuple[float, int, int]:
    """(notice delay s, runtime requests, log requests) of one watched build."""
    clock = FakeClock()
    wall = time.time()
    old = Build(OLD, _plan(OLD), clock.now - 3600, LifecycleTimings(0, 60, 20), 1.0, None,
                wall_now=wall - 3600)  # fmt: skip
    build = Build(NEW, _plan(NEW), clock.now, timings, 1.0, old, wall_now=wall)
    probe = SimProbe(build, clock, with_sha)

    def fixed_intervals():
        while True:
            yield fixed

    schedule = fixed_intervals if fixed else watch_mod.poll_intervals
    with mock.patch.object(watch_mod, "poll_intervals", schedule):
        res = watch_space(probe, Goal("commit", NEW), 3600, lambda msg: None, clock=clock,
                          sleep=clock.sleep)  # fmt: skip
    assert res.stage == "RUNNING", res
    runtime = probe.requests["runtime"] + probe.requests["info"]
    return clock.now - build.start_end, runtime, probe.requests["logs"]


def _shape(totals: list[float], with_sha: bool) -> dict:
    out: dict = {}
    n = len(totals)
    for name, fixed in (("action", None), ("fixed_10s", 10.0)):
        delays, calls, logs = zip(*(one_build(t, fixed, with_sha) for t in totals))
        five = one_build(300.0, fixed, with_sha)
        out[name] = {
            "notice_delay_s": {
                "median": round(statistics.median(delays), 2), "mean": round(statistics.mean(delays), 2),
                "p90": round(sorted(delays)[int(0.9 * (n - 1))], 2), "max": round(max(delays), 2),
            },
            "requests": {"median": statistics.median(calls), "max": max(calls)},
            "log_requests": {"median": statistics.median(logs), "max": max(logs)},
            "requests_300s_build": five[1], "log_requests_300s_build": five[2],
            "notice_delay_300s_build": round(five[0], 2),
        }  # fmt: skip
    return out


def run(n: int = 20, low: float = 240.0, high: float = 360.0) -> dict:
    # Deterministic spread of build durations, with sub-second offsets so the phase vs poll grid varies.
    totals = [low + (high - low) * i / (n - 1) + (i * 0.37) % 1 for i in range(n)]
    shapes = {"no-sha": _shape(totals, False), "sha": _shape(totals, True)}
    short = LifecycleTimings(stale=0.5, building=0.2, starting=0.1)  # shorter than one poll
    for name, with_sha in (("no-sha", False), ("sha", True)):
        delay, calls, logs = timed_build(short, None, with_sha)
        shapes[name]["short_build"] = {"notice_delay_s": round(delay, 2), "requests": calls,
                                       "log_requests": logs}  # fmt: skip
    return {
        "model": "fake clock against hubsim.lifecycle.Build (stale 5 s, building total-20 s, "
        "starting 15 s), runtime without sha (production) and with sha",
        "builds_s": [round(t, 2) for t in totals],
        **shapes["no-sha"],  # the production shape is the headline
        "shapes": shapes,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
