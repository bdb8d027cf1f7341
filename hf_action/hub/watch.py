"""Follow a Space until it runs what we just did, or fails: the polling loop and its Hub reads.

The decision itself is `proof.judge` (pure, unit tested); this module only fetches what it asks
for: the runtime each poll, the first line of the build log when the runtime alone cannot tell,
the first line of the run log to confirm a RUNNING stage, and the log tail on a failure.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx2

from hf_action.errors import BuildFailed
from hf_action.hub.proof import (
    BUSY,
    UNREAD,
    Goal,
    Header,
    Seen,
    Verdict,
    judge,
    log_names_ours,
    needs_header,
)

LOG_TAIL = 40
SETTLE = 20.0  # seconds the Hub may take to replace a verdict after a push
_QUEUED = re.compile(
    r"===== Build Queued at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?: / Commit SHA: ([0-9a-f]{7,40}))? ====="
)
_STARTUP = re.compile(r"===== Application Startup at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) =====")


@dataclass
class WatchResult:
    stage: str
    seconds: float
    polls: int
    runtime: dict
    evidence: str = ""


@dataclass(frozen=True)
class SpaceFacts:
    """The Space info read once at the start: runtime, head commit and its time, sdk."""

    runtime: dict
    head: str | None = None
    modified: float | None = None
    sdk: str | None = None


class Probe(Protocol):
    def info(self) -> SpaceFacts: ...
    def runtime(self) -> dict: ...
    def first_line(self, build: bool) -> tuple[str, float | None] | None: ...
    def tail(self, build: bool) -> str: ...


def poll_scale() -> float:
    return float(os.environ.get("HF_DEPLOY_POLL_SCALE") or 1)


def poll_intervals() -> Iterator[float]:
    """Quick at first (small apps and static Spaces are ready in seconds), then every 3.5 s:
    a 5-minute build costs about 90 runtime requests of the Hub's ~1000 per 5 minutes, and we
    notice the end within ~1.75 s on average."""
    scale = poll_scale()
    for delay in (1, 1, 1, 1, 1, 2, 2, 2, 3):
        yield delay * scale
    while True:
        yield 3.5 * scale


def hub_time(text: str) -> float:
    """``YYYY-MM-DD HH:MM:SS`` (log headers, UTC) or ISO 8601 (SSE timestamps) -> epoch."""
    parsed = datetime.fromisoformat(text.strip())  # Python 3.11 reads a "Z" suffix itself
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def parse_header(first: tuple[str, float | None] | None) -> Header | str | None:
    """The build log's first line as a `Header`; None for an empty log; UNREAD if unknown."""
    if first is None:
        return None
    m = _QUEUED.search(first[0])
    if not m:
        return UNREAD
    return Header(m.group(2)[:7] if m.group(2) else None, first[1] or hub_time(m.group(1)))


def parse_startup(first: tuple[str, float | None] | None) -> float | str | None:
    """When the app shown started (run log's first line); None if it has not; UNREAD if unknown."""
    if first is None:
        return None
    m = _STARTUP.search(first[0])
    return (first[1] or hub_time(m.group(1))) if m else UNREAD


@dataclass
class _Track:
    """What earlier polls of this watch showed (the decision's memory)."""

    polls: int = 0
    last_stage: str | None = None
    moved: bool = False
    busy_seen: bool = False
    evidence: str = ""
    said: list[str] = field(default_factory=list)

    def update(self, seen: Seen, verdict: Verdict) -> None:
        self.polls += 1
        other_build = isinstance(seen.header, Header) and not verdict.ours
        changed = self.last_stage is not None and seen.stage != self.last_stage
        self.moved = self.moved or other_build or changed
        self.busy_seen = self.busy_seen or seen.stage in BUSY
        self.last_stage, self.evidence = seen.stage, verdict.evidence


def build_log_header(api: Any, space_id: str) -> Header | str | None:
    """The build log shown now: read before a change that restarts the Space without a commit,
    so the watch can tell the restart's build from it (``UNREAD`` if it cannot be read)."""
    return _read(HubProbe(api, space_id), True, parse_header)


def _read(probe: Probe, build: bool, parse: Callable) -> Any:
    try:
        return parse(probe.first_line(build))
    except Exception:  # a log we cannot read is no evidence either way
        return UNREAD


def observe(
    probe: Probe, goal: Goal, runtime: dict, elapsed: float, track: _Track
) -> tuple[Seen, dict]:
    """One poll's facts: the runtime, plus the log lines `goal` needs to judge it; and the runtime
    they were judged from (the Hub's error message of a failure comes from that read)."""
    stage, sha = runtime.get("stage") or "UNKNOWN", runtime.get("sha")
    seen = Seen(stage, sha, elapsed=elapsed, moved=track.moved, busy_seen=track.busy_seen)
    if not needs_header(goal, stage, sha):
        return seen, runtime
    seen = replace(seen, header=_read(probe, True, parse_header))
    if not log_names_ours(goal, seen):
        return seen, runtime
    # Our build's log is shown: read when its app started, then the stage again, so the stage
    # judged was read after the log (the one read before may still be the previous build's).
    startup = _read(probe, False, parse_startup)
    again = probe.runtime()
    stage, sha = again.get("stage") or "UNKNOWN", again.get("sha")
    return replace(seen, stage=stage, sha=sha, startup=startup), again


def watch_space(
    probe: Probe,
    goal: Goal,
    timeout: float,
    say: Callable[[str], None],
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> WatchResult:
    """Poll politely until `goal` is proven (done), disproven by an error of ours, or timed out."""
    start, track, intervals = clock(), _Track(), poll_intervals()
    facts = probe.info()
    goal = with_facts(goal, facts)
    runtime = facts.runtime
    while True:
        elapsed = clock() - start
        seen, runtime = observe(probe, goal, runtime, elapsed, track)
        verdict = judge(goal, seen)
        if seen.stage != track.last_stage:
            say(f"[{elapsed:5.1f}s] {seen.stage}{_label(goal, seen, verdict)}")
        track.update(seen, verdict)
        if verdict.action == "done":
            say(f"Evidence: {verdict.evidence}.")
            return WatchResult(seen.stage, elapsed, track.polls, runtime, verdict.evidence)
        if verdict.action == "fail":
            say(f"Evidence: {verdict.evidence}.")
            raise failure(seen.stage, runtime, probe)
        if elapsed >= timeout:
            raise _timed_out(goal, seen, timeout, track.evidence, probe)
        sleep(min(next(intervals), max(0.0, timeout - elapsed)))
        runtime = probe.runtime()


def _label(goal: Goal, seen: Seen, verdict: Verdict) -> str:
    if seen.sha and goal.expect == "commit":
        return " (this commit)" if seen.sha == goal.commit else f" (previous build {seen.sha[:7]})"
    return "" if verdict.ours else f" (not ours yet: {verdict.evidence})"


def with_facts(goal: Goal, facts: SpaceFacts) -> Goal:
    """Fill in what only the Hub knows: the commit's time on its clock, whether it is static."""
    ours = goal.expect != "commit" or not goal.commit or facts.head == goal.commit
    return replace(
        goal,
        committed_at=goal.committed_at if goal.committed_at is not None else facts.modified,
        static=goal.static or (facts.sdk == "static" and ours),
        settle=SETTLE * poll_scale(),
    )


def _timed_out(goal: Goal, seen: Seen, timeout: float, evidence: str, probe: Probe) -> BuildFailed:
    return BuildFailed(
        f"The Space did not reach {goal.want} within {timeout:.0f}s (last stage {seen.stage}; "
        f"{evidence}).",
        "TIMEOUT",
        _safe_tail(probe, True),
        hint="Raise 'timeout' if the build is just slow, or read the build log below.",
    )


_MESSAGES = {
    "BUILD_ERROR": "The Space's build failed.",
    "CONFIG_ERROR": "The Space's configuration (README front matter) is invalid.",
    "NO_APP_FILE": "The Space has no app file to run.",
    "RUNTIME_ERROR": "The app crashed at start.",
}
_HINTS = {
    "BUILD_ERROR": "Read the build log below; the failing step is near the end.",
    "NO_APP_FILE": "Set 'app-file' (or app_file in the README front matter) to the file that starts the app.",
    "CONFIG_ERROR": "Fix the README front matter (sdk, app_file, app_port, sdk_version).",
    "RUNTIME_ERROR": "Read the run log below for the app's traceback.",
    "PAUSED": "Restart it (operation: restart) or un-pause it in the Space settings.",
}


def failure(stage: str, runtime: dict, probe: Probe) -> BuildFailed:
    """The error to raise for a failing stage, with the relevant log's tail."""
    if stage == "PAUSED":
        message = (
            "The Space is paused, so it will not start this commit (the files are on the Space)."
        )
        return BuildFailed(message, stage, hint=_HINTS["PAUSED"])
    if stage == "DELETING":
        return BuildFailed("The Space is being deleted.", stage)
    tail = _safe_tail(probe, stage != "RUNTIME_ERROR")
    message = runtime.get("errorMessage") or _MESSAGES.get(stage, f"The Space ended in {stage}.")
    return BuildFailed(f"{stage}: {message}", stage, tail, hint=_HINTS.get(stage))


def _safe_tail(probe: Probe, build: bool) -> str:
    try:
        text = probe.tail(build)
    except Exception as exc:  # logs are a courtesy; never let them hide the real failure
        return f"(could not fetch the {'build' if build else 'run'} log: {type(exc).__name__})"
    return "\n".join(text.splitlines()[-LOG_TAIL:])


class HubProbe:
    """`Probe` over huggingface_hub: Space info, runtime, and the logs' server-sent events."""

    def __init__(self, api: Any, space_id: str, read_timeout: float = 3.0) -> None:
        self.api, self.space_id, self.read_timeout = api, space_id, read_timeout

    def info(self) -> SpaceFacts:
        # Only what the watch reads: not the file list of a large Space.
        info = self.api.space_info(self.space_id, expand=["sha", "lastModified", "sdk", "runtime"])
        runtime = info.runtime.raw if info.runtime is not None else self.runtime()
        modified = info.last_modified.timestamp() if info.last_modified else None
        return SpaceFacts(runtime, info.sha, modified, info.sdk)

    def runtime(self) -> dict:
        return self.api.get_space_runtime(self.space_id).raw

    def first_line(self, build: bool) -> tuple[str, float | None] | None:
        """First event of the build or run log (text, Hub time), None for an empty log."""
        from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

        url = f"{self.api.endpoint}/api/spaces/{self.space_id}/logs/{'build' if build else 'run'}"
        headers = build_hf_headers(token=self.api.token)
        timeout = httpx2.Timeout(10.0, read=self.read_timeout)
        try:
            with get_session().stream("GET", url, headers=headers, timeout=timeout) as response:
                hf_raise_for_status(response)
                for line in response.iter_lines():
                    if line.startswith("data: {"):
                        event = json.loads(line[len("data: ") :])
                        stamp = event.get("timestamp")
                        return event.get("data", "").rstrip("\n"), hub_time(
                            stamp
                        ) if stamp else None
        except httpx2.ReadTimeout:
            return None  # an open stream with nothing in it: the log is empty
        return None

    def tail(self, build: bool) -> str:
        tail: deque[str] = deque(maxlen=200)
        for line in self.api.fetch_space_logs(self.space_id, build=build):
            tail.append(line.rstrip("\n"))
        return "\n".join(tail)
