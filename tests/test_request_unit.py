"""The front door (hf_action/request.py): one decision per run from the raw inputs and the event."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hf_action.errors import ActionError, InputError
from hf_action.inputs import TokenSource
from hf_action.preview import PullRequest
from hf_action.request import Request, Stop, StopKind, read_request, to_mask

TOKEN = "hf_front_door_token"


def pr(action: str = "opened", *, fork: bool = False, author: str = "octocat") -> PullRequest:
    return PullRequest(
        number=7,
        action=action,
        head_sha="a" * 40,
        head_repo="fork/app" if fork else "org/app",
        base_repo="org/app",
        is_fork=fork,
        merged=False,
        html_url="https://github.com/org/app/pull/7",
        author=author,
    )


def read(
    raw: dict[str, str],
    event: PullRequest | None = None,
    *,
    actor: str = "",
    hardware_names: Callable[[str], tuple[str, ...]] = lambda wanted: (),
) -> Request | Stop:
    return read_request(
        {"space": "org/app", **raw}, Path("."), event, oidc=False, actor=actor,
        hardware_names=hardware_names,
    )  # fmt: skip


def test_a_token_input_is_the_token_source() -> None:
    got = read({"hf-token": TOKEN})
    assert isinstance(got, Request)
    assert got.inputs.token_source is TokenSource.INPUT and got.inputs.token == TOKEN
    assert got.pr is None and not got.preview


def test_no_token_but_oidc_is_keyless_and_no_token_without_oidc_is_an_input_error() -> None:
    got = read_request({"space": "org/app"}, Path("."), None, oidc=True)
    assert isinstance(got, Request) and got.inputs.keyless and got.inputs.token == ""
    with pytest.raises(InputError, match="id-token: write"):
        read({})


def test_keyless_previews_are_refused_before_anything_else() -> None:
    with pytest.raises(ActionError, match="Pull-request previews need an hf-token"):
        read_request({"space": "org/app", "timeout": "soon"}, Path("."), pr(), oidc=True)


def test_a_closed_pull_request_deletes_its_preview_and_an_explicit_operation_stays() -> None:
    closed = read({"hf-token": TOKEN, "path": "missing"}, pr("closed"))
    assert isinstance(closed, Request) and closed.inputs.operation == "delete" and closed.preview
    restart = read({"hf-token": TOKEN, "operation": "restart"}, pr("closed"))
    assert isinstance(restart, Request) and restart.inputs.operation == "restart"
    opened = read({"hf-token": TOKEN}, pr("opened"))
    assert isinstance(opened, Request) and opened.inputs.operation == "deploy"


def test_preview_false_works_on_the_base_space() -> None:
    got = read({"hf-token": TOKEN, "preview": "false"}, pr())
    assert isinstance(got, Request) and got.pr is None


@pytest.mark.parametrize(
    ("event", "actor"),
    [(pr(fork=True), ""), (pr(author="dependabot[bot]"), ""), (pr(), "dependabot[bot]")],
)
def test_no_token_on_a_fork_or_dependabot_pull_request_stops_green(
    event: PullRequest, actor: str
) -> None:
    got = read({}, event, actor=actor)
    assert isinstance(got, Stop) and got.kind is StopKind.NO_SECRETS and got.preview is False
    assert got.title == "Preview skipped" and "the preview is skipped" in got.notice


def test_no_token_on_this_repositorys_pull_request_is_a_missing_secret() -> None:
    with pytest.raises(InputError, match="missing or misnamed"):
        read({}, pr())


def test_an_event_that_asks_nothing_stops_after_the_inputs_are_checked() -> None:
    got = read({"hf-token": TOKEN}, pr("labeled"))
    assert isinstance(got, Stop) and got.kind is StopKind.IGNORED_EVENT and got.preview is True
    assert got.notice.startswith("pull request labeled: nothing to deploy")
    with pytest.raises(InputError, match="Input 'timeout'"):
        read({"hf-token": TOKEN, "timeout": "soon"}, pr("labeled"))


def test_hardware_names_are_asked_last_and_only_when_hardware_is_set() -> None:
    asked: list[str] = []

    def names(wanted: str) -> tuple[str, ...]:
        asked.append(wanted)
        return ("cpu-basic", "t4-small")

    with pytest.raises(InputError, match="Input 'timeout'"):
        read({"hf-token": TOKEN, "hardware": "T4-Small", "timeout": "soon"}, hardware_names=names)
    assert asked == []  # another input was bad: the names (maybe the Hub's listing) were not asked
    got = read({"hf-token": TOKEN, "hardware": "T4-Small"}, hardware_names=names)
    assert isinstance(got, Request) and got.inputs.hardware == "t4-small"
    assert asked == ["t4-small"]
    read({"hf-token": TOKEN}, hardware_names=names)
    assert asked == ["t4-small"]


def test_to_mask_names_the_tokens_and_every_secret_value_even_of_a_malformed_block() -> None:
    got = to_mask(
        {"hf-token": f" {TOKEN} ", "github-token": "ghs_x", "secrets": "A=abcdefgh\nB=xy"}
    )
    assert {TOKEN, "ghs_x", "abcdefgh"} <= set(got.values) and got.short == ("B",)
    broken = to_mask({"secrets": "A=abcdefgh\nnot a line"})
    assert "abcdefgh" in broken.values and broken.short == ()


def test_to_mask_covers_the_previews_secrets_too() -> None:
    got = to_mask({"secrets": "A=prod-value-1", "preview-secrets": "A=test-value-2\nC=no"})
    assert {"prod-value-1", "test-value-2"} <= set(got.values) and got.short == ("C",)
    broken = to_mask({"preview-secrets": "A=test-value-2\nnot a line"})
    assert "test-value-2" in broken.values
