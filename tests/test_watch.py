"""The build watcher's decisions, on scripted runtime sequences with a fake clock."""

from __future__ import annotations

import pytest

from hf_action.errors import BuildFailed
from hf_action.hub.watch import poll_intervals, wait_for_commit

NEW, OLD = "n" * 40, "o" * 40


def run(sequence, *, sha=NEW, timeout=1000.0, **how):
    """Feed `sequence` (stage, sha) one per poll; returns (result or exception, polls made)."""
    now = [0.0]
    polls = iter(sequence)
    seen = []

    def get_runtime():
        stage, runtime_sha = next(polls)
        seen.append(stage)
        return {"stage": stage, **({"sha": runtime_sha} if runtime_sha else {})}

    def sleep(seconds):
        now[0] += seconds

    try:
        result = wait_for_commit(get_runtime, lambda build: "log line\n", sha, timeout, lambda m: None,
                                 clock=lambda: now[0], sleep=sleep, **how)  # fmt: skip
    except BuildFailed as exc:
        return exc, len(seen)
    return result, len(seen)


def test_stale_running_of_the_previous_commit_is_not_success():
    result, polls = run([("RUNNING", OLD), ("RUNNING", OLD), ("BUILDING", NEW), ("RUNNING", NEW)])
    assert result.stage == "RUNNING" and polls == 4


def test_without_sha_running_counts_only_after_a_build_was_seen():
    result, polls = run(
        [
            ("RUNNING", None),
            ("RUNNING", None),
            ("BUILDING", None),
            ("APP_STARTING", None),
            ("RUNNING", None),
        ]
    )
    assert result.stage == "RUNNING" and polls == 5


def test_an_error_of_the_previous_build_is_not_ours():
    result, polls = run([("BUILD_ERROR", OLD), ("BUILDING", NEW), ("RUNNING", NEW)])
    assert result.stage == "RUNNING" and polls == 3


def test_without_sha_an_empty_spaces_no_app_file_is_not_ours():
    result, _ = run([("NO_APP_FILE", None), ("BUILDING", None), ("RUNNING", None)])
    assert result.stage == "RUNNING"


def test_our_build_error_fails_with_the_log():
    exc, _ = run([("RUNNING", OLD), ("BUILDING", NEW), ("BUILD_ERROR", NEW)])
    assert (
        isinstance(exc, BuildFailed) and exc.stage == "BUILD_ERROR" and exc.log_tail == "log line"
    )


def test_runtime_error_fetches_the_run_log():
    fetched = []
    with pytest.raises(BuildFailed) as info:
        wait_for_commit(lambda: {"stage": "RUNTIME_ERROR", "sha": NEW}, lambda build: fetched.append(build) or "boom",
                        NEW, 10, lambda m: None, clock=lambda: 0.0, sleep=lambda s: None)  # fmt: skip
    assert fetched == [False] and info.value.log_tail == "boom"


def test_asleep_after_running_our_commit_is_success():
    result, _ = run([("BUILDING", NEW), ("SLEEPING", NEW)])
    assert result.stage == "SLEEPING"


def test_paused_space_fails_clearly():
    exc, _ = run([("PAUSED", NEW)])
    assert isinstance(exc, BuildFailed) and "paused" in exc.message


def test_timeout_is_reported_with_the_last_stage():
    exc, polls = run([("BUILDING", NEW)] * 1000, timeout=30)
    assert (
        isinstance(exc, BuildFailed)
        and exc.stage == "TIMEOUT"
        and "last stage BUILDING" in exc.message
    )
    assert polls <= 15  # polite: not a busy loop


def test_restart_needs_a_transition_even_on_the_same_commit():
    result, polls = run(
        [("RUNNING", NEW), ("BUILDING", NEW), ("RUNNING", NEW)], require_transition=True
    )
    assert result.stage == "RUNNING" and polls == 3


def test_pause_is_accepted_as_soon_as_it_shows():
    result, polls = run([("RUNNING", NEW), ("PAUSED", NEW)], want="PAUSED")
    assert result.stage == "PAUSED" and polls == 2


def test_poll_schedule_stays_under_100_requests_for_a_5_minute_build():
    total, count = 0.0, 0
    for delay in poll_intervals():
        total += delay
        count += 1
        if total >= 300:
            break
    assert count <= 100
    assert max(d for d, _ in zip(poll_intervals(), range(200), strict=False)) == 3.5


def test_paused_with_the_previous_sha_fails_at_once():
    exc, polls = run([("PAUSED", OLD)] * 50)
    assert isinstance(exc, BuildFailed) and exc.stage == "PAUSED" and polls == 1


def test_without_sha_a_config_error_after_the_stage_moved_is_ours():
    exc, _ = run([("RUNNING", None), ("CONFIG_ERROR", None)])
    assert isinstance(exc, BuildFailed) and exc.stage == "CONFIG_ERROR"


def test_settings_change_without_commit_waits_for_the_restart():
    result, polls = run(
        [("RUNNING", NEW), ("RUNNING", NEW), ("BUILDING", NEW), ("RUNNING", NEW)],
        require_transition=True,
    )
    assert result.stage == "RUNNING" and polls == 4


def test_a_restart_already_building_when_asked_counts_as_seen():
    result, polls = run([("RUNNING", NEW)], require_transition=True, initial_stage="BUILDING")
    assert result.stage == "RUNNING" and polls == 1
