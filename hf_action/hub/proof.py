"""Whether the Space runs what we just did: the pure decision of the build watch (no I/O).

The Hub may or may not put a ``sha`` in the runtime JSON (the production recordings have none),
and right after a change it keeps showing the previous build for a while. So a stage only
counts once something ties it to our change. The evidence, strongest first:

1. the runtime's ``sha`` (when the Hub sends one) is our commit;
2. a static Space has no build: the files of the head are served at once;
3. the visible build log starts ``===== Build Queued at … / Commit SHA: abc1234 =====`` with
   our commit, or ``===== Build Queued at … =====`` (a restart or wake) queued after our commit;
   for a restart we asked for without a commit: a build log other than the one shown before;
4. a stage proven by the build log is the one read *after* that log, and RUNNING also needs the
   run log's ``Application Startup`` to be no older than that build's queue time (the app shown
   started from that build);
5. CONFIG_ERROR and NO_APP_FILE are verdicts without a build log: ours once another build was
   shown during this watch (the stage moved), or once the Hub had ``settle`` seconds to react.

If the logs cannot be read, a busy stage seen during the watch is the (weaker) evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BUSY = frozenset({"BUILDING", "APP_STARTING", "RUNNING_BUILDING", "RUNNING_APP_STARTING"})
FAILED = frozenset({"BUILD_ERROR", "CONFIG_ERROR", "NO_APP_FILE", "RUNTIME_ERROR"})
NO_BUILD = frozenset({"CONFIG_ERROR", "NO_APP_FILE"})  # verdicts on the files, no image built
HALTED = frozenset({"PAUSED", "DELETING"})  # waiting never brings these to RUNNING
UNREAD = "unread"  # a log we could not read (or did not need to)


@dataclass(frozen=True)
class Header:
    """First line of the visible build log: the commit it builds (7 hex, None for a restart or
    wake) and when it was queued (Hub clock, epoch seconds)."""

    commit: str | None
    queued: float | None


@dataclass(frozen=True)
class Goal:
    """What the watch must prove. ``expect``: ``commit`` (our new commit runs), ``restart`` (a
    build started after our settings change runs) or ``none`` (nothing was changed that rebuilds:
    the current stage is the answer)."""

    expect: Literal["commit", "restart", "none"] = "commit"
    commit: str = ""  # our commit, or the head a restart rebuilds
    want: str = "RUNNING"
    committed_at: float | None = None  # Hub time of our commit (Space info lastModified)
    before: Header | str | None = UNREAD  # restart: the build log shown before our change
    static: bool = False
    settle: float = 20.0  # seconds the Hub may keep showing the previous verdict after a push


@dataclass(frozen=True)
class Seen:
    """One poll: the runtime, and the logs the decision needed (``UNREAD`` when not fetched)."""

    stage: str
    sha: str | None = None  # runtime sha, when the Hub sends one
    header: Header | str | None = UNREAD  # None: the build log is empty
    startup: float | str | None = UNREAD  # run log's Application Startup time; None: none yet
    elapsed: float = 0.0
    moved: bool = False  # an earlier poll of this watch showed a build that is not ours
    busy_seen: bool = False  # an earlier poll of this watch showed a busy stage


@dataclass(frozen=True)
class Verdict:
    action: Literal["wait", "done", "fail"]
    ours: bool
    evidence: str


def needs_header(goal: Goal, stage: str, sha: str | None) -> bool:
    """The build log's first line is read only when the runtime cannot decide on its own."""
    if goal.expect == "none" or goal.want != "RUNNING" or goal.static:
        return False
    if stage in BUSY or stage in HALTED:
        return False
    return not (sha and goal.expect == "commit")


def log_names_ours(goal: Goal, seen: Seen) -> bool:
    """The build log shown is that of our change: the poll then reads when its app started and
    the stage once more (the stage read before the log may still be the previous build's)."""
    return isinstance(seen.header, Header) and _by_header(goal, seen)[0]


def whose(goal: Goal, seen: Seen) -> tuple[bool, str]:
    """Is the stage shown the result of our change? Returns (ours, the evidence that decided)."""
    if goal.expect == "none" or goal.want != "RUNNING":
        return True, "nothing that rebuilds was changed: the current stage is the answer"
    short = goal.commit[:7]
    if seen.sha and goal.expect == "commit":
        verb = "names" if seen.sha == goal.commit else f"names {seen.sha[:7]}, not"
        return seen.sha == goal.commit, f"the runtime {verb} our commit {short}"
    if seen.sha and seen.sha != goal.commit:
        return False, f"the runtime names {seen.sha[:7]}, not the head {short}"
    if goal.static:
        return True, f"a static Space serves the files of {short} at once (no build)"
    if seen.header == UNREAD:
        return _unread(seen)
    if seen.header is None:
        return _without_log(goal, seen)
    ours, why = _by_header(goal, seen)
    if ours and seen.stage == "RUNNING":
        return _started_after(seen, why)
    return ours, why


def _unread(seen: Seen) -> tuple[bool, str]:
    """No build log read: not needed while busy (the log is read once the stage settles), or it could
    not be read. Only a busy stage seen earlier in this watch then counts."""
    if seen.busy_seen:
        return True, "a build was seen since our change (its log could not be read)"
    if seen.stage in BUSY:
        return False, "a build is under way; its log tells whose once it ends"
    return False, "no build seen since our change yet (the logs could not be read)"


def _by_header(goal: Goal, seen: Seen) -> tuple[bool, str]:
    head = seen.header
    assert isinstance(head, Header)
    if goal.expect == "restart":
        if goal.before == UNREAD:  # no log read before the change: only a build seen tells
            return seen.busy_seen, "a build was seen since our change"
        if head == goal.before:
            return False, "the build log is still the one shown before our change"
        return True, "the build log is of a build queued after our change"
    if head.commit is not None:
        if goal.commit.startswith(head.commit):
            return True, f"the build log header names our commit {head.commit}"
        return False, f"the build log header names {head.commit}, a previous commit"
    after = goal.committed_at is not None and head.queued is not None
    if after and head.queued > goal.committed_at:
        return True, "the build log is of a restart queued after our commit"
    return False, "the build log is of a restart queued before our commit"


def _started_after(seen: Seen, why: str) -> tuple[bool, str]:
    head = seen.header
    assert isinstance(head, Header)
    if seen.startup == UNREAD or head.queued is None:
        return True, why
    if seen.startup is None or seen.startup + 1e-3 < head.queued:
        return False, why + ", but the app shown started before that build"
    return True, why + " and the app started from it"


def _without_log(goal: Goal, seen: Seen) -> tuple[bool, str]:
    if seen.stage not in NO_BUILD:
        return False, "no build log yet"
    if seen.moved:
        return True, f"{seen.stage} without a build replaced the previous build"
    if seen.elapsed >= goal.settle:
        return (
            True,
            f"{seen.stage} without a build, still shown {goal.settle:.0f}s after our change",
        )
    return False, f"{seen.stage} without a build log may still be the previous verdict"


def judge(goal: Goal, seen: Seen) -> Verdict:
    """Wait, done or fail for one poll; ``evidence`` says which signal decided."""
    if seen.stage in HALTED and goal.want == "RUNNING":
        return Verdict("fail", False, f"the Space is {seen.stage}: it will not start by waiting")
    ours, why = whose(goal, seen)
    if not ours:
        return Verdict("wait", False, why)
    if seen.stage == goal.want:
        return Verdict("done", True, why)
    if seen.stage == "SLEEPING" and goal.want == "RUNNING":
        return Verdict("done", True, why + "; it sleeps and wakes on its next visit")
    if seen.stage in FAILED and goal.want == "RUNNING":
        return Verdict("fail", True, why)
    return Verdict("wait", True, why)
