"""Simulated Space lifecycle, computed lazily from the monotonic clock (no background threads).

A build created by a commit first spends a *stale* window during which the Hub still shows the
previous build (its stage, sha and logs; a previous build still in progress keeps progressing),
then BUILDING, APP_STARTING and its outcome. Restarts and wakes skip the stale window. Static
Spaces never build: the repository's files are served at once. All durations are multiplied by
``time_scale``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .buildplan import BuildPlan, plan_build
from .state import FileEntry

ERROR_STAGES = ("BUILD_ERROR", "CONFIG_ERROR", "NO_APP_FILE", "RUNTIME_ERROR")


@dataclass
class LifecycleTimings:
    """Phase durations in seconds, before ``time_scale`` is applied."""

    stale: float = 1.0
    building: float = 2.0
    starting: float = 1.0


@dataclass
class RuntimeShape:
    """How ``GET /api/spaces/{id}/runtime`` answers; shared by every Space of one simulator.

    ``sha``: include the sha of the build shown. The production recordings have no such field
    and no Hub document promises it, so it is off by default.
    """

    sha: bool = False


@dataclass
class View:
    """What the runtime endpoint shows at one instant."""

    stage: str
    sha: str | None
    error: str | None


def log_time(epoch: float) -> str:
    """``YYYY-MM-DD HH:MM:SS`` (UTC), as in the Hub's ``===== Build Queued at … =====`` lines."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


class Build:
    """One build of one commit (or restart of it) with absolute (monotonic) phase boundaries.

    ``previous`` is the build the Hub keeps showing during the stale window; ``frozen``, when
    set, is the stage shown then instead of that build's own (a sleeping Space, a fresh one).
    """

    def __init__(
        self,
        sha: str | None,
        plan: BuildPlan,
        now: float,
        timings: LifecycleTimings,
        scale: float,
        previous: Build | View | None,
        *,
        wall_now: float | None = None,
    ) -> None:
        self.sha, self.plan = sha, plan
        self.previous: Build | None = previous if isinstance(previous, Build) else None
        self.frozen: View | None = previous if isinstance(previous, View) else None
        self.t0 = now
        self.wall0 = time.time() if wall_now is None else wall_now
        if plan.sdk == "static":  # served from the repository's files: no queue, no build
            self.stale_end = self.build_end = self.start_end = now
            return
        self.stale_end = now + timings.stale * scale
        if not plan.builds_image:  # CONFIG_ERROR / NO_APP_FILE: a verdict, no image
            self.build_end = self.start_end = self.stale_end
            return
        self.build_end = self.stale_end + timings.building * scale
        self.start_end = self.build_end
        if plan.outcome != "BUILD_ERROR":
            self.start_end += timings.starting * scale

    def view(self, now: float) -> View:
        if now < self.stale_end:
            if self.frozen is not None or self.previous is None:
                return self.frozen or View("NO_APP_FILE", None, None)
            return self.previous.view(now)
        if now < self.build_end:
            return View("BUILDING", self.sha, None)
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
        queued, started = log_time(self.wall(self.stale_end)), log_time(self.wall(self.build_end))
        return [
            (start + i * step, ln.replace("{queued}", queued).replace("{started}", started))
            for i, ln in enumerate(lines)
        ]

    def wall(self, mono: float) -> float:
        return self.wall0 + (mono - self.t0)


class SpaceRuntimeState:
    """Lifecycle of one Space: current build, pause and sleep flags, pre-first-build stage."""

    def __init__(
        self, sdk: str | None, files: Mapping[str, FileEntry], shape: RuntimeShape | None = None
    ) -> None:
        self.lock = threading.RLock()
        self.shape = shape if shape is not None else RuntimeShape()
        self.build: Build | None = None
        self.paused = False
        self.asleep = False
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
            if self.asleep:
                return View("SLEEPING", base.sha, None)
            return base

    def start_build(
        self,
        sha: str | None,
        files: Mapping[str, FileEntry],
        sdk: str | None,
        timings: LifecycleTimings,
        scale: float,
        stale: bool,
        now: float | None = None,
    ) -> Build:
        """Queue a build of ``sha``. ``stale`` marks a commit build: it waits behind the stale
        window and its log names the commit; a restart or wake (``stale=False``) does neither."""
        now = time.monotonic() if now is None else now
        with self.lock:
            current = self.build
            if current is not None and now >= current.stale_end:
                current.previous = current.frozen = None  # never shown again: drop the chain
            shown: Build | View | None = current
            if current is None or self.asleep:
                shown = self.view(now)
            t = timings if stale else LifecycleTimings(0.0, timings.building, timings.starting)
            build = Build(sha, plan_build(files, sdk, sha if stale else None), now, t, scale, shown)
            if isinstance(shown, View) and current is not None:
                build.previous = current  # its logs stay visible while the frozen stage shows
            self.build, self.asleep = build, False
            return build

    def sleep(self) -> None:
        """No visitor for ``gcTimeout`` seconds: SLEEPING until a visit, restart or commit."""
        with self.lock:
            if not self.paused and self.build is not None:
                self.asleep = True

    def visible_build(self, now: float) -> Build | None:
        """The build whose logs the Hub shows now (the previous one during the stale window)."""
        with self.lock:
            build = self.build
            while build is not None and now < build.stale_end:
                build = build.previous
            return build

    def runtime_view(self, now: float) -> dict[str, Any]:
        """In-process view, always with the sha (tests read it whatever the runtime shape)."""
        v = self.view(now)
        return {"stage": v.stage, "sha": v.sha, "errorMessage": v.error}


def runtime_json(repo: Any, now: float | None = None) -> dict[str, Any]:
    """Body of ``GET /api/spaces/{id}/runtime`` shaped like the production recordings."""
    now = time.monotonic() if now is None else now
    space: SpaceRuntimeState = repo.space
    v = space.view(now)
    if repo.sdk == "static":
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
    if v.sha is not None and space.shape.sha:
        out["sha"] = v.sha
    if v.error:
        out["errorMessage"] = v.error
    return out
