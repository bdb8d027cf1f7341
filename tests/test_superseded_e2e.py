"""A commit that another writer lands on top of ours during the build watch: the run stops at
once with `stage: SUPERSEDED` and exit code 1, names the newer commit and its author, never says
ours runs; the PR comment and the GitHub Deployment report it too. The entrypoint runs as the
runner runs it, against hubsim and the fake GitHub API."""

from __future__ import annotations

import time

import pytest

from hubsim import LifecycleTimings
from tests.conftest import GH_TOKEN, TOKEN, copy_example
from tests.webhooks import load_example

BASE_REPO = "Codertocat/Hello-World"
PREVIEW = "user/app-pr-2"  # the payloads are pull request #2


def _land_during_the_watch(hub, space_id: str) -> None:
    """At the watch's first poll (a Space info with the runtime), another writer commits 0.3 s
    later, while our build still waits behind the previous one."""
    hub.settings.lifecycle = LifecycleTimings(stale=5.0, building=5.0, starting=1.0)
    hub.faults.add(
        method="GET",
        path=rf"^/api/spaces/{space_id}$",
        query=r"expand=runtime",
        before=lambda: hub.commit_later(space_id, 0.3, author="someone-else"),
    )


@pytest.mark.parametrize("shape", ["absent", "shown"])
def test_a_superseded_deploy_stops_at_once_and_says_by_whom(action, hub, shape):
    hub.settings.variants.sha = shape
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/raced", "hf-token": TOKEN}).assert_ok()
    (action.workspace / "app.py").write_text(
        "print('v2')\n" + (action.workspace / "app.py").read_text()
    )
    _land_during_the_watch(hub, "user/raced")
    started = time.monotonic()
    result = action.run({"space": "user/raced", "hf-token": TOKEN, "timeout": "60s"})
    took = time.monotonic() - started
    repo = hub.repo("user/raced")
    ours, newer = result.outputs["commit-sha"], repo.head
    assert result.returncode == 1 and result.outputs["stage"] == "SUPERSEDED"
    assert ours != newer and repo.commits[-2].oid == ours  # theirs on top of ours
    assert result.errors == [
        f"::error title=Space SUPERSEDED::Superseded: {newer[:7]} by someone-else replaced our"
        f" commit {ours[:7]} as the Space's head during the build watch; the Space will run"
        f" {newer[:7]}, not {ours[:7]}. Let one deploy to a Space run at a time (a workflow"
        " `concurrency` group per Space); if the newer commit is meant to win, nothing needs doing."
    ]
    assert "Evidence: the build log" not in result.stdout  # no verdict on a build was claimed
    assert "SUPERSEDED" in result.summary and took < 15  # stopped at once, not at the timeout


def test_a_superseded_preview_says_so_in_the_comment_and_the_deployment(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    event = load_example("opened")
    event["pull_request"]["head"]["sha"] = "a1" * 20
    args = {"space": "user/app", "hf-token": TOKEN, "github-token": GH_TOKEN}
    env = {"GITHUB_API_URL": gh.api_url, "GITHUB_REPOSITORY": BASE_REPO}
    hub.create_repo(PREVIEW, sdk="gradio")
    _land_during_the_watch(hub, PREVIEW)
    result = action.run(args, event_name="pull_request", event=event, env=env)
    [comment] = gh.comments(BASE_REPO, 2)
    action.captured += [("comment", comment["body"])]
    newer = hub.repo(PREVIEW).head[:7]
    assert result.returncode == 1 and result.outputs["stage"] == "SUPERSEDED"
    assert "Preview failed" in comment["body"] and "`SUPERSEDED`" in comment["body"]
    assert f"Superseded: {newer} by someone-else replaced our commit" in comment["body"]
    [deployment] = gh.deployments(BASE_REPO)
    assert [s["state"] for s in gh.statuses(deployment["id"])] == ["in_progress", "failure"]
