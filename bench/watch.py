"""Build watch: `hf_action.hub.watch.wait_for_commit` driven by a fake clock against hubsim's lifecycle model.

The runtime answers come from `hubsim.lifecycle.Build.view(now)` (the same code that serves
`GET /api/spaces/{id}/runtime`), evaluated at the fake clock's time, so a 5-minute build runs in
milliseconds. A build is: the stale window (the previous RUNNING build and sha are still reported),
BUILDING, APP_STARTING, then RUNNING. The notice delay is the time from RUNNING becoming visible to
`wait_for_commit` returning. The baseline is the same loop with a fixed 10 s interval.
"""

from __future__ import annotations

import statistics
from unittest import mock

from hf_action.hub import watch
from hubsim.buildplan import BuildPlan
from hubsim.lifecycle import Build, LifecycleTimings, View

STALE, STARTING = 5.0, 15.0  # seconds; BUILDING takes the rest of the total build time


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def one_build(total: float, fixed: float | None) -> tuple[float, int]:
    clock = FakeClock()
    timings = LifecycleTimings(stale=STALE, building=total - STALE - STARTING, starting=STARTING)
    build = Build(
        "new" * 13 + "a",
        BuildPlan("gradio", "RUNNING"),
        clock.now,
        timings,
        1.0,
        View("RUNNING", "old" * 13 + "b", None),
    )
    calls = 0

    def get_runtime() -> dict:
        nonlocal calls
        calls += 1
        v = build.view(clock.now)
        return {"stage": v.stage, "sha": v.sha}

    def fixed_intervals():
        while True:
            yield fixed

    patch = (
        mock.patch.object(watch, "poll_intervals", fixed_intervals)
        if fixed
        else mock.patch.object(watch, "poll_intervals", watch.poll_intervals)
    )
    with patch:
        res = watch.wait_for_commit(
            get_runtime,
            lambda build: "",
            build.sha,
            3600,
            lambda msg: None,
            clock=clock,
            sleep=clock.sleep,
        )
    assert res.stage == "RUNNING", res
    return clock.now - build.start_end, calls


def run(n: int = 20, low: float = 240.0, high: float = 360.0) -> dict:
    # Deterministic spread of build durations, with sub-second offsets so the phase vs poll grid varies.
    totals = [low + (high - low) * i / (n - 1) + (i * 0.37) % 1 for i in range(n)]
    out: dict = {
        "model": "fake clock against hubsim.lifecycle.Build (stale 5 s, building total-20 s, starting 15 s)",
        "builds_s": [round(t, 2) for t in totals],
    }
    for name, fixed in (("action", None), ("fixed_10s", 10.0)):
        delays, calls = zip(*(one_build(t, fixed) for t in totals))
        five_min = one_build(300.0, fixed)
        out[name] = {
            "notice_delay_s": {
                "median": round(statistics.median(delays), 2), "mean": round(statistics.mean(delays), 2),
                "p90": round(sorted(delays)[int(0.9 * (n - 1))], 2), "max": round(max(delays), 2),
            },
            "requests": {"median": statistics.median(calls), "max": max(calls)},
            "requests_300s_build": five_min[1], "notice_delay_300s_build": round(five_min[0], 2),
        }  # fmt: skip
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
