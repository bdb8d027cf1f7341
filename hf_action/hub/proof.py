"""Whether the Space runs what we just did: the build watch's decision, pure (no I/O).

Right after a change the Hub keeps showing the previous build, and its runtime may name no commit,
so a stage counts only once evidence ties it to our change: the runtime's sha, a static Space, the
build log's header, the run log's start, a verdict that settled (`whose`, strongest first; the list
and its reasons: docs/how-it-works.md, "3. Watch"). A fallback to weaker evidence
carries a warning that says what it could not prove.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

from huggingface_hub import SpaceStage

from hf_action.hub.stages import ASLEEP, BUSY, FAILED, HALTED, NO_BUILD

CLOCK_SKEW = 10.0  # seconds the logs' clock may differ from the API's (hubsim/README: Variants)


class LogState(Enum):
    """What stands for a log line's value when there is none to judge: a state, never a value."""

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
    want: str = SpaceStage.RUNNING.value
    committed_at: float | None = None  # Hub time of our commit (Space info lastModified)
    before: Header | LogState | None = (
        LogState.UNREAD
    )  # restart: the build log shown before our change
    started_before: float | LogState | None = (
        LogState.UNREAD
    )  # restart: the run log's start shown before
    static: bool = False
    settle: float = 20.0  # seconds the Hub may keep showing the previous verdict after a push
    app_expected: bool | None = None  # our files hold an app for the SDK (None: not known)


@dataclass(frozen=True)
class Seen:
    """One poll: the runtime, and the logs the decision needed (``LogState.UNREAD`` when not fetched)."""

    stage: str
    sha: str | None = None  # runtime sha, when the Hub sends one
    header: Header | LogState | None = LogState.UNREAD  # None: the build log is empty
    startup: float | LogState | None = (
        LogState.UNREAD
    )  # run log's Application Startup time; None: none yet
    elapsed: float = 0.0
    moved: bool = False  # an earlier poll of this watch showed a build that is not ours
    busy_seen: bool = False  # an earlier poll of this watch showed a busy stage
    named_at: float | None = None  # queue time of a build log naming our commit, this watch
    settled: float = 0.0  # seconds the stage shown has been RUNNING (or asleep) without a break
    first_header: Header | LogState | None = LogState.UNREAD  # the first build log of this watch


@dataclass(frozen=True)
class Verdict:
    action: Literal["wait", "done", "fail"]
    ours: bool
    evidence: str
    warning: str = ""  # what a weaker evidence could not prove (empty: the full proof)


def needs_header(goal: Goal, stage: str, sha: str | None) -> bool:
    """The build log's first line is read only when the runtime cannot decide on its own."""
    if goal.expect == "none" or goal.want != SpaceStage.RUNNING or goal.static:
        return False
    if stage in BUSY or stage in HALTED:
        return False
    if sha and goal.expect == "commit":  # the runtime names a commit: only an error of
        return sha != goal.commit and stage in FAILED  # another's may be ours (served sha)
    return True


def log_names_ours(goal: Goal, seen: Seen) -> bool:
    """The build log shown is that of our change, or (a restart) still the one shown before, so a
    container may have restarted without a build: the poll then reads when the app shown started
    and the stage once more (the stage read before the log may still be the previous build's)."""
    if not isinstance(seen.header, Header):
        return False
    return _by_header(goal, seen)[0] or _same_build(goal, seen)


def _same_build(goal: Goal, seen: Seen) -> bool:
    return (
        goal.expect == "restart"
        and seen.header == goal.before
        and goal.started_before is not LogState.UNREAD
    )


def whose(goal: Goal, seen: Seen) -> tuple[bool, str]:
    """Is the stage shown the result of our change? Returns (ours, the evidence that decided)."""
    if goal.expect == "none" or goal.want != SpaceStage.RUNNING:
        return True, "nothing that rebuilds was changed: the current stage is the answer"
    short = goal.commit[:7]
    if seen.sha and goal.expect == "commit":
        verb = "names" if seen.sha == goal.commit else f"names {seen.sha[:7]}, not"
        named = seen.sha == goal.commit, f"the runtime {verb} our commit {short}"
        if named[0] or seen.stage not in FAILED or not isinstance(seen.header, Header):
            return named
        # An error while the runtime names another commit: a Hub may name the build still
        # serving, so the build log tells whose build failed.
        return _by_header(goal, seen)
    if seen.sha and seen.sha != goal.commit:
        return False, f"the runtime names {seen.sha[:7]}, not the head {short}"
    if goal.static:
        return True, f"a static Space serves the files of {short} at once (no build)"
    if seen.header is LogState.UNREAD:
        return _unread(seen)
    if seen.header is None:
        return _without_log(goal, seen)
    ours, why = _by_header(goal, seen)
    if not ours and _same_build(goal, seen):
        return _restarted(goal, seen, why)
    if ours and seen.stage == SpaceStage.RUNNING:
        return _started_after(seen, why)
    return ours, why


def _restarted(goal: Goal, seen: Seen, why: str) -> tuple[bool, str]:
    """The build log is the one shown before our change: a container that restarted without a
    build shows a newer ``Application Startup`` in its run log (both times on the logs' clock)."""
    before, now = goal.started_before, seen.startup
    if isinstance(now, float) and (before is None or (isinstance(before, float) and now > before)):
        return True, "the run log shows an Application Startup after our change (no new build)"
    return False, why + ", and the run log shows no start since"


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
        if goal.before is LogState.UNREAD:  # no log read before the change: only a build seen tells
            return seen.busy_seen, "a build was seen since our change"
        if head == goal.before:
            return False, "the build log is still the one shown before our change"
        return True, "the build log is of a build queued after our change"
    if head.commit is not None:
        if goal.commit.startswith(head.commit):
            return True, f"the build log header names our commit {head.commit}"
        return False, f"the build log header names {head.commit}, not our commit"
    if head.queued is not None and seen.named_at is not None and head.queued >= seen.named_at:
        return True, "the build log is of a restart queued after our commit's build"
    committed, queued = goal.committed_at, head.queued
    if committed is not None and queued is not None and queued > committed + CLOCK_SKEW:
        if head == seen.first_header:  # whatever the logs' clock says: it may run ahead by more
            return False, "the build log of a restart is the one shown when the watch began"
        return True, f"the build log is of a restart queued over {CLOCK_SKEW:.0f}s after our commit"
    return False, (
        f"the build log is of a restart queued before our commit or within {CLOCK_SKEW:.0f}s of it"
        " (the logs' clock may differ that much)"
    )


def _started_after(seen: Seen, why: str) -> tuple[bool, str]:
    head = seen.header
    assert isinstance(head, Header)
    if not isinstance(seen.startup, float | None) or head.queued is None:
        return True, why  # the run log could not be read
    if seen.startup is None or seen.startup + 1e-3 < head.queued:
        return False, why + ", but the app shown started before that build"
    return True, why + " and the app started from it"


def _without_log(goal: Goal, seen: Seen) -> tuple[bool, str]:
    if seen.stage not in NO_BUILD:
        return False, "no build log yet"
    if seen.moved:
        return True, f"{seen.stage} without a build replaced the previous build"
    if goal.app_expected:
        return False, (
            f"{seen.stage} is the previous verdict, not ours: our files hold an app, so it is"
            " shown until our build starts"
        )
    if seen.elapsed >= goal.settle:
        return (
            True,
            f"{seen.stage} without a build, still shown {goal.settle:.0f}s after our change",
        )
    return False, f"{seen.stage} without a build log may still be the previous verdict"


def judge(goal: Goal, seen: Seen) -> Verdict:
    """Wait, done or fail for one poll; ``evidence`` says which signal decided, ``warning`` what a
    fallback to weaker evidence could not prove."""
    running = goal.want == SpaceStage.RUNNING
    if seen.stage in HALTED and running:
        return Verdict("fail", False, f"the Space is {seen.stage}: it will not start by waiting")
    ours, why = whose(goal, seen)
    if not ours:
        return _unproven(goal, seen, why)
    warning = _weaker(goal, seen)
    if seen.stage == goal.want:
        return Verdict("done", True, why, warning)
    if seen.stage in ASLEEP and running:
        return Verdict("done", True, why + "; it sleeps and wakes on its next visit", warning)
    if seen.stage in FAILED and running:
        return Verdict("fail", True, why)
    return Verdict("wait", True, why)


def _unproven(goal: Goal, seen: Seen, why: str) -> Verdict:
    """Not ours (yet). A Space that has run (or slept) for ``settle`` since our change, with no
    sign that more is coming (a build of another commit shown: ours is still queued), ends as it
    runs, whatever it showed before: evidence that has not come by then may never come (a Hub
    that applies a change without restarting, a run log that says nothing); the warning says
    what is not proven."""
    settled = seen.stage == SpaceStage.RUNNING or seen.stage in ASLEEP
    if not settled or seen.settled < goal.settle or seen.elapsed < goal.settle:
        return Verdict("wait", False, why)
    if _more_to_come(goal, seen):
        return Verdict("wait", False, why)
    asleep = "; it sleeps and wakes on its next visit" if seen.stage in ASLEEP else ""
    same = goal.before is LogState.UNREAD or seen.header in (goal.before, LogState.UNREAD)
    if goal.expect == "restart" and same and not seen.busy_seen:
        return Verdict(
            "done",
            True,
            f"no restart shown within {goal.settle:.0f}s of our change; the Space runs"
            f" {goal.commit[:7]} as before",
            f"The Space did not restart within {goal.settle:.0f}s of the change (no new build"
            " log, no new Application Startup), so it is not proven that the running app uses"
            " the new settings: they apply at its next restart at the latest.",
        )
    what = "the new settings" if goal.expect == "restart" else f"commit {goal.commit[:7]}"
    return Verdict(
        "done",
        True,
        f"{seen.stage} for {goal.settle:.0f}s since our change, and nothing more to come{asleep}",
        f"The Space has been {seen.stage} for {goal.settle:.0f}s since the change and nothing"
        f" more is coming, but {why}: so it is not proven that the running app uses {what}.",
    )


def _more_to_come(goal: Goal, seen: Seen) -> bool:
    """A sign that the Hub has yet to act on our change: the runtime names another commit, or a
    commit's build log shown is another build's (the Hub builds ours after it)."""
    if seen.sha and seen.sha != goal.commit:
        return True
    return (
        goal.expect == "commit"
        and isinstance(seen.header, Header)
        and not _by_header(goal, seen)[0]
    )


def _weaker(goal: Goal, seen: Seen) -> str:
    """The warning of a verdict proven by a fallback, empty for the full proof."""
    if goal.expect == "none" or goal.static or (seen.sha and goal.expect == "commit"):
        return ""
    unread_before = goal.expect == "restart" and goal.before is LogState.UNREAD
    if (seen.header is LogState.UNREAD and seen.stage not in BUSY) or unread_before:
        return (
            "The Space's build log could not be read, so only a build seen since the change"
            " ties this stage to it (not which commit it built)."
        )
    if (
        isinstance(seen.header, Header)
        and seen.startup is LogState.UNREAD
        and seen.stage == "RUNNING"
    ):
        return (
            "The Space's run log could not be read, so it is not proven that the app shown"
            " started from this build."
        )
    return ""
