"""The head a sticky comment describes (github.heads), and GitHub's current head of the pull
request as PullHead reads it from the fake GitHub API: moved on, still ours, or unreadable."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from github import Auth, Github

from hf_action.github.comment import CommentState, render
from hf_action.github.heads import PullHead, described_head, head_marker
from tests.fakes.github_api import FakeGitHub

OURS = "0123456789abcdef0123456789abcdef01234567"
OTHER = "fedcba9876543210fedcba9876543210fedcba98"
REPO = "octo/app"


def test_head_marker_round_trips_the_full_head_in_lower_case() -> None:
    assert head_marker(OURS) == f"<!-- hf-deploy:head:{OURS} -->"
    assert described_head(f"text\n{head_marker(OURS.upper())}\n") == OURS
    assert described_head(f"text\r\n{head_marker(OURS)}\r\n\r\n") == OURS  # GitHub's line ends


@pytest.mark.parametrize("sha", ["", "main", "0123 56", "abc123", "g" * 40, "a" * 65])
def test_no_marker_for_what_is_not_a_commit_id(sha: str) -> None:
    assert head_marker(sha) == ""


def test_a_comment_without_a_marker_describes_no_head() -> None:
    assert described_head("") is None
    assert described_head("### ✅ Preview is running\n\n| | |\n") is None


def test_a_marker_above_the_last_line_does_not_count() -> None:
    assert described_head(f"{head_marker(OTHER)}\nlater text\n") is None
    assert described_head(f"{head_marker(OTHER)}\n{head_marker(OURS)}\n") == OURS


def test_a_log_line_shaped_like_a_marker_cannot_pose_as_the_head() -> None:
    """The build log is the app's output: its last line may be a marker naming another head."""
    state = CommentState(
        status="failed",
        space_id="user/app-pr-2",
        space_url="https://huggingface.co/spaces/user/app-pr-2",
        app_url=None,
        head_sha=OURS,
        hub_commit_url=None,
        stage="RUNTIME_ERROR",
        updated_at=datetime(2024, 5, 6, tzinfo=UTC),
        log_tail=f"Traceback\n{head_marker(OTHER)}\n",
    )
    body = render(state)
    assert head_marker(OTHER) in body  # the log shows it, fenced
    assert described_head(body) == OURS
    assert body.rstrip("\n").endswith(head_marker(OURS))


@pytest.fixture
def github() -> Iterator[tuple[FakeGitHub, Github]]:
    with FakeGitHub(token="t") as fake:
        client = Github(auth=Auth.Token("t"), base_url=fake.api_url, lazy=True, retry=0)
        yield fake, client
        client.close()


def test_the_head_moved_on_is_the_pull_requests_current_head(github) -> None:
    fake, client = github
    fake.set_pull(REPO, 7, head=OTHER)
    head = PullHead(REPO, 7, OURS)
    assert head.moved_on(client) == OTHER
    fake.set_pull(REPO, 7, head=OURS)
    assert head.moved_on(client) is None
    assert PullHead(REPO, 7, OURS.upper()).moved_on(client) is None
    assert head.unread is None


def test_a_head_that_cannot_be_read_counts_as_ours_and_keeps_why(github) -> None:
    fake, client = github
    fake.set_pull(REPO, 7, head=OTHER)
    fake.pulls_permission = "none"
    head = PullHead(REPO, 7, OURS)
    assert head.moved_on(client) is None
    assert head.unread == "HTTP 403: Resource not accessible by integration"
    fake.fail_status = 502
    head.moved_on(client)
    assert head.unread == "HTTP 403: Resource not accessible by integration"  # the first reason


class _Refusing:
    """A client whose every call is refused with ``data`` as the body (GitHub's front end answers
    some 5xx without a JSON message)."""

    def __init__(self, status: int, data: object) -> None:
        self.status, self.data = status, data

    def get_repo(self, name: str) -> object:
        from github import GithubException

        raise GithubException(self.status, self.data)


def test_why_a_head_was_not_read_names_the_refusal_or_the_network_error() -> None:
    bare = PullHead(REPO, 7, OURS)
    assert bare.moved_on(_Refusing(502, None)) is None  # type: ignore[arg-type]  # a stub client
    assert bare.unread == "HTTP 502"  # no dangling ": " when GitHub gave no message
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = Github(auth=Auth.Token("t"), base_url=f"http://127.0.0.1:{port}", retry=0, timeout=5)
    offline = PullHead(REPO, 7, OURS)
    assert offline.moved_on(client) is None
    assert offline.unread is not None and offline.unread.startswith("ConnectionError: ")
    client.close()


def test_a_newer_run_is_a_record_of_the_current_head_once_the_pull_request_moved_on(github) -> None:
    fake, client = github
    asked: list[str] = []

    def recorded(*heads: str):
        def read() -> list[str]:
            asked.append("read")
            return list(heads)

        return read

    fake.set_pull(REPO, 7, head=OURS)
    head = PullHead(REPO, 7, OURS)
    assert head.newer_run(client, recorded(OTHER)) is None and asked == []  # still ours: no read
    fake.set_pull(REPO, 7, head=OTHER)
    assert head.newer_run(client, recorded(OURS, "1" * 40)) is None  # no run of OTHER reported
    assert head.newer is None and asked == ["read"]
    assert head.newer_run(client, recorded(OURS, OTHER.upper())) == OTHER == head.newer
    fake.set_pull(REPO, 7, head=OURS)  # remembered for the run: the records are left to it
    assert head.newer_run(client, recorded()) == OTHER
