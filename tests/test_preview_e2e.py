"""Pull-request previews, end to end: the entrypoint run as the runner runs it on real webhook
payloads, against the Hub simulator and a fake GitHub REST API (PyGithub really talks to it).

`deleted` on a close: the preview is deleted idempotently, so `deleted=true` means "the preview
Space no longer exists after this run", also when it never existed (a notice says "nothing to
delete"); no comment is created for a preview that never had one.
"""

from __future__ import annotations

import pytest

from hf_action.preview import MAX_HOST_LABEL, is_valid_repo_name
from tests.conftest import GH_TOKEN, TOKEN, copy_example, hub_writes
from tests.fakes.github_api import FakeGitHub
from tests.test_preview_naming import host_label
from tests.webhooks import load_example

BASE_REPO = "Codertocat/Hello-World"
MERGE_SHA = "9" * 40  # GITHUB_SHA of a PR run is the merge ref, not the head
PREVIEW = "user/app-pr-2"  # the payloads are pull request #2


def payload(
    action: str, *, sha: str | None = None, fork: bool = False, merged: bool = False
) -> dict:
    event = load_example(action, fork=fork, merged=merged)
    if sha:
        event["pull_request"]["head"]["sha"] = sha
    return event


def run_pr(
    action, gh, event: dict, inputs: dict | None = None, *, event_name: str = "pull_request"
):
    args = {"space": "user/app", "hf-token": TOKEN, "github-token": GH_TOKEN, **(inputs or {})}
    env = {"GITHUB_API_URL": gh.api_url, "GITHUB_REPOSITORY": BASE_REPO, "GITHUB_SHA": MERGE_SHA}
    if event and "pull_request" in event:
        gh.deliver(event)  # GitHub fires the event once the pull request is at its head
    result = action.run(args, event_name=event_name, event=event, env=env)
    # Scanned by the leak guard: the comment, and each Deployment with its statuses.
    action.captured += [("comment", c["body"]) for c in gh.comments(BASE_REPO, 2)]
    for d in gh.deployments(BASE_REPO):
        action.captured += [("deployment", str(d))]
        action.captured += [("deployment status", str(st)) for st in gh.statuses(d["id"])]
    return result


def comment_body(gh) -> str:
    comments = gh.comments(BASE_REPO, 2)
    assert len(comments) == 1, [c["body"][:80] for c in comments]
    return comments[0]["body"]


def writes(gh) -> list[str]:
    """Writes to the PR's comments (the deployments are tests/test_deployments_e2e.py's)."""
    return [r.method for r in gh.requests if r.method != "GET" and "/comments" in r.path]


def test_opened_deploys_the_head_to_the_preview_space_only(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    result = run_pr(action, gh, payload("opened")).assert_ok()
    repo = hub.repo(PREVIEW)
    assert repo is not None and repo.sdk == "gradio"
    for name in ("app.py", "requirements.txt"):
        assert repo.files[name].content == (action.workspace / name).read_bytes()
    assert result.outputs["preview"] == "true" and result.outputs["deleted"] == "false"
    assert result.outputs["space-id"] == PREVIEW and result.outputs["stage"] == "RUNNING"
    assert result.outputs["app-url"] == "https://user-app-pr-2.hf.space"
    assert result.outputs["commit-sha"] == repo.head
    assert hub.repo("user/app") is None
    assert result.errors == [] and result.warnings == []
    # The commit names the pull request's head, not the merge commit the workflow runs on.
    head = payload("opened")["pull_request"]["head"]["sha"]
    assert head != MERGE_SHA and repo.commits[-1].title == f"Deploy {BASE_REPO}@{head[:7]}"


def test_synchronize_edits_one_sticky_comment_with_the_pr_head(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    shas = ["a1" * 20, "b2" * 20, "c3" * 20]
    run_pr(action, gh, payload("opened", sha=shas[0])).assert_ok()
    assert "Preview is running" in comment_body(gh)
    app = action.workspace / "app.py"
    for n, sha in enumerate(shas[1:], 1):
        app.write_text(app.read_text() + f"\n# change {n}\n")
        run_pr(action, gh, payload("synchronize", sha=sha)).assert_ok()
        assert hub.repo(PREVIEW).files["app.py"].content == app.read_bytes()
    assert writes(gh).count("POST") == 1 and writes(gh)[0] == "POST"
    assert set(writes(gh)[1:]) == {"PATCH"}
    assert all(  # and /user: whose marker comment is ours
        r.path.startswith("/repos/Codertocat/Hello-World") or r.path == "/user" for r in gh.requests
    )
    body = comment_body(gh)
    assert "✅ Preview is running" in body and "<!-- hf-deploy:preview:user/app -->" in body
    assert "https://user-app-pr-2.hf.space" in body and f"{hub.url}/spaces/{PREVIEW}" in body
    assert f"`{shas[2][:7]}`" in body and shas[1][:7] not in body and MERGE_SHA[:7] not in body
    commit = hub.repo(PREVIEW).commits[-1]
    assert (
        shas[2] in commit.title + commit.message and MERGE_SHA not in commit.title + commit.message
    )
    assert commit.oid in body  # the Hub commit link


@pytest.mark.parametrize("merged", [True, False], ids=["merged", "not-merged"])
def test_closed_deletes_the_preview_and_marks_the_comment_removed(action, hub, gh, merged):
    copy_example("gradio-hello", action.workspace)
    run_pr(action, gh, payload("opened")).assert_ok()
    assert hub.repo(PREVIEW) is not None
    result = run_pr(action, gh, payload("closed", merged=merged)).assert_ok()
    assert hub.repo(PREVIEW) is None
    assert result.outputs["deleted"] == "true" and result.outputs["preview"] == "true"
    assert result.outputs["space-id"] == PREVIEW
    body = comment_body(gh)
    assert "Preview removed" in body and f"`{PREVIEW}` was deleted" in body
    assert "hf.space" not in body  # no link to an app that is gone
    assert writes(gh).count("POST") == 1
    assert result.errors == []


def test_close_of_a_preview_that_never_existed(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    result = run_pr(action, gh, payload("closed")).assert_ok()
    assert result.errors == [] and result.warnings == []
    assert (
        result.outputs["deleted"] == "true"
    )  # idempotent: the preview is gone (see the module docstring)
    assert any("nothing to delete" in n for n in result.notices)
    assert hub.repo(PREVIEW) is None and hub_writes(hub) == []
    assert (
        gh.comments(BASE_REPO, 2) == []
    )  # nothing to report: no comment is created just to say "removed"


def test_fork_pr_without_hf_token_is_skipped_with_a_notice(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    hub.counters.reset()
    result = run_pr(action, gh, payload("opened", fork=True), {"hf-token": ""}).assert_ok()
    assert len(result.notices) == 1 and "hf-token" in result.notices[0]
    assert result.errors == [] and result.warnings == []
    assert sum(hub.counters.requests.values()) == 0
    assert gh.requests == [] and gh.comments(BASE_REPO, 2) == []
    assert result.outputs.get("preview") == "false"


def test_long_space_name_gives_a_valid_preview_id(action, hub, gh):
    copy_example("static-site", action.workspace)
    long_name = "a-very-long-space-name-for-the-preview-of-this-pull-request-x" + "y" * 30
    result = run_pr(action, gh, payload("opened"), {"space": f"user/{long_name}"}).assert_ok()
    space_id = result.outputs["space-id"]
    owner, name = space_id.split("/")
    assert owner == "user" and is_valid_repo_name(name) and name.endswith("-pr-2")
    assert len(host_label(space_id)) <= MAX_HOST_LABEL
    assert hub.repo(space_id) is not None and result.outputs["stage"] == "RUNNING"
    assert space_id in comment_body(gh)


def test_forbidden_comment_warns_but_the_deploy_is_green(action, hub):
    copy_example("gradio-hello", action.workspace)
    with FakeGitHub(token=GH_TOKEN, forbid_comments=True) as gh:
        result = run_pr(action, gh, payload("opened")).assert_ok()
        assert gh.comments(BASE_REPO, 2) == []
    assert hub.repo(PREVIEW).head == result.outputs["commit-sha"]
    assert result.errors == []
    assert (
        len(result.warnings) == 1
        and "403" in result.warnings[0]
        and "pull-requests: write" in result.warnings[0]
    )


def test_failing_preview_build_fails_and_the_comment_shows_the_log(action, hub, gh):
    copy_example("docker-fastapi", action.workspace)
    dockerfile = action.workspace / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "\nRUN false\n")
    result = run_pr(action, gh, payload("opened"), {"app-port": "8000"})
    assert result.returncode == 1 and len(result.errors) == 1 and "BUILD_ERROR" in result.errors[0]
    assert result.outputs["stage"] == "BUILD_ERROR" and result.outputs["preview"] == "true"
    body = comment_body(gh)
    assert "❌ Preview failed" in body and "BUILD_ERROR" in body
    assert "<summary>Build log" in body and "RUN false" in body


def test_preview_false_deploys_the_main_space(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    result = run_pr(action, gh, payload("opened"), {"preview": "false"}).assert_ok()
    assert result.outputs["space-id"] == "user/app" and result.outputs["preview"] == "false"
    assert hub.repo("user/app") is not None and hub.repo(PREVIEW) is None
    assert gh.comments(BASE_REPO, 2) == []


def test_preview_true_on_a_push_is_an_input_error(action, hub):
    copy_example("gradio-hello", action.workspace)
    result = action.run(
        {"space": "user/app", "hf-token": TOKEN, "preview": "true"},
        event_name="push",
        event={"ref": "refs/heads/main"},
    )
    assert result.returncode == 1
    assert len(result.errors) == 1 and "preview" in result.errors[0]
    assert hub.repo("user/app") is None and sum(hub.counters.requests.values()) == 0


def test_labeled_does_nothing(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    hub.counters.reset()
    result = run_pr(action, gh, payload("labeled")).assert_ok()
    assert len(result.notices) == 1 and "labeled" in result.notices[0]
    assert result.errors == [] and result.warnings == []
    assert sum(hub.counters.requests.values()) == 0 and gh.requests == []


def test_pull_request_target_works_like_pull_request(action, hub, gh):
    copy_example("static-site", action.workspace)
    result = run_pr(action, gh, payload("reopened"), event_name="pull_request_target").assert_ok()
    assert result.outputs["space-id"] == PREVIEW and hub.repo(PREVIEW) is not None
    assert "Preview is running" in comment_body(gh)


def test_a_deploy_error_after_the_comment_marks_it_failed(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    result = run_pr(
        action, gh, payload("opened"), {"preview-hardware": "t4-small"}
    )  # paid hardware, no plan: 402
    assert result.returncode == 1 and len(result.errors) == 1 and "402" in result.errors[0]
    body = comment_body(gh)
    assert "❌ Preview failed" in body and "402" in body and "building" not in body


def test_close_needs_no_checkout_of_the_app_folder(action, hub, gh):
    """The cleanup job of a closed PR usually has no checkout: path and card must not matter."""
    copy_example("gradio-hello", action.workspace)
    run_pr(action, gh, payload("opened")).assert_ok()
    result = run_pr(
        action, gh, payload("closed"), {"path": "app-not-checked-out", "card": "README_HF.md"}
    )
    assert result.returncode == 0, result.stdout
    assert result.outputs["deleted"] == "true" and hub.repo(PREVIEW) is None


def test_an_impossible_preview_name_template_is_an_input_error(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    result = run_pr(action, gh, payload("opened"), {"preview-name": "{name}/pr-{number}"})
    assert result.returncode == 1 and len(result.errors) == 1
    assert "Input 'preview-name'" in result.errors[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert hub.counters.requests == {}  # refused at the front door: not one request to the Hub
