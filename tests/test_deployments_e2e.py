"""GitHub Deployments for previews (and production on request), the same-repository token check and
the comment that only counts its own author: the entrypoint run as the runner runs it on real
webhook payloads, against the Hub simulator and the fake GitHub REST API (PyGithub talks to it).

The fake refuses a deployment like GitHub does unless ``auto_merge`` is false and
``required_contexts`` is ``[]`` (the pull request's other checks are still pending), and answers
403 "Resource not accessible by integration" on ``GET /user`` for the workflow token.
"""

from __future__ import annotations

import pytest

from tests.conftest import GH_TOKEN, TOKEN, copy_example
from tests.fakes.github_api import BOT_LOGIN, FakeGitHub
from tests.webhooks import load_example

BASE_REPO = "Codertocat/Hello-World"
PREVIEW = "user/app-pr-2"  # the payloads are pull request #2
ENVIRONMENT = "hf-preview/app-pr-2"
APP_URL = "https://user-app-pr-2.hf.space"
RUN_URL = f"https://github.com/{BASE_REPO}/actions/runs/4242"
MARKER = "<!-- hf-deploy:preview:user/app -->"


def payload(action: str, *, sha: str | None = None, fork: bool = False) -> dict:
    event = load_example(action, fork=fork)
    if sha:
        event["pull_request"]["head"]["sha"] = sha
    return event


def run(action, gh, event: dict | None, inputs: dict | None = None, **kw):
    args = {"space": "user/app", "hf-token": TOKEN, "github-token": GH_TOKEN, **(inputs or {})}
    env = {"GITHUB_API_URL": gh.api_url, "GITHUB_REPOSITORY": BASE_REPO, **kw.pop("env", {})}
    if event and "pull_request" in event:
        gh.deliver(event)  # GitHub fires the event once the pull request is at its head
    result = action.run(args, event_name=kw.pop("event_name", "pull_request"), event=event, env=env)
    action.captured += [("comment", c["body"]) for c in gh.comments(BASE_REPO, 2)]
    return result


def states(gh, deployment: dict) -> list[str]:
    return [s["state"] for s in gh.statuses(deployment["id"])]


def github_writes(gh) -> list[str]:
    return [f"{r.method} {r.path}" for r in gh.requests if r.method != "GET"]


def test_open_creates_one_deployment_whose_success_links_the_app(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    sha = "a1" * 20
    result = run(action, gh, payload("opened", sha=sha)).assert_ok()
    assert result.warnings == [] and result.errors == []
    [deployment] = gh.deployments(BASE_REPO)
    assert deployment["environment"] == ENVIRONMENT and deployment["ref"] == sha
    assert deployment["transient_environment"] is True
    assert deployment["production_environment"] is False
    assert deployment["payload"].get("space") == PREVIEW
    assert states(gh, deployment) == ["in_progress", "success"]
    success = gh.statuses(deployment["id"])[-1]
    assert success["environment_url"] == APP_URL == result.outputs["app-url"]
    assert success["log_url"] == RUN_URL
    assert result.outputs["deployment-id"] == str(deployment["id"])
    assert result.outputs["environment"] == ENVIRONMENT
    assert gh.environments(BASE_REPO) == [ENVIRONMENT]


def test_synchronize_deploys_again_into_the_same_environment(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    shas = ["a1" * 20, "b2" * 20]
    first = run(action, gh, payload("opened", sha=shas[0])).assert_ok()
    app = action.workspace / "app.py"
    app.write_text(app.read_text() + "\n# change\n")
    second = run(action, gh, payload("synchronize", sha=shas[1])).assert_ok()
    assert gh.environments(BASE_REPO) == [ENVIRONMENT]  # no pile of environments
    deployments = gh.deployments(BASE_REPO, ENVIRONMENT)
    assert [d["ref"] for d in deployments] == shas
    assert states(gh, deployments[-1]) == ["in_progress", "success"]
    assert second.outputs["deployment-id"] == str(deployments[-1]["id"])
    assert second.outputs["deployment-id"] != first.outputs["deployment-id"]


def test_close_marks_the_preview_deployments_inactive(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    run(action, gh, payload("opened", sha="a1" * 20)).assert_ok()
    run(action, gh, payload("synchronize", sha="b2" * 20)).assert_ok()
    result = run(action, gh, payload("closed")).assert_ok()
    assert hub.repo(PREVIEW) is None and result.outputs["deleted"] == "true"
    deployments = gh.deployments(BASE_REPO, ENVIRONMENT)
    assert len(deployments) == 2  # the close creates no deployment of its own
    assert all(states(gh, d)[-1] == "inactive" for d in deployments)
    assert result.outputs["deployment-id"] == str(deployments[-1]["id"])
    assert result.warnings == [] and result.errors == []


def test_failed_build_ends_the_deployment_in_failure(action, hub, gh):
    copy_example("docker-fastapi", action.workspace)
    dockerfile = action.workspace / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "\nRUN false\n")
    result = run(action, gh, payload("opened"), {"app-port": "8000"})
    assert result.returncode == 1 and len(result.errors) == 1
    [deployment] = gh.deployments(BASE_REPO)
    assert states(gh, deployment) == ["in_progress", "failure"]
    assert gh.statuses(deployment["id"])[-1]["log_url"] == RUN_URL
    assert result.outputs["deployment-id"] == str(deployment["id"])


@pytest.mark.parametrize("permission", ["none", "read"])
def test_without_deployments_write_one_warning_and_the_deploy_is_green(action, hub, permission):
    copy_example("gradio-hello", action.workspace)
    with FakeGitHub(token=GH_TOKEN, deployments=permission) as gh:
        result = run(action, gh, payload("opened")).assert_ok()
        assert len(result.warnings) == 1, result.warnings
        assert "deployments: write" in result.warnings[0] and "403" in result.warnings[0]
        assert hub.repo(PREVIEW).head == result.outputs["commit-sha"]
        assert result.outputs["stage"] == "RUNNING" and result.outputs["deployment-id"] == ""
        assert "Preview is running" in gh.comments(BASE_REPO, 2)[0]["body"]
        closed = run(action, gh, payload("closed")).assert_ok()
        # can it list the environment's deployments? with read, yes: none to deactivate
        assert len(closed.warnings) == (permission == "none") and hub.repo(PREVIEW) is None


def test_deployment_false_creates_none(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    result = run(action, gh, payload("opened"), {"github-deployment": "false"}).assert_ok()
    assert gh.deployments(BASE_REPO) == [] and result.outputs["deployment-id"] == ""
    assert not any("/deployments" in w for w in github_writes(gh))


def test_environment_input_names_the_preview_environment(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    result = run(action, gh, payload("opened"), {"environment": "review/pr-{number}"}).assert_ok()
    assert gh.environments(BASE_REPO) == ["review/pr-2"]
    assert result.outputs["environment"] == "review/pr-2"


def test_a_preview_environment_without_the_number_is_an_input_error(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    result = run(action, gh, payload("opened"), {"environment": "preview"})
    assert result.returncode == 1 and len(result.errors) == 1
    assert "environment" in result.errors[0] and "{number}" in result.errors[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert hub.repo(PREVIEW) is None and gh.deployments(BASE_REPO) == []


def test_production_deploy_gets_a_deployment_when_asked(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    push = {"ref": "refs/heads/main"}
    plain = run(action, gh, push, event_name="push").assert_ok()
    assert gh.requests == [] and plain.outputs.get("deployment-id", "") == ""
    result = run(
        action,
        gh,
        push,
        {"github-deployment": "true"},
        event_name="push",
        env={"GITHUB_SHA": "c" * 40},
    ).assert_ok()
    [deployment] = gh.deployments(BASE_REPO)
    assert deployment["environment"] == "hf-space/app" and deployment["ref"] == "c" * 40
    assert deployment["production_environment"] is True
    assert deployment["transient_environment"] is False
    assert states(gh, deployment) == ["in_progress", "success"]
    assert gh.statuses(deployment["id"])[-1]["environment_url"] == "https://user-app.hf.space"
    assert result.outputs["deployment-id"] == str(deployment["id"])


# --- the token of a same-repository pull request ---------------------------------------------


def test_same_repository_pr_without_hf_token_fails_naming_the_secret(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    hub.counters.reset()
    result = run(action, gh, payload("opened"), {"hf-token": ""})
    assert result.returncode == 1
    assert len(result.errors) == 1 and "HF_TOKEN" in result.errors[0]
    assert "hf-token" in result.errors[0]
    assert result.notices == [] and "Traceback" not in result.stdout + result.stderr
    assert sum(hub.counters.requests.values()) == 0  # no Hub request at all, so no write
    assert github_writes(gh) == []


def test_fork_pr_without_hf_token_keeps_the_notice(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    hub.counters.reset()
    result = run(action, gh, payload("opened", fork=True), {"hf-token": ""}).assert_ok()
    assert len(result.notices) == 1 and "hf-token" in result.notices[0]
    assert result.errors == [] and sum(hub.counters.requests.values()) == 0
    assert gh.requests == []


def test_dependabot_pr_without_hf_token_is_skipped_like_a_fork(action, hub, gh):
    """Dependabot's runs get Dependabot secrets only: same repository, yet no HF_TOKEN."""
    copy_example("gradio-hello", action.workspace)
    result = run(
        action, gh, payload("opened"), {"hf-token": ""}, env={"GITHUB_ACTOR": "dependabot[bot]"}
    ).assert_ok()
    assert len(result.notices) == 1 and "Dependabot" in result.notices[0]
    assert result.errors == [] and gh.requests == []


# --- whose comment counts ----------------------------------------------------------------------


def test_a_strangers_marker_comment_is_left_alone_and_ours_is_posted(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    bait = f"{MARKER}\nI put your marker here, edit me!"
    stranger = gh.add_comment(BASE_REPO, 2, bait, login="mallory")
    result = run(action, gh, payload("opened")).assert_ok()
    run(action, gh, payload("synchronize", sha="b2" * 20)).assert_ok()
    assert result.warnings == []
    comments = gh.comments(BASE_REPO, 2)
    assert comments[0]["id"] == stranger["id"] and comments[0]["body"] == bait
    ours = comments[1:]
    assert len(ours) == 1 and ours[0]["user"]["login"] == BOT_LOGIN
    assert MARKER in ours[0]["body"] and "Preview is running" in ours[0]["body"]
    edits = [w for w in github_writes(gh) if w.startswith("PATCH")]
    assert set(edits) == {f"PATCH /repos/{BASE_REPO}/issues/comments/{ours[0]['id']}"}


def test_with_a_personal_token_its_own_login_counts(action, hub):
    """A PAT's comments are written by its user: GET /user names it; the bot's old comment is not ours."""
    copy_example("gradio-hello", action.workspace)
    with FakeGitHub(token=GH_TOKEN, token_kind="user", login="octocat") as gh:
        bot = gh.add_comment(BASE_REPO, 2, f"{MARKER}\nold", login=BOT_LOGIN)
        mine = gh.add_comment(BASE_REPO, 2, f"{MARKER}\nmine", login="octocat")
        run(action, gh, payload("opened")).assert_ok()
        comments = {c["id"]: c["body"] for c in gh.comments(BASE_REPO, 2)}
        assert comments[bot["id"]] == f"{MARKER}\nold" and len(comments) == 2
        assert "Preview is running" in comments[mine["id"]]
