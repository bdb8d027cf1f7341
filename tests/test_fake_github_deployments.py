"""The fake GitHub's Deployments, identity and pull-request state, driven through PyGithub as the
action drives them, so the end-to-end tests stand on a fake that answers like GitHub does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from github import Auth, Github, GithubException

from tests.fakes.github_api import BOT_LOGIN, FakeGitHub
from tests.webhooks import examples

TOKEN = "ghs_fakeDeployToken0123456789abcdef"
REPO = "octo/app-repo"
SHA = "ab" * 20


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN, base_path="/api/v3") as server:
        yield server


def client(fake: FakeGitHub) -> Github:
    return Github(
        auth=Auth.Token(TOKEN),
        base_url=fake.api_url,
        retry=0,
        per_page=2,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )


def create(fake: FakeGitHub, environment: str = "hf-preview/app-pr-7", **extra: object):
    repo = client(fake).get_repo(REPO)
    options = {"auto_merge": False, "required_contexts": [], "transient_environment": True}
    options.update(extra)
    return repo.create_deployment(SHA, environment=environment, **options)  # type: ignore[arg-type]


def test_deployment_and_status_shapes_match_the_webhook_examples(fake: FakeGitHub) -> None:
    deployment = create(fake, payload={"space": "user/app-pr-7"})
    status = deployment.create_status(
        "success", environment_url="https://user-app-pr-7.hf.space", target_url="https://log"
    )
    sample = next(e for e in examples("deployment_status") if "log_url" in e["deployment_status"])
    ours_d = fake.deployments(REPO)[0]
    ours_s = fake.statuses(deployment.id)[0]
    assert set(sample["deployment"]) <= set(ours_d)
    assert set(sample["deployment_status"]) <= set(ours_s)
    assert deployment.environment == "hf-preview/app-pr-7" and deployment.transient_environment
    assert deployment.production_environment is False and deployment.payload == {
        "space": "user/app-pr-7"
    }
    assert deployment.creator.login == BOT_LOGIN and deployment.sha == SHA
    assert status.state == "success" and status.environment_url == "https://user-app-pr-7.hf.space"
    assert ours_s["log_url"] == ours_s["target_url"] == "https://log"
    assert fake.environments(REPO) == ["hf-preview/app-pr-7"]


def test_auto_merge_and_required_contexts_are_refused_like_github(fake: FakeGitHub) -> None:
    repo = client(fake).get_repo(REPO)
    with pytest.raises(GithubException) as merge:
        repo.create_deployment(SHA, environment="e", required_contexts=[])
    assert merge.value.status == 409 and "Conflict merging" in merge.value.data["message"]
    with pytest.raises(GithubException) as checks:
        repo.create_deployment(SHA, environment="e", auto_merge=False)
    assert checks.value.status == 409 and "status checks failed" in checks.value.data["message"]
    assert fake.deployments(REPO) == []


def test_list_by_environment_newest_first_and_statuses(fake: FakeGitHub) -> None:
    first = create(fake)
    create(fake, environment="other")
    second = create(fake)
    repo = client(fake).get_repo(REPO)
    listed = [d.id for d in repo.get_deployments(environment="hf-preview/app-pr-7")]
    assert listed == [second.id, first.id]
    for state in ("in_progress", "failure", "inactive"):
        first.create_status(state)
    assert [s.state for s in first.get_statuses()] == ["inactive", "failure", "in_progress"]
    with pytest.raises(GithubException) as bad:
        first.create_status("exploded")
    assert bad.value.status == 422
    assert sorted(fake.environments(REPO)) == ["hf-preview/app-pr-7", "other"]


def test_auto_inactive_spares_transient_environments(fake: FakeGitHub) -> None:
    old, new = create(fake), create(fake)
    old.create_status("success")
    new.create_status("success")
    assert [s["state"] for s in fake.statuses(old.id)] == ["success"]
    kept, newer = (
        create(fake, "staging", transient_environment=False),
        create(fake, "staging", transient_environment=False),
    )
    kept.create_status("success")
    newer.create_status("success")
    assert [s["state"] for s in fake.statuses(kept.id)] == ["success", "inactive"]


@pytest.mark.parametrize("permission", ["none", "read"])
def test_without_deployments_write_github_answers_403(permission: str) -> None:
    with FakeGitHub(token=TOKEN, deployments=permission) as fake:
        with pytest.raises(GithubException) as denied:
            create(fake)
        assert denied.value.status == 403
        assert denied.value.data["message"] == "Resource not accessible by integration"
        listing = client(fake).get_repo(REPO).get_deployments()
        if permission == "read":
            assert list(listing) == []
        else:
            with pytest.raises(GithubException):
                list(listing)


def test_get_user_is_403_for_an_installation_token_and_the_login_for_a_pat() -> None:
    with FakeGitHub(token=TOKEN) as fake:
        with pytest.raises(GithubException) as denied:
            _ = client(fake).get_user().login
        assert denied.value.status == 403
    with FakeGitHub(token=TOKEN, token_kind="user", login="octocat") as fake:
        assert client(fake).get_user().login == "octocat"
        comment = client(fake).get_repo(REPO).get_issue(3).create_comment("hi")
        assert comment.user.login == "octocat"


def test_pull_state_listing_and_lookup(fake: FakeGitHub) -> None:
    for number in (1, 2, 3):
        fake.set_pull(REPO, number, "closed", merged=number == 2)
    fake.set_pull(REPO, 4, "open")
    fake.set_pull(REPO, 5, None)
    repo = client(fake).get_repo(REPO)
    assert [p.number for p in repo.get_pulls(state="closed")] == [3, 2, 1]  # paginated by 2
    assert [p.number for p in repo.get_pulls(state="open")] == [4]
    assert repo.get_pull(2).merged and repo.get_pull(1).state == "closed"
    assert repo.get_pull(99).state == "open"  # never set: an open pull request
    with pytest.raises(GithubException) as missing:
        repo.get_pull(5)
    assert missing.value.status == 404
