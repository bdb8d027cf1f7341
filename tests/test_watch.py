"""The build watch: its pure decision on every kind of evidence, and the loop on scripted Hubs."""

from __future__ import annotations

import pytest

from hf_action.errors import BuildFailed
from hf_action.hub.logs import parse_header, startup
from hf_action.hub.proof import (
    Goal,
    Header,
    LogState,
    Seen,
    judge,
    log_names_ours,
    needs_header,
    whose,
)
from hf_action.hub.watch import SpaceFacts, poll_intervals, watch_space

NEW, OLD = "a1b2c3d" + "0" * 33, "0dd0dd0" + "1" * 33
T = 1_700_000_000.0  # our commit, Hub clock
COMMIT = Goal("commit", NEW, committed_at=T, settle=20.0)
OURS, PREVIOUS = Header(NEW[:7], T + 1), Header(OLD[:7], T - 100)
RESTART_BEFORE, RESTART_AFTER = Header(None, T - 1), Header(None, T + 5)


def decide(goal: Goal = COMMIT, **seen) -> tuple[str, bool]:
    verdict = judge(goal, Seen(**seen))
    return verdict.action, verdict.ours


# ---------------------------------------------------------------- the runtime's sha, when given
def test_runtime_sha_of_our_commit_decides():
    assert decide(stage="RUNNING", sha=NEW) == ("done", True)
    assert decide(stage="BUILD_ERROR", sha=NEW) == ("fail", True)
    assert decide(stage="BUILDING", sha=NEW) == ("wait", True)


def test_runtime_sha_of_a_previous_commit_is_not_ours_whatever_the_log():
    assert decide(stage="RUNNING", sha=OLD, header=OURS, startup=T + 3) == ("wait", False)
    assert decide(stage="BUILD_ERROR", sha=OLD) == ("wait", False)


# ---------------------------------------------------------------- the build log's header
def test_header_of_our_commit_with_an_app_started_from_it_is_running():
    assert decide(stage="RUNNING", header=OURS, startup=T + 2) == ("done", True)


def test_header_of_our_commit_but_an_app_started_before_it_is_not_yet():
    assert decide(stage="RUNNING", header=OURS, startup=T - 50) == ("wait", False)
    assert decide(stage="RUNNING", header=OURS, startup=None) == ("wait", False)


def test_an_app_started_in_the_same_millisecond_as_the_queue_counts():
    """Hub timestamps have millisecond precision: the boundary is inclusive, within 1 ms."""
    assert decide(stage="RUNNING", header=OURS, startup=T + 1) == ("done", True)
    assert decide(stage="RUNNING", header=OURS, startup=T + 1 - 0.0005) == ("done", True)
    assert decide(stage="RUNNING", header=OURS, startup=T + 1 - 0.002) == ("wait", False)


def test_a_restart_queued_at_the_instant_of_our_commit_is_not_proof():
    at_commit = Header(None, T)
    assert decide(stage="RUNNING", header=at_commit, startup=T + 1) == ("wait", False)


def test_header_of_our_commit_when_the_run_log_cannot_be_read_is_enough():
    assert decide(stage="RUNNING", header=OURS, startup=LogState.UNREAD) == ("done", True)


def test_header_of_a_previous_commit_is_not_ours():
    assert decide(stage="RUNNING", header=PREVIOUS, startup=T - 90) == ("wait", False)
    assert decide(stage="BUILD_ERROR", header=PREVIOUS) == ("wait", False)
    assert decide(stage="RUNTIME_ERROR", header=PREVIOUS) == ("wait", False)


def test_our_errors_fail():
    for stage in ("BUILD_ERROR", "RUNTIME_ERROR", "CONFIG_ERROR", "NO_APP_FILE"):
        assert decide(stage=stage, header=OURS) == ("fail", True)


def test_a_restart_queued_before_our_commit_is_the_old_code():
    """A secret change restarts the old build just before the commit: its RUNNING is not ours."""
    assert decide(stage="RUNNING", header=RESTART_BEFORE, startup=T) == ("wait", False)


def test_a_restart_or_wake_queued_after_our_commit_runs_it():
    """Queued more than CLOCK_SKEW after our commit (the clocks may differ that much), or after a
    build of our commit seen in this watch (both on the logs' clock)."""
    late = Header(None, T + 10.5)
    assert decide(stage="RUNNING", header=late, startup=T + 11) == ("done", True)
    assert decide(stage="RUNNING", header=RESTART_AFTER, startup=T + 6) == ("wait", False)
    after_ours = dict(header=RESTART_AFTER, startup=T + 6)
    assert decide(stage="RUNNING", named_at=T + 5, **after_ours) == ("done", True)
    assert decide(stage="RUNNING", named_at=T + 5.5, **after_ours) == ("wait", False)


def test_a_restart_header_without_a_known_commit_time_is_not_ours():
    goal = Goal("commit", NEW, committed_at=None)
    assert decide(goal, stage="RUNNING", header=RESTART_AFTER) == ("wait", False)


def test_asleep_on_our_commit_is_done():
    assert decide(stage="SLEEPING", header=OURS) == ("done", True)
    assert decide(stage="SLEEPING", header=PREVIOUS) == ("wait", False)


# ---------------------------------------------------------------- verdicts without a build log
def test_no_build_verdict_is_not_ours_at_first():
    assert decide(stage="NO_APP_FILE", header=None, elapsed=1.0) == ("wait", False)


def test_no_build_verdict_is_ours_once_another_build_was_shown():
    assert decide(stage="NO_APP_FILE", header=None, moved=True) == ("fail", True)
    assert decide(stage="CONFIG_ERROR", header=None, moved=True) == ("fail", True)


def test_no_build_verdict_is_ours_after_the_settle_time():
    assert decide(stage="NO_APP_FILE", header=None, elapsed=20.0) == ("fail", True)
    assert decide(stage="NO_APP_FILE", header=None, elapsed=19.9) == ("wait", False)


def test_running_without_a_build_log_is_not_proof():
    assert decide(stage="RUNNING", header=None, elapsed=99, moved=True) == ("wait", False)


def test_unreadable_logs_fall_back_to_a_build_seen():
    assert decide(stage="RUNNING", header=LogState.UNREAD) == ("wait", False)
    assert decide(stage="RUNNING", header=LogState.UNREAD, busy_seen=True) == ("done", True)


# ---------------------------------------------------------------- static, restarts, nothing
def test_static_space_is_served_at_once():
    goal = Goal("commit", NEW, static=True)
    assert decide(goal, stage="RUNNING") == ("done", True)
    assert decide(goal, stage="RUNNING", sha=OLD) == ("wait", False)


def test_restart_needs_a_build_log_other_than_the_one_before():
    goal = Goal("restart", NEW, before=OURS)
    assert decide(goal, stage="RUNNING", sha=NEW, header=OURS, startup=T + 2) == ("wait", False)
    assert decide(goal, stage="RUNNING", header=RESTART_AFTER, startup=T + 7) == ("done", True)
    assert decide(goal, stage="RUNNING", header=RESTART_AFTER, startup=T + 2) == ("wait", False)
    assert decide(goal, stage="RUNNING", sha=OLD, header=RESTART_AFTER) == ("wait", False)


def test_restart_without_a_log_read_before_needs_a_build_seen():
    goal = Goal("restart", NEW, before=LogState.UNREAD)
    assert decide(goal, stage="RUNNING", header=RESTART_AFTER) == ("wait", False)
    assert decide(goal, stage="RUNNING", header=RESTART_AFTER, busy_seen=True) == ("done", True)


def test_restart_of_a_space_that_never_built():
    goal = Goal("restart", NEW, before=None, settle=5)
    assert decide(goal, stage="NO_APP_FILE", header=None, elapsed=1) == ("wait", False)
    assert decide(goal, stage="NO_APP_FILE", header=None, elapsed=5) == ("fail", True)


def test_nothing_changed_takes_the_current_stage():
    goal = Goal("none", NEW)
    assert decide(goal, stage="RUNNING") == ("done", True)
    assert decide(goal, stage="SLEEPING") == ("done", True)
    assert decide(goal, stage="BUILDING") == ("wait", True)
    assert decide(goal, stage="RUNTIME_ERROR") == ("fail", True)


def test_pause_wanted_is_done_when_paused():
    goal = Goal("restart", NEW, want="PAUSED")
    assert decide(goal, stage="RUNNING") == ("wait", True)
    assert decide(goal, stage="PAUSED") == ("done", True)


@pytest.mark.parametrize("stage", ["PAUSED", "DELETING"])
def test_halted_space_fails_at_once_whatever_it_names(stage):
    assert decide(stage=stage, sha=OLD) == ("fail", False)
    assert decide(stage=stage, sha=NEW) == ("fail", False)


def test_evidence_names_what_decided():
    assert whose(COMMIT, Seen("RUNNING", sha=NEW))[1] == f"the runtime names our commit {NEW[:7]}"
    assert "names 0dd0dd0, not our commit" in whose(COMMIT, Seen("RUNNING", sha=OLD))[1]
    assert "header names our commit" in whose(COMMIT, Seen("BUILDING", header=OURS))[1]
    assert "started from it" in judge(COMMIT, Seen("RUNNING", header=OURS, startup=T + 2)).evidence
    # The first busy poll reads no log (by design): it must not claim a build was seen or logs failed.
    first_build = whose(COMMIT, Seen("BUILDING"))
    assert first_build == (False, "a build is under way; its log tells whose once it ends")


# ---------------------------------------------------------------- what gets read
def test_logs_are_read_only_when_the_runtime_cannot_tell():
    assert not needs_header(COMMIT, "RUNNING", NEW)
    assert not needs_header(COMMIT, "BUILDING", None)
    assert not needs_header(COMMIT, "PAUSED", None)
    assert not needs_header(Goal("commit", NEW, static=True), "RUNNING", None)
    assert not needs_header(Goal("none", NEW), "RUNNING", None)
    assert not needs_header(Goal("restart", NEW, want="PAUSED"), "RUNNING", None)
    assert needs_header(COMMIT, "RUNNING", None)
    assert needs_header(COMMIT, "NO_APP_FILE", None)
    assert needs_header(Goal("restart", NEW), "RUNNING", NEW)
    assert log_names_ours(COMMIT, Seen("RUNNING", header=OURS))
    assert log_names_ours(COMMIT, Seen("BUILD_ERROR", header=OURS))
    assert not log_names_ours(COMMIT, Seen("RUNNING", header=PREVIOUS))
    assert not log_names_ours(COMMIT, Seen("RUNNING", header=None))
    assert not log_names_ours(COMMIT, Seen("RUNNING", header=LogState.UNREAD))


def test_log_lines_are_parsed():
    line = f"===== Build Queued at 2026-04-04 11:56:33 / Commit SHA: {NEW[:7]} ====="
    assert parse_header((line, None)) == Header(NEW[:7], 1775303793.0)
    assert parse_header((line, 5.0)) == Header(NEW[:7], 5.0)
    assert parse_header(("===== Build Queued at 2026-04-04 11:56:33 =====", None)).commit is None
    assert parse_header(None) is None and parse_header(("something else", 1.0)) == LogState.UNREAD
    assert (
        startup([("===== Application Startup at 2026-04-04 11:56:40 =====", None)]) == 1775303800.0
    )
    assert startup([]) is None and startup([("Traceback", 1.0)]) == LogState.UNREAD


def test_the_newest_start_of_a_run_log_that_keeps_earlier_containers_is_the_one_shown():
    """A run log may keep the lines of the containers before the one running now: the app shown
    started at its newest `Application Startup`, whichever line comes first."""
    run_log = [
        ("===== Application Startup at 2026-04-04 11:56:40 =====", None),
        ("Running on local URL:  http://0.0.0.0:7860", 2.0),
        ("===== Application Startup at 2026-04-04 12:10:00 =====", None),
        ("Traceback (most recent call last):", 3.0),
        ("===== Application Startup at 2026-04-04 12:00:00 =====", 1775304000.0),
    ]
    assert startup(run_log) == 1775304600.0
    assert startup(run_log[:2]) == 1775303800.0
    assert startup([]) is None and startup(run_log[1:2]) == LogState.UNREAD
    assert startup(run_log[1:3]) == 1775304600.0  # an app's own line before a start is no start


# ---------------------------------------------------------------- the loop, on a scripted Hub
class Scripted:
    """A Hub whose answers follow a script of (stage, sha, build header, startup) per poll."""

    def __init__(self, script, *, sdk="gradio", head=NEW):
        self.script, self.i, self.sdk, self.head = script, 0, sdk, head
        self.calls = {"runtime": 0, "build": 0, "run": 0, "tail": 0}
        self.started = False

    def _now(self):
        return self.script[min(self.i, len(self.script) - 1)]

    def info(self):
        """The first read (before the loop) shows step 0; each later one the next step."""
        if self.started:
            self.calls["runtime"] += 1
            self.i += 1
        self.started = True
        stage, sha, *_ = self._now()
        return SpaceFacts({"stage": stage, **({"sha": sha} if sha else {})}, self.head, T, self.sdk)

    def newest_commit(self):
        return self.head, "someone"

    def first_line(self, build):
        self.calls["build" if build else "run"] += 1
        _, _, header, startup, *_ = self._now()
        value = header if build else startup
        return value if value is None or isinstance(value, tuple) else (value, None)

    def log_lines(self, build):
        first = self.first_line(build)
        return [first] if first else []

    def tail(self, build):
        self.calls["tail"] += 1
        return "log line"


def header_line(commit=NEW, at=T + 1):
    return (
        f"===== Build Queued at x / Commit SHA: {commit[:7]} =====".replace(
            "x", "2026-04-04 11:56:33"
        ),
        at,
    )


def startup_line(at):
    return ("===== Application Startup at 2026-04-04 11:56:40 =====", at)


def run_loop(probe, goal=COMMIT, timeout=1000.0):
    now = [0.0]
    said = []

    def sleep(s):
        now[0] += s

    try:
        result = watch_space(probe, goal, timeout, said.append, clock=lambda: now[0], sleep=sleep)
    except BuildFailed as exc:
        return exc, said
    return result, said


def test_loop_waits_through_the_stale_window_then_proves_our_build():
    probe = Scripted([
        ("RUNNING", None, header_line(OLD, T - 100), startup_line(T - 90)),
        ("RUNNING", None, header_line(OLD, T - 100), startup_line(T - 90)),
        ("BUILDING", None, header_line(), None),
        ("RUNNING", None, header_line(), startup_line(T + 30)),
    ])  # fmt: skip
    result, said = run_loop(probe)
    assert result.stage == "RUNNING" and "names our commit" in result.evidence
    assert said[-1].startswith("Evidence: ") and probe.calls["runtime"] == 4  # + the re-read


def test_loop_fails_on_our_build_error_with_the_build_log():
    probe = Scripted([
        ("RUNNING", None, header_line(OLD, T - 100), startup_line(T - 90)),
        ("BUILD_ERROR", None, header_line(), None),
    ])  # fmt: skip
    exc, _ = run_loop(probe)
    assert (
        isinstance(exc, BuildFailed) and exc.stage == "BUILD_ERROR" and exc.log_tail == "log line"
    )


class LogsAhead(Scripted):
    """The Hub switched to our build between the runtime read and the log reads of poll 0."""

    def first_line(self, build):
        if self.i == 0:
            self.calls["build" if build else "run"] += 1
            _, _, header, startup = self.script[1]
            return header if build else startup
        return super().first_line(build)


@pytest.mark.parametrize("old_stage", ["RUNNING", "BUILD_ERROR"])
def test_loop_judges_the_stage_read_after_our_log(old_stage):
    """The old build's stage, read before our build's log appeared, is not our outcome: our app
    has started (APP_STARTING) and then crashes; the watch must fail, not pass or blame the old."""
    probe = LogsAhead([
        (old_stage, None, header_line(OLD, T - 100), startup_line(T - 90)),
        ("APP_STARTING", None, header_line(), startup_line(T + 5)),
        ("RUNTIME_ERROR", None, header_line(), startup_line(T + 5)),
    ])  # fmt: skip
    exc, said = run_loop(probe)
    assert isinstance(exc, BuildFailed) and exc.stage == "RUNTIME_ERROR", said


def test_loop_static_space_is_done_on_the_first_poll():
    probe = Scripted([("RUNNING", None, None, None)], sdk="static")
    result, _ = run_loop(probe)
    assert result.stage == "RUNNING" and result.polls == 1 and probe.calls["build"] == 0


def test_loop_times_out_politely_and_says_the_last_evidence():
    probe = Scripted([("RUNNING", None, header_line(OLD, T - 100), startup_line(T - 90))])
    exc, _ = run_loop(probe, timeout=30)
    assert isinstance(exc, BuildFailed) and exc.stage == "TIMEOUT"
    assert "not our commit" in exc.message and probe.calls["runtime"] <= 15


def test_loop_paused_fails_at_once():
    exc, _ = run_loop(Scripted([("PAUSED", None, None, None)] * 5))
    assert isinstance(exc, BuildFailed) and exc.stage == "PAUSED" and "paused" in exc.message


def test_loop_runtime_error_fetches_the_run_log():
    probe = Scripted([("RUNTIME_ERROR", NEW, None, None)])
    exc, _ = run_loop(probe)
    assert exc.stage == "RUNTIME_ERROR" and probe.calls["tail"] == 1


def test_poll_schedule_stays_under_100_requests_for_a_5_minute_build():
    total, count = 0.0, 0
    for delay in poll_intervals():
        total += delay
        count += 1
        if total >= 300:
            break
    assert count <= 100
    assert max(d for d, _ in zip(poll_intervals(), range(200), strict=False)) == 3.5


# ---------------------------------------------------------------- another commit replaces ours
class Raced(Scripted):
    """The script's 5th item is the head the Space info names at that step; `listing` is the
    commit listing's newest (sha, author), or an error to raise."""

    def __init__(self, script, listing):
        super().__init__(script)
        self.listing, self.listed = listing, 0

    def info(self):
        facts = super().info()
        return SpaceFacts(facts.runtime, self._now()[4], T, self.sdk)

    def newest_commit(self):
        self.listed += 1
        if isinstance(self.listing, Exception):
            raise self.listing
        return self.listing


RUNNING_OLD = ("RUNNING", None, header_line(OLD, T - 100), startup_line(T - 90))
NEWER = "feedbee" + "2" * 33


def test_a_newer_head_stops_the_watch_naming_the_commit_and_its_author():
    probe = Raced([(*RUNNING_OLD, NEW), (*RUNNING_OLD, NEW), (*RUNNING_OLD, NEWER)], (NEWER, "bob"))
    exc, said = run_loop(probe)
    assert isinstance(exc, BuildFailed) and exc.stage == "SUPERSEDED"
    assert exc.message == (
        "Superseded: feedbee by bob replaced our commit a1b2c3d as the Space's head during the"
        " build watch; the Space will run feedbee, not a1b2c3d."
    )
    assert said[-1] == "Evidence: the Space's head is now feedbee by bob, not our commit a1b2c3d."
    assert probe.calls["runtime"] == 2 and probe.listed == 1  # stopped at the poll that saw it


def test_a_space_info_that_lags_behind_our_commit_is_not_a_newer_head():
    """Right after our commit the info may still name the previous head: the listing says ours."""
    script = [
        (*RUNNING_OLD, OLD),
        (*RUNNING_OLD, OLD),
        ("RUNNING", None, header_line(), startup_line(T + 5), NEW),
    ]
    probe = Raced(script, (NEW, "us"))
    result, _ = run_loop(probe)
    assert result.stage == "RUNNING"
    assert probe.listed == 2  # once for the lagging head (not again for it), once before done


def test_before_a_verdict_that_ours_runs_the_listing_has_the_last_word():
    probe = Raced([("RUNNING", None, header_line(), startup_line(T + 5), NEW)], (NEWER, None))
    exc, _ = run_loop(probe)
    assert isinstance(exc, BuildFailed) and exc.stage == "SUPERSEDED"
    assert exc.message.startswith("Superseded: feedbee replaced our commit a1b2c3d")  # no author


def test_without_a_listing_the_info_head_decides():
    probe = Raced([(*RUNNING_OLD, NEWER)], ConnectionError("down"))
    exc, _ = run_loop(probe)
    assert isinstance(exc, BuildFailed) and exc.message.startswith("Superseded: feedbee replaced")
    ok = Raced([("RUNNING", None, header_line(), startup_line(T + 5), NEW)], ConnectionError("x"))
    assert run_loop(ok)[0].stage == "RUNNING"  # the listing failing alone proves nothing


def test_a_restart_watch_is_superseded_too_and_nothing_changed_is_not():
    restart = Goal("restart", NEW, before=Header(None, T - 50))
    probe = Raced([(*RUNNING_OLD, NEWER)], (NEWER, "bob"))
    exc, _ = run_loop(probe, restart)
    assert exc.stage == "SUPERSEDED" and "replaced the commit we restarted a1b2c3d" in exc.message
    quiet = Raced([("RUNNING", None, None, None, NEWER)], (NEWER, "bob"))
    assert run_loop(quiet, Goal("none", NEW))[0].stage == "RUNNING" and quiet.listed == 0


def test_a_restart_after_a_build_of_our_commit_seen_in_this_watch_runs_it():
    """The first poll shows our build (its app not started yet); a restart logged later, on the
    same log clock, restarts our commit: proven without comparing clocks."""
    probe = Scripted([
        ("RUNNING", None, header_line(NEW, T + 1), startup_line(T - 90)),
        ("RUNNING", None, ("===== Build Queued at 2026-04-04 11:56:35 =====", T + 2), startup_line(T + 3)),
    ])  # fmt: skip
    result, _ = run_loop(probe, timeout=30)
    assert result.stage == "RUNNING"
    assert result.evidence.startswith(
        "the build log is of a restart queued after our commit's build"
    )


def test_a_restart_that_shows_nothing_ends_with_its_warning_and_superseding_says_the_fix():
    quiet = Scripted([("RUNNING", None, header_line(OLD, T - 100), startup_line(T - 90))])
    goal = Goal("restart", NEW, before=Header(OLD[:7], T - 100), started_before=T - 90)
    result, _ = run_loop(quiet, goal)
    assert result.warning.startswith("The Space did not restart within 20s of the change")
    probe = Raced([(*RUNNING_OLD, NEWER)], (NEWER, "bob"))
    exc, _ = run_loop(probe)
    assert exc.hint == (
        "Let one deploy to a Space run at a time (a workflow `concurrency` group per Space);"
        " if the newer commit is meant to win, nothing needs doing."
    )
