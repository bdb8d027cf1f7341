"""Errors are made once: what they say and the outcome they carry never change after the raise."""

from __future__ import annotations

import pytest

from hf_action.errors import ActionError, BuildFailed, InputError
from hf_action.outcome import Outcome


def test_an_error_is_set_once() -> None:
    error = ActionError("The Hub said no.", "Try again.", title="Refused")
    for name in ("message", "hint", "title", "outcome"):
        with pytest.raises(AttributeError, match="set once"):
            setattr(error, name, None)
    with pytest.raises(AttributeError, match="set once"):
        InputError("space", "is empty.").name = "path"  # type: ignore[misc]  # the point of the test


def test_with_outcome_makes_a_new_error_of_the_same_kind() -> None:
    outcome = Outcome("deploy", "user/app", "https://hub/spaces/user/app", commit_sha="c" * 40)
    failed = BuildFailed("The build failed.", "BUILD_ERROR", "line 1", "Fix the app.")
    carried = failed.with_outcome(outcome)
    assert type(carried) is BuildFailed and carried is not failed
    assert (carried.line, carried.stage, carried.log_tail, carried.title) == (
        "The build failed. Fix the app.",
        "BUILD_ERROR",
        "line 1",
        "Space BUILD_ERROR",
    )
    assert carried.outcome is outcome and failed.outcome is None
