"""The build watch's loop: poll a Space until it runs what we just did, fails, or the time is up.

`proof.judge` decides; this loop reads only what it asks for (the runtime and head each poll, the
build log's first line and the run log's starts when the runtime cannot tell; hub/logs.py reads
the logs). When the head moves
past the commit we watch (another writer), the watch stops: that commit will not run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from huggingface_hub import SpaceStage

from hf_action.errors import BuildFailed
from hf_action.hub.explain import stage_failed, superseded, timed_out
from hf_action.hub.logs import (
    LogSource,
    SpaceLogs,
    parse_header,
    read_or_unread,
    read_startup,
    safe_tail,
)
from hf_action.hub.proof import (
    Goal,
    Header,
    LogState,
    Seen,
    Verdict,
    judge,
    log_names_ours,
    needs_header,
)
from hf_action.hub.stages import ASLEEP, BUSY, HALTED

SUPERSEDED = "SUPERSEDED"  # our stage (not the Hub's) for a commit another one replaced as head
SETTLE = 20.0  # seconds the Hub may take to replace a verdict after a push


@dataclass
class WatchResult:
    stage: str
    seconds: float
    polls: int
    runtime: dict[str, Any]
    evidence: str = ""
    warning: str = ""  # what a fallback to weaker evidence could not prove


@dataclass(frozen=True)
class SpaceFacts:
    """One read of the Space info: runtime, head commit and its time, sdk."""

    runtime: dict[str, Any]
    head: str | None = None
    modified: float | None = None
    sdk: str | None = None


class Probe(LogSource, Protocol):
    """What the watch reads of the Hub: the Space info, the commit listing's head, the logs."""

    def info(self) -> SpaceFacts: ...
    def newest_commit(self) -> tuple[str, str | None] | None: ...


def poll_intervals(scale: float = 1.0) -> Iterator[float]:
    """Quick at first (small apps and static Spaces are ready in seconds), then every 3.5 s:
    a 5-minute build costs about 90 runtime requests of the Hub's ~1000 per 5 minutes, and we
    notice the end within ~1.75 s on average."""
    for delay in (1, 1, 1, 1, 1, 2, 2, 2, 3):
        yield delay * scale
    while True:
        yield 3.5 * scale


@dataclass
class _Track:
    """What earlier polls of this watch showed (the decision's memory)."""

    polls: int = 0
    last_stage: str | None = None
    moved: bool = False
    busy_seen: bool = False
    named_at: float | None = None
    settled_at: float | None = None  # when the stage shown became RUNNING (or asleep), this watch
    first_header: Header | LogState | None = LogState.UNREAD
    evidence: str = ""
    heads: set[str] = field(default_factory=set)  # heads other than ours already looked up
    said: list[str] = field(default_factory=list)

    def update(self, seen: Seen, verdict: Verdict, goal: Goal) -> None:
        self.polls += 1
        other_build = isinstance(seen.header, Header) and not verdict.ours
        changed = self.last_stage is not None and seen.stage != self.last_stage
        self.moved = self.moved or other_build or changed
        self.busy_seen = self.busy_seen or seen.stage in BUSY
        self.settled_at = seen.elapsed - seen.settled if settled(seen.stage) else None
        if self.first_header is LogState.UNREAD:
            self.first_header = seen.first_header
        head = seen.header
        if (
            isinstance(head, Header)
            and head.commit is not None
            and head.queued is not None
            and goal.commit.startswith(head.commit)
        ):
            earliest = self.named_at if self.named_at is not None else head.queued
            self.named_at = min(head.queued, earliest)  # when a build of our commit was queued
        self.last_stage, self.evidence = seen.stage, verdict.evidence


def observe(
    probe: Probe, goal: Goal, facts: SpaceFacts, elapsed: float, track: _Track
) -> tuple[Seen, SpaceFacts]:
    """One poll's facts: the runtime, plus the log lines `goal` needs to judge it; and the Space
    info they were judged from (the Hub's error message of a failure comes from that read)."""
    runtime = facts.runtime
    stage, sha = runtime.get("stage") or "UNKNOWN", runtime.get("sha")
    seen = Seen(
        stage,
        sha,
        elapsed=elapsed,
        moved=track.moved,
        busy_seen=track.busy_seen,
        named_at=track.named_at,
    )
    if not needs_header(goal, stage, sha):
        return seen, facts
    header = read_or_unread(probe, True, parse_header)
    first = header if track.first_header is LogState.UNREAD else track.first_header
    seen = replace(seen, header=header, first_header=first)
    if not log_names_ours(goal, seen):
        return seen, facts
    # Our build's log is shown (or, for a restart, still the one before it): read when the app
    # shown started, then the stage again, so the stage judged was read after the logs (the
    # one read before may still be the previous build's).
    startup = read_startup(probe)
    again = probe.info()
    stage, sha = again.runtime.get("stage") or "UNKNOWN", again.runtime.get("sha")
    return replace(seen, stage=stage, sha=sha, startup=startup), again


def settled(stage: str) -> bool:
    """RUNNING or asleep: a stage that stays until something changes it."""
    return stage == SpaceStage.RUNNING or stage in ASLEEP


def with_settled(seen: Seen, track: _Track) -> Seen:
    """`seen` with how long its stage has been settled, without a break, during this watch."""
    if not settled(seen.stage):
        return seen
    since = track.settled_at if track.settled_at is not None else seen.elapsed
    return replace(seen, settled=seen.elapsed - since)


def watch_space(
    probe: Probe,
    goal: Goal,
    timeout: float,
    say: Callable[[str], None],
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    scale: float = 1.0,
    pace: Callable[[float], float] = float,
) -> WatchResult:
    """Poll politely until `goal` is proven (done), disproven by an error of ours, superseded by
    another commit, or timed out; the timeout counts all time, log reads included. `scale`: see
    `policy.poll_scale`; `pace`: a pause as the Hub's quota allows it (`pace.Quota.pause`)."""
    start, track, intervals = clock(), _Track(), poll_intervals(scale)
    facts = probe.info()
    while True:
        elapsed = clock() - start
        goal = with_facts(goal, facts, scale)
        seen, facts = observe(probe, goal, facts, elapsed, track)
        seen = with_settled(seen, track)
        _check_head(probe, goal, facts, track, say)
        verdict = judge(goal, seen)
        if seen.stage != track.last_stage:
            say(f"[{elapsed:5.1f}s] {seen.stage}{_label(goal, seen, verdict)}")
        track.update(seen, verdict, goal)
        if verdict.action == "done":
            _check_head(probe, goal, facts, track, say, confirm=True)  # the listing's word
            say(f"Evidence: {verdict.evidence}.")
            return WatchResult(
                seen.stage, elapsed, track.polls, facts.runtime, verdict.evidence, verdict.warning
            )
        if verdict.action == "fail":
            say(f"Evidence: {verdict.evidence}.")
            raise failure(seen.stage, facts.runtime, probe)
        elapsed = clock() - start
        if elapsed >= timeout:
            tail = safe_tail(probe, True)
            raise timed_out(goal.want, seen.stage, timeout, track.evidence, tail)
        sleep(min(pace(next(intervals)), max(0.0, timeout - elapsed)))
        facts = probe.info()


def _check_head(
    probe: Probe,
    goal: Goal,
    facts: SpaceFacts,
    track: _Track,
    say: Callable[[str], None],
    *,
    confirm: bool = False,
) -> None:
    """Stop when the Space's head is no longer the commit we watch: the Hub builds the newest
    commit, so ours will not run. The commit listing confirms it (a Space info may lag behind a
    commit) and names the newer commit's author; it is read once more before a verdict that
    says our change runs."""
    head = None if confirm else facts.head  # confirm: ask the listing whatever the info says
    if goal.expect == "none" or not goal.commit or (not confirm and head in (None, goal.commit)):
        return
    if head is not None and head in track.heads:
        return
    if head is not None:
        track.heads.add(head)
    try:
        newest = probe.newest_commit()
    except Exception:  # the listing is a courtesy (the author); the info's head decides
        newest = None
    if newest is None and head is None:
        return  # no listing, and no info naming another head: nothing says ours was replaced
    if newest is not None and newest[0] == goal.commit:
        return  # the info lagged behind the listing: our commit is still the head
    sha, author = newest if newest is not None else (head or "", None)
    by = f" by {author}" if author else ""
    what = "our commit" if goal.expect == "commit" else "the commit we restarted"
    say(f"Evidence: the Space's head is now {sha[:7]}{by}, not {what} {goal.commit[:7]}.")
    raise superseded(sha, by, what, goal.commit, SUPERSEDED)


def _label(goal: Goal, seen: Seen, verdict: Verdict) -> str:
    if seen.sha and goal.expect == "commit":
        return " (this commit)" if seen.sha == goal.commit else f" (previous build {seen.sha[:7]})"
    return "" if verdict.ours else f" (not ours yet: {verdict.evidence})"


def with_facts(goal: Goal, facts: SpaceFacts, scale: float = 1.0) -> Goal:
    """Fill in what only the Hub knows: the commit's time on its clock, whether it is static;
    only from a Space info that shows our commit as the head (right after a commit it may still
    show the previous one, whose time would be too early)."""
    ours = goal.expect != "commit" or not goal.commit or facts.head == goal.commit
    known = goal.committed_at is not None
    return replace(
        goal,
        committed_at=goal.committed_at if known or not ours else facts.modified,
        static=goal.static or (facts.sdk == "static" and ours),
        settle=SETTLE * scale,
    )


def failure(stage: str, runtime: dict[str, Any], probe: Probe) -> BuildFailed:
    """The error for a failing stage, with the relevant log's tail (none for a halted Space)."""
    tail = "" if stage in HALTED else safe_tail(probe, stage != SpaceStage.RUNTIME_ERROR)
    return stage_failed(stage, runtime.get("errorMessage"), tail)


class HubProbe(SpaceLogs):
    """`Probe` over huggingface_hub: the Space info and the commit listing; the logs as `SpaceLogs`
    reads them (with its bounds)."""

    def info(self) -> SpaceFacts:
        # Only what the watch reads, in one request: not the file list of a large Space.
        info = self.api.space_info(self.space_id, expand=["sha", "lastModified", "sdk", "runtime"])
        runtime = info.runtime.raw if info.runtime is not None else None
        runtime = runtime if runtime is not None else self.api.get_space_runtime(self.space_id).raw
        modified = info.last_modified.timestamp() if info.last_modified else None
        return SpaceFacts(runtime, info.sha, modified, info.sdk)

    def newest_commit(self) -> tuple[str, str | None] | None:
        """The head of the Space's commit listing and its first author (one page, one request)."""
        from huggingface_hub.utils import build_hf_headers, paginate

        url = f"{self.api.endpoint}/api/spaces/{self.space_id}/commits/main"
        headers = build_hf_headers(token=self.api.token)
        for item in paginate(url, params={}, headers=headers, timeout=10.0):
            authors = item.get("authors") or []
            return item["id"], (authors[0].get("user") if authors else None)
        return None
