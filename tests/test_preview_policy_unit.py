"""Preview policy, the exact words and the edges the naming table does not reach: messages users act on,
names at the length limit, and preview names that must stay the same from one release to the next (a
renamed preview would orphan the Space of every open pull request)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hf_action.preview import (
    BaseVisibility,
    PreviewAction,
    PullRequest,
    fork_note,
    preview_action,
    preview_enabled,
    preview_space_id,
    preview_visibility,
    split_space_id,
)

PR = PullRequest(7, "opened", "a" * 40, "fork/app", "org/app", True, False, "https://x")


def test_preview_true_without_a_pull_request_says_what_to_do():
    with pytest.raises(ValueError) as err:
        preview_enabled("true", None)
    assert str(err.value) == (
        "preview: true needs a pull request, but this run was not triggered by a pull_request or "
        "pull_request_target event; use preview: auto to deploy previews on pull requests and the "
        "normal Space otherwise"
    )


def test_an_empty_mode_means_auto():
    assert preview_enabled("", PR) is True and preview_enabled("", None) is False


def test_preview_action_reasons():
    assert preview_action("closed") == (
        PreviewAction.DELETE,
        "pull request closed: deleting its preview Space",
    )
    assert preview_action("synchronize") == (
        PreviewAction.DEPLOY,
        "pull request synchronize: deploying its head commit",
    )
    assert preview_action("") == (
        PreviewAction.IGNORE,
        "pull request (no action): nothing to deploy (previews follow opened, reopened, "
        "synchronize, ready_for_review and closed)",
    )


def test_fork_notes():
    deleted = replace(PR, head_repo=None)
    assert fork_note(deleted) == (
        "This pull request comes from a fork since deleted: its preview runs **without** secrets."
    )
    assert fork_note(PR) == (
        "This pull request comes from the fork fork/app: its preview runs **without** secrets."
    )
    bot = replace(PR, is_fork=False, author="dependabot[bot]")
    assert fork_note(bot) == (
        "This pull request comes from Dependabot: its preview runs **without** secrets."
    )
    assert fork_note(replace(PR, is_fork=False)) is None and fork_note(None) is None


def test_a_bad_space_id_message():
    with pytest.raises(ValueError) as err:
        split_space_id("no-slash")
    assert str(err.value) == (
        "space must look like 'owner/name' with letters, digits, '-', '_' and '.', got 'no-slash'"
    )


def test_a_name_exactly_at_the_limit_is_kept_verbatim():
    owner = "o"  # limit: 63 - len("o") - 1 = 61 characters for the app host
    name = "n" * (61 - len("-pr-1"))
    assert preview_space_id(f"{owner}/{name}", 1) == f"o/{name}-pr-1"


def test_shortened_names_are_stable_across_releases():
    name = "n" * 80
    assert preview_space_id(f"owner/{name}", 4321) == f"owner/{'n' * 42}-1df811-pr-4321"


def test_with_room_for_the_hash_alone_the_name_is_the_hash():
    owner = "o" * 51  # limit 11 = 6 (hash) + 5 ("-pr-1")
    name = "n" * 20
    assert preview_space_id(f"{owner}/{name}", 1) == f"{owner}/a509a4-pr-1"  # sha256 of o…/n…#1


def test_a_prefix_made_only_of_separators_is_dropped():
    name = "_" * 90
    assert preview_space_id(f"user/{name}", 1) == "user/2de00b-pr-1"


def test_a_prefix_keeps_its_own_letters():
    name = "X" * 90
    result = preview_space_id(f"user/{name}", 1)
    assert result == "user/XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX-21c40c-pr-1"


def test_an_owner_too_long_for_any_name_is_told_in_lower_case():
    owner = "Ab" * 30
    with pytest.raises(ValueError) as err:
        preview_space_id(f"{owner}/app", 1, "{name}-preview-of-pull-request-{number}")
    assert f"the app host '{owner.lower()}-<name>' 63" in str(err.value)


def test_an_empty_or_missing_template_is_refused_plainly():
    for template in ("   ", None):
        with pytest.raises(ValueError) as err:
            preview_space_id("user/app", 1, template)  # type: ignore[arg-type]
        assert (
            str(err.value) == "preview-name must not be empty; the default is '{name}-pr-{number}'"
        )


def test_template_messages():
    with pytest.raises(ValueError) as err:
        preview_space_id("user/app", 1, "{name}!{number}")
    assert str(err.value) == (
        "preview-name '{name}!{number}' may only contain letters, digits, '-', '_', '.' besides "
        "{name} and {number}"
    )
    with pytest.raises(ValueError) as err:
        preview_space_id("user/app", 1, "{name}")
    assert str(err.value) == (
        "preview-name '{name}' must contain {number} so each pull request gets its own Space"
    )
    with pytest.raises(ValueError) as err:
        preview_space_id("user/app", 1, "-{name}-{number}")
    assert str(err.value) == (
        "preview-name '-{name}-{number}' gives '-app-1', which is not a valid Space name (letters, "
        "digits, '-', '_', '.'; no leading or trailing '-' or '.', no '--' or '..')"
    )


B = BaseVisibility


@pytest.mark.parametrize(
    "explicit,asked,base,given",
    [
        (None, None, B.PRIVATE, "private"),
        (None, None, B.PROTECTED, "private"),
        (None, None, B.HIDDEN, "private"),
        (None, "public", B.PRIVATE, "private"),  # production's visibility never widens a preview
        (None, "protected", B.HIDDEN, "private"),
        (None, None, B.PUBLIC, None),  # as before: the creation default, then left as it is
        (None, "private", B.PUBLIC, "private"),
        (None, None, B.MISSING, None),
        (None, "protected", B.MISSING, "protected"),
        ("public", None, B.PRIVATE, "public"),  # named outright: the one way to widen it
        ("protected", "private", B.PUBLIC, "protected"),
    ],
)
def test_a_preview_is_never_more_visible_than_its_base_unless_named(explicit, asked, base, given):
    assert preview_visibility(explicit, asked, base, "o/app")[0] == given
