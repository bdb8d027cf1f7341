"""Wait until the Space runs the commit we made, not the build it had before.

Right after a push the Hub keeps reporting the previous build (often RUNNING) for a while. We trust a
RUNNING stage only when the runtime names our commit (`sha`), or, where it does not, after we have seen the
Space leave RUNNING since our push.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from hf_action.errors import BuildFailed

ERROR_STAGES = {"BUILD_ERROR", "CONFIG_ERROR", "NO_APP_FILE", "RUNTIME_ERROR", "DELETING"}
# Stages that prove a build or start is under way (SLEEPING and STOPPED do not: they are states at rest).
BUSY_STAGES = {"BUILDING", "APP_STARTING", "RUNNING_BUILDING", "RUNNING_APP_STARTING"}
LOG_TAIL = 40


@dataclass
class WatchResult:
    stage: str
    seconds: float
    polls: int
    runtime: dict


def poll_intervals() -> Iterator[float]:
    """Quick at first (small apps and static Spaces are ready in seconds), then every 3.5 s:
    a 5-minute build costs about 90 requests of the Hub's ~1000 per 5 minutes, and we notice the end
    within ~1.75 s on average."""
    scale = float(os.environ.get("HF_DEPLOY_POLL_SCALE", "1") or 1)
    for delay in (1, 1, 1, 1, 1, 2, 2, 2, 3):
        yield delay * scale
    while True:
        yield 3.5 * scale


def wait_for_commit(
    get_runtime: Callable[[], dict],
    fetch_logs: Callable[[bool], str],
    commit_sha: str,
    timeout: float,
    say: Callable[[str], None],
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    want: str = "RUNNING",
    require_transition: bool = False,
    initial_stage: str | None = None,
) -> WatchResult:
    """`require_transition`: the sha cannot tell (restart, or settings changed without a commit), so a
    build or start must be seen first. `initial_stage`: what the request that started it answered."""
    start = clock()
    seen_busy = initial_stage in BUSY_STAGES
    first_stage = None
    last_stage = None
    polls = 0
    intervals = poll_intervals()
    while True:
        runtime = get_runtime()
        polls += 1
        stage = runtime.get("stage", "UNKNOWN")
        sha = runtime.get("sha")
        elapsed = clock() - start
        if stage != last_stage:
            whose = (
                ""
                if not sha
                else (" (this commit)" if sha == commit_sha else f" (previous build {sha[:7]})")
            )
            say(f"[{elapsed:5.1f}s] {stage}{whose}")
            last_stage = stage
        seen_busy = seen_busy or stage in BUSY_STAGES
        first_stage = first_stage or stage
        sha_ok = (sha == commit_sha) if (sha and commit_sha) else None
        if want != "RUNNING":
            ours = True
        elif require_transition or sha_ok is None:
            # Without the runtime naming a commit, only a build seen after our request is evidence;
            # an error stage counts once the stage has moved since we started watching.
            moved = seen_busy or (stage in ERROR_STAGES and stage != first_stage)
            ours = moved and sha_ok is not False
        else:
            ours = sha_ok
        if stage == "PAUSED" and want == "RUNNING":
            # A paused Space does not build: whatever sha it reports, waiting is pointless.
            raise BuildFailed(
                "The Space is paused, so it will not start this commit (the files are on the Space).",
                stage,
                hint="Restart it (operation: restart) or un-pause it in the Space settings.",
            )
        if ours:
            if stage == want:
                return WatchResult(stage, elapsed, polls, runtime)
            if stage == "SLEEPING" and want == "RUNNING":
                # Built and started, then put to sleep for lack of visitors: it wakes on the next visit.
                say("The Space runs this commit but is asleep; it wakes up on its next visit.")
                return WatchResult(stage, elapsed, polls, runtime)
            if stage in ERROR_STAGES:
                raise _failure(stage, runtime, fetch_logs)
        if elapsed >= timeout:
            tail = _safe_logs(fetch_logs, True)
            raise BuildFailed(
                f"The Space did not reach {want} within {timeout:.0f}s (last stage {stage}).",
                "TIMEOUT",
                tail,
                hint="Raise 'timeout' if the build is just slow, or read the build log below.",
            )
        sleep(min(next(intervals), max(0.0, timeout - elapsed)))


def _failure(stage: str, runtime: dict, fetch_logs: Callable[[bool], str]) -> BuildFailed:
    build = stage != "RUNTIME_ERROR"
    tail = _safe_logs(fetch_logs, build)
    message = runtime.get("errorMessage") or {
        "BUILD_ERROR": "The Space's build failed.",
        "CONFIG_ERROR": "The Space's configuration (README front matter) is invalid.",
        "NO_APP_FILE": "The Space has no app file to run.",
        "RUNTIME_ERROR": "The app crashed at start.",
    }.get(stage, f"The Space ended in {stage}.")
    hint = {
        "BUILD_ERROR": "Read the build log below; the failing step is near the end.",
        "NO_APP_FILE": "Set 'app-file' (or app_file in the README front matter) to the file that starts the app.",
        "CONFIG_ERROR": "Fix the README front matter (sdk, app_file, app_port, sdk_version).",
        "RUNTIME_ERROR": "Read the run log below for the app's traceback.",
    }.get(stage)
    return BuildFailed(f"{stage}: {message}", stage, tail, hint=hint)


def _safe_logs(fetch_logs: Callable[[bool], str], build: bool) -> str:
    try:
        text = fetch_logs(build)
    except Exception as exc:  # logs are a courtesy; never let them hide the real failure
        return f"(could not fetch the {'build' if build else 'run'} log: {type(exc).__name__})"
    lines = text.splitlines()
    return "\n".join(lines[-LOG_TAIL:])
