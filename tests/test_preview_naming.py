"""Preview Space naming (Hub and DNS rules) and the small preview decisions."""

from __future__ import annotations

import random
import re
import string
from dataclasses import replace

import pytest

from hf_action.preview import (
    MAX_HOST_LABEL,
    MAX_REPO_NAME,
    PreviewAction,
    PullRequest,
    fork_note,
    is_valid_repo_name,
    preview_action,
    preview_enabled,
    preview_space_id,
)


def host_label(space_id: str) -> str:
    """The DNS label of a Space's app host: ``<owner>-<name>`` lower-cased, ``_``/``.`` -> ``-``."""
    owner, name = space_id.split("/")
    return f"{owner}-{name}".lower().replace("_", "-").replace(".", "-")


# An independent statement of the Hub's rule, so the tests do not just echo the code.
HUB_NAME = re.compile(r"^(?![-.])(?!.*(--|\.\.))[A-Za-z0-9_.-]{1,96}(?<![-.])$")


def assert_good(space_id: str, owner: str) -> str:
    got_owner, name = space_id.split("/")
    assert got_owner == owner
    assert HUB_NAME.match(name), name
    assert is_valid_repo_name(name)
    assert len(name) <= MAX_REPO_NAME
    label = host_label(space_id)
    assert len(label) <= MAX_HOST_LABEL, (space_id, len(label))
    assert re.fullmatch(r"[a-z0-9_-]+", label) and "_" not in label and "." not in label, label
    return name


@pytest.mark.parametrize(
    ("space", "number", "template", "expected"),
    [
        ("user/app", 1, "{name}-pr-{number}", "user/app-pr-1"),
        ("user/app", 99999, "{name}-pr-{number}", "user/app-pr-99999"),
        ("BigOrg/My_App.v2", 42, "{name}-pr-{number}", "BigOrg/My_App.v2-pr-42"),
        ("user/app", 7, "pr-{number}-{name}", "user/pr-7-app"),
        ("user/app", 7, "{name}_{number}", "user/app_7"),
        ("user/app", 7, "preview-{number}", "user/preview-7"),
        ("user/a_", 3, "{name}-pr-{number}", "user/a_-pr-3"),
    ],
)
def test_short_names_are_rendered_verbatim(
    space: str, number: int, template: str, expected: str
) -> None:
    assert preview_space_id(space, number, template) == expected
    assert_good(expected, space.split("/")[0])


def test_default_template() -> None:
    assert preview_space_id("user/app", 12) == "user/app-pr-12"


@pytest.mark.parametrize(
    ("space", "number"),
    [
        ("user/" + "a" * 96, 1),
        ("user/" + "a" * 60, 99999),
        ("UPPERCASE-Owner/" + "Name" * 12, 123),
        # cutting at the limit would leave a trailing '-' / '.' / '_' before the hash
        ("user/" + "ab-" * 30 + "c", 5),
        ("user/" + "ab." * 30 + "c", 5),
        ("user/" + "a_b." * 20 + "c", 5),
        ("o/" + "x" * 48 + "-" + "y" * 10, 1),
        ("o/" + "x" * 48 + "." + "y" * 10, 1),
        ("a" * 40 + "/" + "b" * 40, 99999),
    ],
)
def test_long_names_are_shortened_validly(space: str, number: int) -> None:
    owner, base = space.split("/")
    result = preview_space_id(space, number)
    name = assert_good(result, owner)
    assert name.endswith(f"-pr-{number}")  # the PR number survives
    assert re.search(r"-[0-9a-f]{6}-pr-", name) or re.match(r"[0-9a-f]{6}-pr-", name), name
    stem = name.split("-pr-")[0].rsplit("-", 1)[0] if "-" in name.split("-pr-")[0] else ""
    assert base.startswith(stem)  # the kept part is a real prefix of the base name
    assert preview_space_id(space, number) == result  # deterministic


def test_shortening_uses_the_whole_host_budget() -> None:
    result = preview_space_id("owner/" + "n" * 80, 4321)
    assert len(host_label(result)) == MAX_HOST_LABEL


def test_uppercase_and_separators_in_host_label() -> None:
    assert host_label("Big_Org/My.App_X") == "big-org-my-app-x"
    result = preview_space_id("Big_Org/My.App", 9)
    assert result == "Big_Org/My.App-pr-9"
    assert host_label(result) == "big-org-my-app-pr-9"


def test_names_sharing_a_long_prefix_do_not_collide() -> None:
    base = "x" * 90
    a = preview_space_id(f"user/{base}a", 1)
    b = preview_space_id(f"user/{base}b", 1)
    assert a != b


@pytest.mark.parametrize(
    "template",
    [
        "{name}-pr",
        "{name}",
        "static-name",
        "{name}-{num}",
        "{name}-{number!r}",
        "{name}-{number:05d}",
        "{name} {number}",
        "{name}/{number}",
        "{name}-{number",
        "",
        "   ",
    ],
)
def test_bad_templates_are_rejected(template: str) -> None:
    with pytest.raises(ValueError, match="preview-name"):
        preview_space_id("user/app", 1, template)


@pytest.mark.parametrize(
    "template", ["-{name}-{number}", "{name}--{number}", "{name}-{number}.", "{name}-{number}.git"]
)
def test_templates_giving_invalid_names_are_rejected(template: str) -> None:
    with pytest.raises(ValueError, match="not a valid Space name"):
        preview_space_id("user/app", 1, template)


@pytest.mark.parametrize(
    "space",
    [
        "app",
        "user/",
        "/app",
        "user/-app",
        "user/app.",
        "user/a--b",
        "user/a..b",
        "user/app/x",
        "us er/app",
        "user/" + "a" * 97,
    ],
)
def test_bad_space_ids_are_rejected(space: str) -> None:
    with pytest.raises(ValueError, match="owner/name"):
        preview_space_id(space, 1)


@pytest.mark.parametrize("number", [0, -1, True, "3", 1.0])
def test_bad_pr_numbers_are_rejected(number: object) -> None:
    with pytest.raises(ValueError, match="positive integer"):
        preview_space_id("user/app", number)  # type: ignore[arg-type]


def test_owner_too_long_for_any_preview_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="cannot fit"):
        preview_space_id("o" * 55 + "/app", 12345)
    with pytest.raises(ValueError, match="cannot fit"):
        preview_space_id(
            "user/app", 1, "a-very-long-static-preview-name-for-pr-{number}-" + "z" * 40
        )


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("a", True),
        ("A_b.c-d", True),
        ("_x_", True),
        ("-a", False),
        ("a-", False),
        (".a", False),
        ("a.", False),
        ("a--b", False),
        ("a..b", False),
        ("a b", False),
        ("a/b", False),
        ("", False),
        ("a" * 96, True),
        ("a" * 97, False),
        ("repo.git", False),
        ("é", False),
    ],
)
def test_is_valid_repo_name(name: str, ok: bool) -> None:
    assert is_valid_repo_name(name) is ok


def _random_name(rng: random.Random, max_len: int) -> str:
    """A valid Hub name: word characters separated by single '-', '.', '_'."""
    target = rng.randint(1, max_len)
    out = [rng.choice(string.ascii_letters + string.digits)]
    while len(out) < target:
        if out[-1] not in "-._" and rng.random() < 0.2 and len(out) < target - 1:
            out.append(rng.choice("-._"))
        else:
            out.append(rng.choice(string.ascii_letters + string.digits + "_"))
    name = "".join(out)
    if name.endswith(".git"):
        name += "x"
    return name[:max_len].rstrip("-.") or "a"


TEMPLATES = [
    "{name}-pr-{number}",
    "pr-{number}-{name}",
    "{name}.{number}",
    "{name}_pr{number}",
    "{number}-{name}",
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_generated_names_are_valid_deterministic_and_unique(template: str) -> None:
    rng = random.Random(f"preview-{template}")  # noqa: S311 - reproducible test data
    seen: dict[str, tuple[str, int]] = {}
    for _ in range(400):
        owner = _random_name(rng, 40)
        name = _random_name(rng, MAX_REPO_NAME)
        space = f"{owner}/{name}"
        assert is_valid_repo_name(owner) and is_valid_repo_name(name), space
        numbers = {1, 9, 10, 99999, *(rng.randint(1, 99999) for _ in range(8))}
        for number in numbers:
            result = preview_space_id(space, number, template)
            assert_good(result, owner)
            assert str(number) in result.split("/")[1]
            assert preview_space_id(space, number, template) == result
            assert seen.setdefault(result, (space, number)) == (space, number), (
                f"collision on {result}"
            )


def test_consecutive_pr_numbers_never_collide_for_a_long_name() -> None:
    space = "SomeOrganisation/" + "very-long-space-name-" * 4 + "end"
    names = [preview_space_id(space, n) for n in range(1, 100_000, 7)]
    assert len(set(names)) == len(names)
    for result in names[::997]:
        assert_good(result, "SomeOrganisation")


# --- the small decisions that go with naming ------------------------------------------------


def _pr(*, is_fork: bool = False, action: str = "opened") -> PullRequest:
    return PullRequest(
        number=5,
        action=action,
        head_sha="a" * 40,
        head_repo="someone/fork" if is_fork else "owner/repo",
        base_repo="owner/repo",
        is_fork=is_fork,
        merged=False,
        html_url="https://github.com/owner/repo/pull/5",
    )


@pytest.mark.parametrize(
    ("mode", "has_pr", "expected"),
    [
        ("auto", True, True),
        ("auto", False, False),
        ("", True, True),
        ("AUTO", False, False),
        ("true", True, True),
        (" True ", True, True),
        ("false", True, False),
        ("false", False, False),
    ],
)
def test_preview_enabled(mode: str, has_pr: bool, expected: bool) -> None:
    assert preview_enabled(mode, _pr() if has_pr else None) is expected


def test_preview_true_without_pr_is_a_user_facing_error() -> None:
    with pytest.raises(ValueError, match="pull_request"):
        preview_enabled("true", None)


@pytest.mark.parametrize("mode", ["yes", "on", "1", "maybe"])
def test_preview_mode_must_be_known(mode: str) -> None:
    with pytest.raises(ValueError, match="auto"):
        preview_enabled(mode, _pr())


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("opened", PreviewAction.DEPLOY),
        ("reopened", PreviewAction.DEPLOY),
        ("synchronize", PreviewAction.DEPLOY),
        ("ready_for_review", PreviewAction.DEPLOY),
        ("closed", PreviewAction.DELETE),
        ("labeled", PreviewAction.IGNORE),
        ("assigned", PreviewAction.IGNORE),
        ("edited", PreviewAction.IGNORE),
        ("converted_to_draft", PreviewAction.IGNORE),
        ("", PreviewAction.IGNORE),
    ],
)
def test_preview_action(action: str, expected: PreviewAction) -> None:
    got, reason = preview_action(action)
    assert got is expected
    assert got.value in {"deploy", "delete", "ignore"}
    assert reason and (action in reason or not action)


def test_fork_note() -> None:
    assert fork_note(None) is None
    assert fork_note(_pr()) is None
    without = fork_note(_pr(is_fork=True))
    assert without and "someone/fork" in without and "**without** secrets" in without
    deleted = replace(_pr(is_fork=True), head_repo=None)
    assert "deleted" in (fork_note(deleted) or "")
    assert "Dependabot" in (fork_note(replace(_pr(), author="dependabot[bot]")) or "")
