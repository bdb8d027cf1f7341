"""The watch's poll schedule, its log labels and the Hub's clock, exactly (mutation survivors)."""

from __future__ import annotations

import itertools

import pytest

from hf_action.hub.proof import Goal, Seen, Verdict
from hf_action.hub.watch import _label, hub_time, poll_intervals, poll_scale

NEW, OLD = "a1b2c3d" + "0" * 33, "0dd0dd0" + "1" * 33


@pytest.mark.parametrize("env,scale", [(None, 1.0), ("", 1.0), ("0.5", 0.5), ("2", 2.0)])
def test_poll_schedule_and_its_scale(monkeypatch, env, scale):
    if env is None:
        monkeypatch.delenv("HF_DEPLOY_POLL_SCALE", raising=False)
    else:
        monkeypatch.setenv("HF_DEPLOY_POLL_SCALE", env)
    assert poll_scale() == scale
    first = list(itertools.islice(poll_intervals(), 11))
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
