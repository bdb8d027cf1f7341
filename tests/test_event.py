"""Loading the runner's event, checked against real GitHub webhook payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hf_action.errors import EventError
from hf_action.github.context import GitHubContext
from hf_action.github.event import load_pull_request, parse_pull_request
from hf_action.preview import PullRequest
from tests import webhooks
from tests.webhooks import event_env, examples, load_example

DEPLOY_ACTIONS = ["opened", "reopened", "synchronize"]


def load_pull_request_env(env: dict[str, str]) -> PullRequest | None:
    """The event the runner's variables name, as the front door reads it."""
    return load_pull_request(GitHubContext.from_env(env))


@pytest.mark.parametrize("event_name", ["pull_request", "pull_request_target"])
@pytest.mark.parametrize("action", [*DEPLOY_ACTIONS, "closed"])
def test_real_payloads_load(tmp_path: Path, event_name: str, action: str) -> None:
    payload = load_example(action)
    pr = load_pull_request_env(event_env(tmp_path, payload, event_name))
    raw = payload["pull_request"]
    assert isinstance(pr, PullRequest)
    assert pr.number == payload["number"] == raw["number"]
    assert pr.action == action
    assert pr.head_sha == raw["head"]["sha"]
    assert len(pr.head_sha) == 40
    assert pr.head_repo == raw["head"]["repo"]["full_name"]
    assert pr.base_repo == raw["base"]["repo"]["full_name"] == payload["repository"]["full_name"]
    assert pr.is_fork is False
    assert pr.merged is False
    assert pr.html_url == raw["html_url"]


def test_head_sha_not_github_sha(tmp_path: Path) -> None:
    payload = load_example("synchronize")
    env = event_env(tmp_path, payload)
    pr = load_pull_request_env(env)
    assert pr is not None
    assert pr.head_sha != env["GITHUB_SHA"]
    assert pr.head_sha == payload["after"]  # synchronize's "after" is the new head


def test_fork_variant(tmp_path: Path) -> None:
    payload = load_example("opened", fork=True)
    pr = load_pull_request_env(event_env(tmp_path, payload, "pull_request_target"))
    assert pr is not None
    assert pr.is_fork is True
    assert pr.head_repo == f"{webhooks.FORK_OWNER}/Hello-World"
    assert pr.base_repo == payload["repository"]["full_name"]


def test_deleted_fork_counts_as_fork(tmp_path: Path) -> None:
    payload = load_example("closed", fork=True)
    payload["pull_request"]["head"]["repo"] = None
    pr = load_pull_request_env(event_env(tmp_path, payload))
    assert pr is not None
    assert pr.head_repo is None
    assert pr.is_fork is True


def test_same_repo_in_other_case_is_not_a_fork(tmp_path: Path) -> None:
    payload = load_example("opened")
    head_repo = payload["pull_request"]["head"]["repo"]
    head_repo["full_name"] = head_repo["full_name"].upper()
    pr = load_pull_request_env(event_env(tmp_path, payload))
    assert pr is not None and pr.is_fork is False


@pytest.mark.parametrize("fork", [False, True])
def test_merged_variant(tmp_path: Path, fork: bool) -> None:
    payload = load_example("closed", merged=True, fork=fork)
    assert payload["pull_request"]["merged_at"]
    pr = load_pull_request_env(event_env(tmp_path, payload))
    assert pr is not None
    assert pr.action == "closed"
    assert pr.merged is True
    assert pr.is_fork is fork


def test_closed_unmerged_is_not_merged(tmp_path: Path) -> None:
    pr = load_pull_request_env(event_env(tmp_path, load_example("closed")))
    assert pr is not None and pr.merged is False


def test_every_real_pull_request_example_parses() -> None:
    payloads = examples("pull_request")
    assert len(payloads) >= 10
    for payload in payloads:
        pr = parse_pull_request(payload)
        assert pr.action == payload["action"]
        assert pr.head_sha == payload["pull_request"]["head"]["sha"]


def test_pull_request_is_frozen(tmp_path: Path) -> None:
    pr = load_pull_request_env(event_env(tmp_path, load_example("opened")))
    with pytest.raises(AttributeError):
        pr.number = 3  # type: ignore[misc, union-attr]


@pytest.mark.parametrize("event_name", ["push", "workflow_dispatch", "release", ""])
def test_non_pr_events_give_none(tmp_path: Path, event_name: str) -> None:
    env = {"GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(tmp_path / "missing.json")}
    assert load_pull_request_env(env) is None


def test_real_push_payload_gives_none(tmp_path: Path) -> None:
    assert load_pull_request_env(event_env(tmp_path, examples("push")[0], "push")) is None


def test_missing_event_path(tmp_path: Path) -> None:
    with pytest.raises(EventError, match="GITHUB_EVENT_PATH is not set"):
        load_pull_request_env({"GITHUB_EVENT_NAME": "pull_request"})


def test_event_file_does_not_exist(tmp_path: Path) -> None:
    env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(tmp_path / "nope.json")}
    with pytest.raises(EventError, match="does not exist"):
        load_pull_request_env(env)


def test_event_file_is_a_directory(tmp_path: Path) -> None:
    env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(tmp_path)}
    with pytest.raises(EventError, match="cannot read"):
        load_pull_request_env(env)


def test_event_file_not_json(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(EventError, match="not valid JSON"):
        load_pull_request_env({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(path)})


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p.pop("pull_request"), "pull_request is missing"),
        (lambda p: p["pull_request"]["head"].pop("sha"), "head.sha"),
        (lambda p: p["pull_request"]["base"].pop("repo"), "base.repo"),
        (lambda p: p.update(number="2") or p["pull_request"].update(number=None), "number"),
        (lambda p: p.pop("action"), "action"),
    ],
)
def test_malformed_payloads(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    payload = load_example("opened")
    mutate(payload)
    with pytest.raises(EventError, match=message):
        load_pull_request_env(event_env(tmp_path, payload))


def test_payload_not_an_object(tmp_path: Path) -> None:
    with pytest.raises(EventError, match="not a JSON object"):
        load_pull_request_env(event_env(tmp_path, [1, 2]))


def test_load_example_without_package_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "INDEX", tmp_path / "absent" / "index.json")
    webhooks._index.cache_clear()
    try:
        with pytest.raises(webhooks.WebhookExamplesMissing, match="npm ci"):
            load_example("opened")
    finally:
        webhooks._index.cache_clear()


def test_load_example_rejects_unknown_action_and_open_merge() -> None:
    with pytest.raises(KeyError, match="available"):
        load_example("teleported")
    with pytest.raises(ValueError, match="closed"):
        load_example("opened", merged=True)


def test_load_example_returns_independent_copies() -> None:
    first = load_example("opened", fork=True)
    second = load_example("opened")
    assert (
        first["pull_request"]["head"]["repo"]["full_name"]
        != second["pull_request"]["head"]["repo"]["full_name"]
    )
    assert json.dumps(second).count(webhooks.FORK_OWNER) == 0
