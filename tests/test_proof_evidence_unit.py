# ruff: noqa: E501  (a table of exact sentences reads better one case per line)
"""The evidence line each watch verdict prints ("Evidence: ..."): users read it to know why the action
believed (or did not yet believe) that the Space runs their change. Pinned word for word."""

from __future__ import annotations

import pytest

from hf_action.hub.proof import Goal, Header, Seen, judge

NEW, OLD = "a1b2c3d" + "0" * 33, "0dd0dd0" + "1" * 33
T = 1_700_000_000.0
COMMIT = Goal("commit", NEW, committed_at=T)
RESTART = Goal("restart", NEW, before=Header(None, T - 10))


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
        (COMMIT, Seen("BUILDING", header=Header(None, T + 1)), ("wait", True, "the build log is of a restart queued after our commit")),
        (COMMIT, Seen("RUNNING", header=Header(None, T - 1)), ("wait", False, "the build log is of a restart queued before our commit")),
        (COMMIT, Seen("RUNNING", header=Header(None, T + 1), startup=T + 1), ("done", True, "the build log is of a restart queued after our commit and the app started from it")),
        (COMMIT, Seen("RUNNING", header=Header(None, T + 1), startup=T + 1 - 1e-3), ("done", True, "the build log is of a restart queued after our commit and the app started from it")),
        (COMMIT, Seen("RUNNING", header=Header(None, T + 1), startup=T), ("wait", False, "the build log is of a restart queued after our commit, but the app shown started before that build")),
        (COMMIT, Seen("BUILDING", header=None), ("wait", False, "no build log yet")),
        (COMMIT, Seen("PAUSED"), ("fail", False, "the Space is PAUSED: it will not start by waiting")),
        (COMMIT, Seen("SLEEPING", sha=NEW), ("done", True, "the runtime names our commit a1b2c3d; it sleeps and wakes on its next visit")),
        (COMMIT, Seen("BUILD_ERROR", sha=NEW), ("fail", True, "the runtime names our commit a1b2c3d")),
        (COMMIT, Seen("APP_STARTING", sha=NEW), ("wait", True, "the runtime names our commit a1b2c3d")),
    ],
)  # fmt: skip
def test_each_verdict_states_its_evidence(goal, seen, verdict):
    v = judge(goal, seen)
    assert (v.action, v.ours, v.evidence) == verdict
