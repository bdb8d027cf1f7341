"""Simulated Space lifecycle, computed lazily from the monotonic clock (no background threads).

A build created by a commit first spends a *stale* window during which the runtime still
reports the previous stage and sha (the Hub does this), then BUILDING, APP_STARTING and its
outcome. Restarts skip the stale window. All durations are multiplied by ``time_scale``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .buildplan import BuildPlan, plan_build
from .state import FileEntry, iso_at

ERROR_STAGES = ("BUILD_ERROR", "CONFIG_ERROR", "NO_APP_FILE", "RUNTIME_ERROR")
STATIC_DELAY = 0.1  # seconds (before time_scale) a static Space takes to go live


@dataclass
class LifecycleTimings:
    """Phase durations in seconds, before ``time_scale`` is applied."""

    stale: float = 1.0
    building: float = 2.0
    starting: float = 1.0


@dataclass
class View:
    """What the runtime endpoint shows at one instant."""

    stage: str
    sha: str | None
    error: str | None


class Build:
    """One build of one commit with its absolute (monotonic) phase boundaries."""

    def __init__(
        self,
        sha: str | None,
        plan: BuildPlan,
        now: float,
        timings: LifecycleTimings,
        scale: float,
        previous: View,
    ) -> None:
        self.sha, self.plan, self.previous = sha, plan, previous
        self.t0 = now
        self.wall0 = time.time() - (time.monotonic() - now)
        self.stale_end = now + timings.stale * scale
        if plan.sdk == "static" or not plan.builds_image:
            delay = STATIC_DELAY * scale if plan.outcome == "RUNNING" else 0.0
            self.build_end = self.start_end = self.stale_end + delay
        else:
            self.build_end = self.stale_end + timings.building * scale
            self.start_end = (
                self.build_end
                if plan.outcome == "BUILD_ERROR"
                else self.build_end + timings.starting * scale
            )

    def view(self, now: float) -> View:
        if now < self.stale_end:
            return self.previous
        if not self.plan.builds_image:
            if now < self.start_end:
                return View("BUILDING", self.sha, None)
            return View(self.plan.outcome, self.sha, self.plan.error_message)
        if now < self.build_end:
            return View("BUILDING", self.sha, None)
        if self.plan.outcome == "BUILD_ERROR":
            return View("BUILD_ERROR", self.sha, self.plan.error_message)
        if now < self.start_end:
            return View("APP_STARTING", self.sha, None)
        return View(self.plan.outcome, self.sha, self.plan.error_message)

    def log_events(self, kind: str) -> list[tuple[float, str]]:
        """(monotonic time, line) pairs; lines become visible at their time."""
        if kind == "build":
            lines, start, end = self.plan.build_log, self.stale_end, self.build_end
        else:
            lines, start, end = self.plan.run_log, self.build_end, self.start_end
        if not lines:
            return []
        step = (end - start) / max(len(lines), 1)
        queued, started = (
            iso_at(self.wall0 + self.stale_end - self.t0),
            iso_at(self.wall0 + self.build_end - self.t0),
        )
        return [
            (start + i * step, ln.replace("{queued}", queued).replace("{started}", started))
            for i, ln in enumerate(lines)
        ]

    def wall(self, mono: float) -> float:
        return self.wall0 + (mono - self.t0)


class SpaceRuntimeState:
    """Lifecycle of one Space: current build, pause flag and the pre-first-build stage."""

    def __init__(self, sdk: str | None, files: Mapping[str, FileEntry]) -> None:
        self.lock = threading.RLock()
        self.build: Build | None = None
        self.prev_build: Build | None = None
        self.paused = False
        plan = plan_build(files, sdk, None)
        # Before any build the Hub shows the config verdict of the template files, without a sha.
        self.initial = View(
            plan.outcome if plan.outcome != "BUILD_ERROR" else "NO_APP_FILE",
            None,
            plan.error_message,
        )
        if plan.outcome == "RUNNING" and plan.builds_image:
            self.initial = View("NO_APP_FILE", None, None)

    def view(self, now: float) -> View:
        with self.lock:
            base = self.build.view(now) if self.build else self.initial
            if self.paused:
                return View("PAUSED", base.sha, None)
            return base

    def start_build(
        self,
        sha: str | None,
        files: Mapping[str, FileEntry],
        sdk: str | None,
        timings: LifecycleTimings,
        scale: float,
        stale: bool,
    ) -> Build:
        """Queue a new build; ``stale`` keeps reporting the previous state for a while."""
        now = time.monotonic()
        with self.lock:
            previous = self.view(now)
            t = timings if stale else LifecycleTimings(0.0, timings.building, timings.starting)
            self.prev_build = self.build
            self.build = Build(sha, plan_build(files, sdk, sha), now, t, scale, previous)
            return self.build

    def visible_build(self, now: float) -> Build | None:
        """The build whose logs the Hub shows now (the previous one during the stale window)."""
        with self.lock:
            if self.build is not None and now < self.build.stale_end:
                return self.prev_build
            return self.build

    def runtime_view(self, now: float) -> dict[str, Any]:
        v = self.view(now)
        return {"stage": v.stage, "sha": v.sha, "errorMessage": v.error}


def runtime_json(repo: Any, now: float | None = None) -> dict[str, Any]:
    """Body of ``GET /api/spaces/{id}/runtime`` shaped like the production recordings."""
    now = time.monotonic() if now is None else now
    space: SpaceRuntimeState = repo.space
    v = space.view(now)
    sdk = repo.sdk
    if sdk == "static":
        out: dict[str, Any] = {
            "stage": v.stage,
            "hardware": {"current": None, "requested": None},
            "storage": None,
            "replicas": {"requested": 1, "current": 1},
        }
    else:
        live = v.stage in ("RUNNING", "APP_STARTING", "RUNNING_BUILDING")
        replicas: dict[str, Any] = {"requested": 1}
        if live:
            replicas["current"] = 1
        out = {
            "stage": v.stage,
            "hardware": {"current": repo.hardware if live else None, "requested": repo.hardware},
            "storage": None,
            "gcTimeout": repo.sleep_time if repo.sleep_time is not None else 172800,
            "replicas": replicas,
            "devMode": False,
            "domains": [{"domain": f"{repo.subdomain}.hf.space", "stage": "READY"}],
        }
    if v.sha is not None:
        out["sha"] = v.sha
    if v.error:
        out["errorMessage"] = v.error
    return out
