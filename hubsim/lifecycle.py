"""Simulated Space lifecycle, computed lazily from the simulator's clock (no background threads).

A build created by a commit first spends a *stale* window during which the Hub still shows the
previous build (its stage, sha and logs; a previous build still in progress keeps progressing),
then BUILDING, APP_STARTING and its outcome. Restarts and wakes skip the stale window. Static
Spaces never build: the repository's files are served at once. All durations are multiplied by
``time_scale``. Where the real Hub's behaviour is not recorded, `Variants` chooses (hubsim/README).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .buildplan import BuildPlan, plan_build
from .settings import LifecycleTimings, Variants
from .state import FileEntry

ERROR_STAGES = ("BUILD_ERROR", "CONFIG_ERROR", "NO_APP_FILE", "RUNTIME_ERROR")


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
        variants: Variants | None = None,
        queue: float = 0.0,
    ) -> None:
        self.sha, self.plan = sha, plan
        self.variants = variants if variants is not None else Variants()
        self.previous: Build | None = previous if isinstance(previous, Build) else None
        self.frozen: View | None = previous if isinstance(previous, View) else None
        self.t0 = now
        self.wall0 = time.time() if wall_now is None else wall_now
        self.image: Build | None = None  # a container restart: the build whose image runs
        self.earlier: Build | None = None  # a run log that appends: the container before this
        shown = previous.view(now) if isinstance(previous, Build) else previous
        self.over_running = shown is not None and shown.stage == "RUNNING"
        # The commit whose container serves until this build runs (or when it fails).
        self.prior_served = previous.served(now) if isinstance(previous, Build) else None
        if plan.sdk == "static":  # served from the repository's files: no queue, no build
            self.stale_end = self.build_end = self.start_end = now
            return
        self.stale_end = now + timings.stale * scale + queue
        if not plan.builds_image:  # CONFIG_ERROR / NO_APP_FILE: a verdict, no image
            self.build_end = self.start_end = self.stale_end
            return
        self.build_end = self.stale_end + timings.building * scale
        self.start_end = self.build_end
        if plan.outcome != "BUILD_ERROR":
            self.start_end += timings.starting * scale

    @classmethod
    def container_restart(
        cls,
        image: Build,
        now: float,
        wall_now: float,
        timings: LifecycleTimings,
        scale: float,
        earlier: Build | None = None,
    ) -> Build:
        """The container of `image` starts again: no build, a new ``Application Startup`` in
        the run log, after `earlier`'s lines when the run log ``appends``."""
        t = LifecycleTimings(0.0, 0.0, timings.starting)
        build = cls(image.sha, image.plan, now, t, scale, image, wall_now=wall_now)
        build.variants, build.image, build.previous = image.variants, image, None
        build.earlier = earlier if image.variants.run_log == "appends" else None
        return build

    def view(self, now: float) -> View:
        if now < self.stale_end:
            if self.frozen is not None or self.previous is None:
                return self.frozen or View("NO_APP_FILE", None, None)
            return self.previous.view(now)
        running = "RUNNING_" if self.over_running and self.variants.running_stages else ""
        if now < self.build_end:
            return View(running + "BUILDING", self.sha, None)
        if now < self.start_end:
            return View(running + "APP_STARTING", self.sha, None)
        return View(self.plan.outcome, self.sha, self.plan.error_message)

    def served(self, now: float) -> str | None:
        """The commit whose container serves at `now`."""
        if now >= self.start_end and self.plan.outcome == "RUNNING":
            return self.sha
        if now < self.stale_end and self.previous is not None:
            return self.previous.served(now)
        return self.prior_served

    def log_events(self, kind: str) -> list[tuple[float, str]]:
        """(monotonic time, line) pairs; lines become visible at their time."""
        if kind == "build" and self.image is not None:
            return self.image.log_events(kind)
        if kind == "build":
            lines, start, end = self.plan.build_log, self.stale_end, self.build_end
        else:
            lines, start, end = self.plan.run_log, self.build_end, self.start_end
        before = self.earlier.log_events(kind) if self.earlier and kind == "run" else []
        if not lines:
            return before
        step = (end - start) / max(len(lines), 1)
        queued, started = log_time(self.wall(self.stale_end)), log_time(self.wall(self.build_end))
        return before + [
            (start + i * step, ln.replace("{queued}", queued).replace("{started}", started))
            for i, ln in enumerate(lines)
        ]

    def wall(self, mono: float) -> float:
        """The logs' clock at monotonic `mono` (the API's clock plus the variant's skew)."""
        return self.wall0 + (mono - self.t0) + self.variants.log_skew


class SpaceRuntimeState:
    """Lifecycle of one Space: current build, pause and sleep flags, pre-first-build stage."""

    def __init__(
        self,
        sdk: str | None,
        files: Mapping[str, FileEntry],
        variants: Variants | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock  # the simulator's monotonic time, for in-process reads
        self.variants = variants if variants is not None else Variants()
        self.build: Build | None = None
        self.builds: list[Build] = []  # every build and container restart, oldest first
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
                return View(self.variants.sleep_stage, base.sha, None)
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
        *,
        named: bool | None = None,
        wall_now: float | None = None,
    ) -> Build:
        """Queue a build of ``sha``. ``stale`` marks a commit build: it waits behind the stale
        window; ``named`` (default: ``stale``): its log names the commit. A new Space's first
        build also waits ``first_queue`` seconds."""
        now = time.monotonic() if now is None else now
        named = stale if named is None else named
        with self.lock:
            current = self.build
            if current is not None and now >= current.stale_end:
                current.previous = current.frozen = None  # never shown again: drop the chain
            shown: Build | View | None = current
            if current is None or self.asleep:
                shown = self.view(now)
            if current is None and stale and self.variants.queued_stage == "BUILDING":
                shown = View("BUILDING", None, None)  # a first build, queued
            t = timings if stale else LifecycleTimings(0.0, timings.building, timings.starting)
            queue = self.variants.first_queue * scale if current is None and stale else 0.0
            build = Build(
                sha,
                plan_build(files, sdk, sha if named else None),
                now,
                t,
                scale,
                shown,
                wall_now=wall_now,
                variants=self.variants,
                queue=queue,
            )
            if isinstance(shown, View) and current is not None:
                build.previous = current  # its logs stay visible while the frozen stage shows
            self.build, self.asleep = build, False
            self.builds.append(build)
            return build

    def restart_container(
        self, now: float, wall_now: float, timings: LifecycleTimings, scale: float
    ) -> Build | None:
        """Start the shown build's container again (no build); None when none ran."""
        with self.lock:
            image = self.visible_build(now)
            if image is None or not image.plan.builds_image or self.asleep:
                return None
            if image.view(now).stage in ("BUILD_ERROR", "BUILDING", "RUNNING_BUILDING"):
                return None
            earlier = image
            while image.image is not None:
                image = image.image
            self.build = Build.container_restart(image, now, wall_now, timings, scale, earlier)
            self.builds.append(self.build)
            return self.build

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

    def served(self, now: float) -> str | None:
        with self.lock:
            return self.build.served(now) if self.build is not None else None

    def runtime_view(self, now: float | None = None) -> dict[str, Any]:
        """In-process view, always with the sha (tests read it whatever the runtime shape)."""
        v = self.view(self.clock() if now is None else now)
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
        live = v.stage in ("RUNNING", "APP_STARTING", "RUNNING_BUILDING", "RUNNING_APP_STARTING")
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
    sha = {"shown": v.sha, "served": space.served(now)}.get(space.variants.sha)
    if sha is not None:
        out["sha"] = sha
    if v.error:
        out["errorMessage"] = v.error
    return out
