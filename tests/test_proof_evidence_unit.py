# ruff: noqa: E501  (a table of exact sentences reads better one case per line)
"""The evidence line each watch verdict prints ("Evidence: ..."): users read it to know why the action
believed (or did not yet believe) that the Space runs their change. Pinned word for word."""

from __future__ import annotations

import pytest

from hf_action.hub.proof import Goal, Header, LogState, Seen, judge, log_names_ours, needs_header

NEW, OLD = "a1b2c3d" + "0" * 33, "0dd0dd0" + "1" * 33
T = 1_700_000_000.0
COMMIT = Goal("commit", NEW, committed_at=T)
RESTART = Goal("restart", NEW, before=Header(None, T - 10))
CONTAINER = Goal("restart", NEW, before=Header(None, T - 10), started_before=T - 8, settle=20)


@pytest.mark.parametrize(
    "goal,seen,verdict",
    [
        (Goal("none", NEW), Seen("RUNNING"), ("done", True, "nothing that rebuilds was changed: the current stage is the answer")),
        (Goal("restart", NEW), Seen("RUNNING", sha=OLD), ("wait", False, "the runtime names 0dd0dd0, not the head a1b2c3d")),
        (COMMIT, Seen("RUNNING", busy_seen=True), ("done", True, "a build was seen since our change (its log could not be read)")),
        (COMMIT, Seen("RUNNING"), ("wait", False, "no build seen since our change yet (the logs could not be read)")),
        (Goal("restart", NEW), Seen("RUNNING", header=Header(None, T), busy_seen=True), ("done", True, "a build was seen since our change")),
        (RESTART, Seen("RUNNING", header=Header(None, T - 10)), ("wait", False, "the build log is still the one shown before our change")),
        (RESTART, Seen("BUILDING", header=Header(None, T + 1)), ("wait", True, "the build log is of a build queued after our change")),
        (COMMIT, Seen("BUILDING", header=Header(None, T + 11)), ("wait", True, "the build log is of a restart queued over 10s after our commit")),
        (COMMIT, Seen("RUNNING", header=Header(None, T + 9)), ("wait", False, "the build log is of a restart queued before our commit or within 10s of it (the logs' clock may differ that much)")),
        (COMMIT, Seen("RUNNING", header=Header(None, T + 11), startup=T + 11), ("done", True, "the build log is of a restart queued over 10s after our commit and the app started from it")),
        (COMMIT, Seen("RUNNING", header=Header(None, T + 11), startup=T + 11 - 1e-3), ("done", True, "the build log is of a restart queued over 10s after our commit and the app started from it")),
        (COMMIT, Seen("RUNNING", header=Header(None, T + 11), startup=T + 10), ("wait", False, "the build log is of a restart queued over 10s after our commit, but the app shown started before that build")),
        (COMMIT, Seen("RUNNING", header=Header(None, T + 2), startup=T + 3, named_at=T + 1), ("done", True, "the build log is of a restart queued after our commit's build and the app started from it")),
        (COMMIT, Seen("RUNNING", header=Header(OLD[:7], T + 2)), ("wait", False, "the build log header names 0dd0dd0, not our commit")),
        (Goal("commit", NEW, app_expected=True), Seen("NO_APP_FILE", header=None, elapsed=99), ("wait", False, "NO_APP_FILE is the previous verdict, not ours: our files hold an app, so it is shown until our build starts")),
        (Goal("commit", NEW, app_expected=True), Seen("NO_APP_FILE", header=None, moved=True), ("fail", True, "NO_APP_FILE without a build replaced the previous build")),
        (CONTAINER, Seen("RUNNING", header=Header(None, T - 10), startup=T + 3), ("done", True, "the run log shows an Application Startup after our change (no new build)")),
        (CONTAINER, Seen("RUNNING", header=Header(None, T - 10), startup=T - 8), ("wait", False, "the build log is still the one shown before our change, and the run log shows no start since")),
        (CONTAINER, Seen("RUNNING", header=Header(None, T - 10), startup=T - 8, elapsed=20, settled=20), ("done", True, "no restart shown within 20s of our change; the Space runs a1b2c3d as before")),
        (CONTAINER, Seen("STOPPED", header=Header(None, T - 10), startup=T - 8, elapsed=20, settled=20), ("done", True, "no restart shown within 20s of our change; the Space runs a1b2c3d as before")),
        (CONTAINER, Seen("BUILD_ERROR", header=Header(None, T - 10), startup=T - 8, elapsed=20, settled=20), ("wait", False, "the build log is still the one shown before our change, and the run log shows no start since")),
        (CONTAINER, Seen("RUNTIME_ERROR", header=Header(None, T - 10), startup=T + 3), ("fail", True, "the run log shows an Application Startup after our change (no new build)")),
        (COMMIT, Seen("BUILDING", header=None), ("wait", False, "no build log yet")),
        (COMMIT, Seen("PAUSED"), ("fail", False, "the Space is PAUSED: it will not start by waiting")),
        (COMMIT, Seen("SLEEPING", sha=NEW), ("done", True, "the runtime names our commit a1b2c3d; it sleeps and wakes on its next visit")),
        (COMMIT, Seen("STOPPED", sha=NEW), ("done", True, "the runtime names our commit a1b2c3d; it sleeps and wakes on its next visit")),
        (COMMIT, Seen("BUILD_ERROR", sha=NEW), ("fail", True, "the runtime names our commit a1b2c3d")),
        (COMMIT, Seen("APP_STARTING", sha=NEW), ("wait", True, "the runtime names our commit a1b2c3d")),
    ],
)  # fmt: skip
def test_each_verdict_states_its_evidence(goal, seen, verdict):
    v = judge(goal, seen)
    assert (v.action, v.ours, v.evidence) == verdict


@pytest.mark.parametrize(
    "goal,seen,warning",
    [
        (COMMIT, Seen("RUNNING", header=Header(NEW[:7], T + 1), startup=T + 2), ""),
        (COMMIT, Seen("RUNNING", sha=NEW), ""),
        (COMMIT, Seen("RUNNING", busy_seen=True), "The Space's build log could not be read, so only a build seen since the change ties this stage to it (not which commit it built)."),
        (Goal("restart", NEW), Seen("RUNNING", header=Header(None, T), busy_seen=True), "The Space's build log could not be read, so only a build seen since the change ties this stage to it (not which commit it built)."),
        (COMMIT, Seen("RUNNING", header=Header(NEW[:7], T + 1)), "The Space's run log could not be read, so it is not proven that the app shown started from this build."),
        (CONTAINER, Seen("RUNNING", header=Header(None, T - 10), startup=T - 8, elapsed=20, settled=20), "The Space did not restart within 20s of the change (no new build log, no new Application Startup), so it is not proven that the running app uses the new settings: they apply at its next restart at the latest."),
        (CONTAINER, Seen("RUNNING", header=Header(None, T - 10), startup=T - 8, elapsed=20, busy_seen=True), None),
        (CONTAINER, Seen("RUNNING", header=Header(None, T - 10), startup=T - 8, elapsed=20, settled=20, busy_seen=True), "The Space has been RUNNING for 20s since the change and nothing more is coming, but the build log is still the one shown before our change, and the run log shows no start since: so it is not proven that the running app uses the new settings."),
    ],
)  # fmt: skip
def test_a_proof_by_weaker_evidence_warns_what_it_could_not_prove(goal, seen, warning):
    v = judge(goal, seen)
    assert (v.warning if v.action == "done" else None) == warning


OURS = Header(NEW[:7], T + 1)


@pytest.mark.parametrize(
    "goal,seen,verdict",
    [
        (COMMIT, Seen("BUILD_ERROR", sha=OLD, header=OURS), ("fail", True, "the build log header names our commit a1b2c3d")),
        (COMMIT, Seen("BUILD_ERROR", sha=OLD, header=Header(OLD[:7], T - 9)), ("wait", False, "the build log header names 0dd0dd0, not our commit")),
        (COMMIT, Seen("BUILD_ERROR", sha=OLD), ("wait", False, "the runtime names 0dd0dd0, not our commit a1b2c3d")),
        (COMMIT, Seen("RUNNING", sha=OLD, header=OURS, startup=T + 2), ("wait", False, "the runtime names 0dd0dd0, not our commit a1b2c3d")),
        (COMMIT, Seen("RUNNING", header=Header(None, T + 10), startup=T + 11), ("wait", False, "the build log is of a restart queued before our commit or within 10s of it (the logs' clock may differ that much)")),
        (Goal("restart", NEW, settle=20), Seen("RUNNING", header=Header(None, T + 5), elapsed=20, settled=20), ("done", True, "no restart shown within 20s of our change; the Space runs a1b2c3d as before")),
        (COMMIT, Seen("RUNNING", header=Header(None, T + 70), startup=T + 71, first_header=Header(None, T + 70)), ("wait", False, "the build log of a restart is the one shown when the watch began")),
    ],
)  # fmt: skip
def test_a_sha_of_another_commit_leaves_an_error_to_the_build_log_and_other_edges(
    goal, seen, verdict
):
    """A Hub may name the build still serving while ours failed: an error stage is then judged by
    the build log; a RUNNING never is. A restart exactly CLOCK_SKEW after our commit is not
    proof; with no log read before a restart, the settle fallback applies whatever log shows."""
    v = judge(goal, seen)
    assert (v.action, v.ours, v.evidence) == verdict


def test_which_polls_read_the_build_log_when_the_runtime_names_a_commit():
    assert needs_header(COMMIT, "BUILD_ERROR", OLD)  # an error of another: maybe ours after all
    assert not needs_header(COMMIT, "BUILD_ERROR", NEW)  # ours, by the runtime
    assert not needs_header(COMMIT, "RUNNING", OLD)  # a RUNNING of another is never ours
    assert needs_header(COMMIT, "RUNNING", None)


def test_a_restart_reads_the_run_log_only_when_it_knows_the_start_shown_before():
    same = Seen("RUNNING", header=Header(None, T - 10))
    assert log_names_ours(CONTAINER, same)
    assert not log_names_ours(RESTART, same)  # nothing to compare a start with
    assert not log_names_ours(CONTAINER, Seen("RUNNING", header=LogState.UNREAD))


@pytest.mark.parametrize(
    "goal,seen,warning",
    [
        (Goal("none", NEW), Seen("RUNNING"), ""),
        (COMMIT, Seen("SLEEPING", sha=NEW), ""),
        (COMMIT, Seen("SLEEPING", busy_seen=True), "The Space's build log could not be read, so only a build seen since the change ties this stage to it (not which commit it built)."),
    ],
)  # fmt: skip
def test_what_each_done_verdict_warns(goal, seen, warning):
    v = judge(goal, seen)
    assert v.action == "done" and v.warning == warning


@pytest.mark.parametrize(
    "seen,verdict,warning",
    [
        (Seen("RUNNING", header=OURS, startup=T - 50, elapsed=40, settled=19), ("wait", False, "the build log header names our commit a1b2c3d, but the app shown started before that build"), None),
        (Seen("RUNNING", header=OURS, startup=T - 50, elapsed=40, settled=20, busy_seen=True), ("done", True, "RUNNING for 20s since our change, and nothing more to come"), "The Space has been RUNNING for 20s since the change and nothing more is coming, but the build log header names our commit a1b2c3d, but the app shown started before that build: so it is not proven that the running app uses commit a1b2c3d."),
        (Seen("SLEEPING", elapsed=40, settled=30), ("done", True, "SLEEPING for 20s since our change, and nothing more to come; it sleeps and wakes on its next visit"), "The Space has been SLEEPING for 20s since the change and nothing more is coming, but no build seen since our change yet (the logs could not be read): so it is not proven that the running app uses commit a1b2c3d."),
        (Seen("RUNNING", header=Header(OLD[:7], T - 9), elapsed=600, settled=600), ("wait", False, "the build log header names 0dd0dd0, not our commit"), None),
        (Seen("RUNNING", sha=OLD, elapsed=600, settled=600), ("wait", False, "the runtime names 0dd0dd0, not our commit a1b2c3d"), None),
    ],
)  # fmt: skip
def test_a_space_settled_for_the_settle_time_ends_unless_more_is_coming(seen, verdict, warning):
    """Whatever was seen, a Space RUNNING (or asleep) for `settle` since our change ends as it
    runs, with a warning that names what was missing; a build of another commit shown, or a
    runtime naming one, says ours is still to come."""
    v = judge(Goal("commit", NEW, committed_at=T, settle=20), seen)
    assert (v.action, v.ours, v.evidence) == verdict
    assert (v.warning if v.action == "done" else None) == warning
