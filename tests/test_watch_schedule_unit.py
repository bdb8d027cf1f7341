"""The watch's poll schedule, its log labels, the Hub's clock, what the watch remembers between polls
(`_Track`) and what it fills in from the Space info (`with_facts`), exactly (mutation survivors)."""

from __future__ import annotations

import itertools
import time

import pytest

from hf_action.app.context import RunContext
from hf_action.github.context import GitHubContext
from hf_action.github.runner import Runner
from hf_action.hub.logs import hub_time, parse_header
from hf_action.hub.policy import poll_scale
from hf_action.hub.proof import Goal, Header, LogState, Seen, Verdict
from hf_action.hub.watch import (
    SETTLE,
    SpaceFacts,
    _label,
    _Track,
    poll_intervals,
    with_facts,
)

NEW, OLD = "a1b2c3d" + "0" * 33, "0dd0dd0" + "1" * 33
GOAL = Goal("commit", NEW)


@pytest.mark.parametrize("env,scale", [(None, 1.0), ("", 1.0), ("0.5", 0.5), ("2", 2.0)])
def test_poll_schedule_and_its_scale(env, scale):
    """The knob comes from the run's env mapping, never from the process environment."""
    assert poll_scale({} if env is None else {"HF_DEPLOY_POLL_SCALE": env}) == scale
    first = list(itertools.islice(poll_intervals(scale), 11))
    assert first == [d * scale for d in (1, 1, 1, 1, 1, 2, 2, 2, 3, 3.5, 3.5)]


def test_labels_of_a_polled_stage():
    commit = Goal("commit", NEW)
    ours = Verdict("wait", True, "x")
    assert _label(commit, Seen("RUNNING", sha=NEW), ours) == " (this commit)"
    assert _label(commit, Seen("RUNNING", sha=OLD), ours) == " (previous build 0dd0dd0)"
    assert _label(Goal("restart", NEW), Seen("RUNNING", sha=OLD), ours) == ""
    not_yet = Verdict("wait", False, "no build log yet")
    assert _label(commit, Seen("BUILDING"), not_yet) == " (not ours yet: no build log yet)"


def test_hub_time_reads_utc_in_both_forms():
    assert hub_time("2026-11-28 10:00:00") == 1795860000.0
    assert hub_time("2026-11-28T10:00:00Z") == 1795860000.0
    assert hub_time("2026-11-28T11:00:00+01:00") == 1795860000.0


def test_hub_time_is_utc_whatever_the_runners_time_zone(monkeypatch):
    monkeypatch.setenv("TZ", "XYZ+05")  # POSIX form: no zoneinfo files needed
    time.tzset()
    try:
        assert time.localtime(0).tm_hour == 19  # the zone is in effect
        assert hub_time("2026-11-28 10:00:00") == 1795860000.0
        assert hub_time("2026-11-28T10:00:00.250Z") == 1795860000.25
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_build_log_header_with_the_full_commit_sha_names_its_short_form():
    line = f"===== Build Queued at 2026-04-04 11:56:33 / Commit SHA: {NEW} ====="
    assert parse_header((line, 5.0)) == Header(NEW[:7], 5.0)


# ---------------------------------------------------------------- what the watch remembers
def test_track_counts_polls_and_keeps_the_last_stage_and_evidence():
    track = _Track()
    track.update(Seen("BUILDING"), Verdict("wait", False, "a build is under way"), GOAL)
    track.update(Seen("BUILDING"), Verdict("wait", False, "still"), GOAL)
    track.update(Seen("RUNNING"), Verdict("done", True, "proven"), GOAL)
    assert (track.polls, track.last_stage, track.evidence) == (3, "RUNNING", "proven")


def test_track_a_stage_that_changes_during_the_watch_has_moved():
    track = _Track()
    track.update(Seen("NO_APP_FILE"), Verdict("wait", False, "x"), GOAL)
    assert not track.moved  # the first poll has nothing to compare with
    track.update(Seen("NO_APP_FILE"), Verdict("wait", False, "x"), GOAL)
    assert not track.moved  # the same stage again
    track.update(Seen("CONFIG_ERROR"), Verdict("wait", False, "x"), GOAL)
    assert track.moved
    track.update(Seen("CONFIG_ERROR"), Verdict("wait", False, "x"), GOAL)
    assert track.moved  # once moved, always moved


def test_track_a_build_log_of_another_build_has_moved():
    previous = Header(OLD[:7], 1.0)
    track = _Track()
    track.update(Seen("RUNNING", header=previous), Verdict("wait", True, "x"), GOAL)
    assert not track.moved  # a header, but ours
    track.update(Seen("RUNNING", header=LogState.UNREAD), Verdict("wait", False, "x"), GOAL)
    assert not track.moved  # not ours, but no header read
    track.update(Seen("RUNNING", header=None), Verdict("wait", False, "x"), GOAL)
    assert not track.moved  # an empty build log names no build
    track.update(Seen("RUNNING", header=previous), Verdict("wait", False, "x"), GOAL)
    assert track.moved


def test_track_a_busy_stage_seen_once_is_remembered():
    track = _Track()
    track.update(Seen("RUNNING"), Verdict("wait", False, "x"), GOAL)
    assert not track.busy_seen
    track.update(Seen("APP_STARTING"), Verdict("wait", False, "x"), GOAL)
    assert track.busy_seen
    track.update(Seen("RUNNING"), Verdict("wait", False, "x"), GOAL)
    assert track.busy_seen


def test_track_remembers_the_earliest_queue_time_of_a_build_log_naming_our_commit():
    track = _Track()
    track.update(Seen("RUNNING", header=Header(OLD[:7], 5.0)), Verdict("wait", False, "x"), GOAL)
    track.update(Seen("RUNNING", header=Header(None, 6.0)), Verdict("wait", False, "x"), GOAL)
    track.update(Seen("RUNNING", header=Header(NEW[:7], None)), Verdict("wait", True, "x"), GOAL)
    assert track.named_at is None  # another commit, a restart, a header without a time
    track.update(Seen("RUNNING", header=Header(NEW[:7], 9.0)), Verdict("wait", True, "x"), GOAL)
    track.update(Seen("RUNNING", header=Header(NEW[:7], 12.0)), Verdict("wait", True, "x"), GOAL)
    assert track.named_at == 9.0
    track.update(Seen("RUNNING", header=Header(NEW[:7], 7.0)), Verdict("wait", True, "x"), GOAL)
    assert track.named_at == 7.0


# ---------------------------------------------------------------- what the Space info fills in
@pytest.mark.parametrize(
    "goal,facts,static",
    [
        (Goal("commit", NEW), SpaceFacts({}, NEW, 5.0, "static"), True),
        (Goal("commit", NEW), SpaceFacts({}, OLD, 5.0, "static"), False),  # head is another commit
        (Goal("commit", ""), SpaceFacts({}, OLD, 5.0, "static"), True),  # no commit of ours to tell
        (Goal("restart", NEW), SpaceFacts({}, OLD, 5.0, "static"), True),
        (Goal("none", NEW), SpaceFacts({}, OLD, 5.0, "static"), True),
        (Goal("commit", NEW), SpaceFacts({}, NEW, 5.0, "gradio"), False),
        (Goal("restart", NEW), SpaceFacts({}, NEW, 5.0, None), False),
        (Goal("commit", NEW, static=True), SpaceFacts({}, OLD, 5.0, "gradio"), True),
    ],
)  # fmt: skip
def test_with_facts_a_static_space_is_known_from_its_sdk_when_the_head_is_ours(goal, facts, static):
    assert with_facts(goal, facts).static is static


def test_with_facts_takes_the_commit_time_from_the_hub_unless_known():
    facts = SpaceFacts({"stage": "RUNNING"}, NEW, 1234.5, "gradio")
    filled = with_facts(Goal("commit", NEW, want="RUNNING", before=None), facts, 0.5)
    assert filled == Goal("commit", NEW, committed_at=1234.5, before=None, settle=SETTLE * 0.5)
    assert with_facts(Goal("commit", NEW, committed_at=99.0), facts).committed_at == 99.0
    assert with_facts(Goal("commit", NEW, committed_at=0.0), facts).committed_at == 0.0
    assert with_facts(Goal("commit", NEW), SpaceFacts({}, NEW)).committed_at is None


def test_the_poll_scale_comes_from_the_runs_env_not_the_process(monkeypatch):
    """The knob travels in the run's `env` like everything else: the process environment is not read."""
    monkeypatch.setenv("HF_DEPLOY_POLL_SCALE", "0.1")  # what a process-global read would take
    runner, github = Runner(github=False), GitHubContext()
    assert poll_scale({}) == 1.0 and RunContext.from_env({}, runner, github).clock.scale == 1.0
    assert RunContext.from_env({"HF_DEPLOY_POLL_SCALE": "0.5"}, runner, github).clock.scale == 0.5
