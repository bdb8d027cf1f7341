"""Two runs of one pull request that overlap (two pushes in quick succession, no `concurrency` in
the workflow): the older run, reporting late, leaves the sticky comment and the Deployment as the
newer run wrote them. Both are real runs of the entrypoint against hubsim and the fake GitHub API;
the fake's `on_request` holds the older run's first report request while the newer run goes ahead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from hf_action.github.heads import described_head
from tests.action_runner import ActionResult
from tests.conftest import GH_TOKEN, TOKEN, copy_example
from tests.fakes.github_api import Recorded
from tests.webhooks import load_example

BASE_REPO = "Codertocat/Hello-World"
ENVIRONMENT = "hf-preview/app-pr-2"  # the payloads are pull request #2
PREVIEW = "user/app-pr-2"
COMMENTS = f"/repos/{BASE_REPO}/issues/2/comments"
FIRST, OLDER, NEWER = "c3" * 20, "a1" * 20, "b2" * 20
SUPERSEDED = "::notice title=Superseded by a newer run::"
UNCHECKED = "::notice title=Newer run not checked::"
HOLD_SECONDS = 120  # a bound: a run that never comes back fails the test, it does not hang it


def run_pr(
    action, gh, action_name: str, sha: str, *, deliver: bool = True, **inputs: str
) -> ActionResult:
    """A run of the event at head ``sha``; ``deliver=False``: the pull request is elsewhere by now
    (a re-run of an old run, or a run queued behind newer pushes)."""
    event = load_example(action_name)
    event["pull_request"]["head"]["sha"] = sha
    if deliver:
        gh.deliver(event)  # GitHub fires the event once the pull request is at its head
    args = {"space": "user/app", "hf-token": TOKEN, "github-token": GH_TOKEN, **inputs}
    env = {"GITHUB_API_URL": gh.api_url, "GITHUB_REPOSITORY": BASE_REPO}
    return action.run(args, event_name="pull_request", event=event, env=env)


def change_app(action, n: int) -> None:
    app = action.workspace / "app.py"
    app.write_text(app.read_text() + f"\n# change {n}\n")


def comment_body(action, gh) -> str:
    comments = gh.comments(BASE_REPO, 2)
    action.captured += [("comment", c["body"]) for c in comments]  # scanned by the leak guard
    assert len(comments) == 1, [c["body"][:80] for c in comments]
    return str(comments[0]["body"])


def deployment_states(gh) -> list[tuple[str, list[str]]]:
    """Each deployment's head and statuses, oldest first."""
    deployments = gh.deployments(BASE_REPO, ENVIRONMENT)
    return [(d["ref"], [s["state"] for s in gh.statuses(d["id"])]) for d in deployments]


class HoldReport:
    """Holds the first request after the run's "building" comment (its first report request,
    whatever it is) until ``release``; the deploy and the watch talk to the Hub only."""

    def __init__(self) -> None:
        self.armed = self.done = False
        self.held, self.release = threading.Event(), threading.Event()

    def __call__(self, request: Recorded) -> None:
        if self.done:
            return
        if self.armed:
            self.done = True
            self.held.set()
            self.release.wait(HOLD_SECONDS)
        elif request.method == "POST" and request.path == COMMENTS:
            self.armed = True


def in_thread(fn: Callable[[], ActionResult]) -> tuple[threading.Thread, list[ActionResult]]:
    results: list[ActionResult] = []
    thread = threading.Thread(target=lambda: results.append(fn()), daemon=True)
    thread.start()
    return thread, results


def test_an_older_run_that_reports_late_leaves_the_newer_runs_comment_and_deployment(
    action, hub, gh
):
    copy_example("gradio-hello", action.workspace)
    hold = HoldReport()
    gh.on_request = hold
    older_run, results = in_thread(lambda: run_pr(action, gh, "opened", OLDER))
    assert hold.held.wait(HOLD_SECONDS), "the older run never reached its report"
    try:
        change_app(action, 1)
        newer = run_pr(action, gh, "synchronize", NEWER).assert_ok()
        assert described_head(comment_body(action, gh)) == NEWER
    finally:
        hold.release.set()
        older_run.join(HOLD_SECONDS)
    [older] = results
    older.assert_ok()

    body = comment_body(action, gh)
    assert described_head(body) == NEWER and "✅ Preview is running" in body
    assert f"`{NEWER[:7]}`" in body and OLDER[:7] not in body
    assert deployment_states(gh) == [
        (OLDER, ["in_progress", "inactive"]),
        (NEWER, ["in_progress", "success"]),
    ]
    [notice] = [n for n in older.notices if n.startswith(SUPERSEDED)]
    assert f"moved on to {NEWER[:7]}" in notice
    assert "left the preview comment" in notice and "deployment inactive" in notice
    assert not any(n.startswith((SUPERSEDED, UNCHECKED)) for n in newer.notices)
    assert older.warnings == [] and newer.warnings == [] and older.errors == []
    assert older.outputs["stage"] == "RUNNING"  # its own deploy worked: the report alone yields


def test_without_deployments_an_older_run_that_reports_late_leaves_the_newer_runs_comment(
    action, hub, gh
):
    """No Deployment tells the older run that a newer one reported: the comment's own head check
    (github.comment, `_newer_run`) must leave the newer run's comment alone."""
    copy_example("gradio-hello", action.workspace)
    hold = HoldReport()
    gh.on_request = hold
    off = {"github-deployment": "false"}
    older_run, results = in_thread(lambda: run_pr(action, gh, "opened", OLDER, **off))
    assert hold.held.wait(HOLD_SECONDS), "the older run never reached its report"
    try:
        change_app(action, 1)
        run_pr(action, gh, "synchronize", NEWER, **off).assert_ok()
        assert described_head(comment_body(action, gh)) == NEWER
    finally:
        hold.release.set()
        older_run.join(HOLD_SECONDS)
    [older] = results
    older.assert_ok()
    body = comment_body(action, gh)
    assert described_head(body) == NEWER and "✅ Preview is running" in body
    assert f"`{NEWER[:7]}`" in body and OLDER[:7] not in body
    assert gh.deployments(BASE_REPO, ENVIRONMENT) == []


def test_a_rerun_of_the_same_head_still_updates_the_comment(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    first = run_pr(action, gh, "opened", OLDER).assert_ok()
    edits_before = [r for r in gh.requests if r.method == "PATCH" and "/comments/" in r.path]
    again = run_pr(action, gh, "opened", OLDER).assert_ok()  # "Re-run jobs" of the same event
    edits = [r for r in gh.requests if r.method == "PATCH" and "/comments/" in r.path]
    assert len(edits) == len(edits_before) + 2  # "building", then "running"
    assert described_head(edits[-1].body["body"]) == OLDER
    assert "✅ Preview is running" in comment_body(action, gh)
    assert deployment_states(gh) == [(OLDER, ["in_progress", "success"])] * 2
    for result in (first, again):
        assert not any(n.startswith((SUPERSEDED, UNCHECKED)) for n in result.notices)
        assert result.warnings == []


def test_a_head_that_cannot_be_read_writes_as_before_after_one_notice(action, hub, gh):
    gh.pulls_permission = "none"  # the job's permissions lack pull-requests: read
    copy_example("gradio-hello", action.workspace)
    run_pr(action, gh, "opened", OLDER).assert_ok()
    change_app(action, 1)
    newer = run_pr(action, gh, "synchronize", NEWER).assert_ok()
    body = comment_body(action, gh)
    assert described_head(body) == NEWER and "✅ Preview is running" in body
    assert deployment_states(gh)[-1] == (NEWER, ["in_progress", "success"])
    [notice] = [n for n in newer.notices if n.startswith(UNCHECKED)]
    assert "HTTP 403" in notice and "pull request #2" in notice
    assert "the preview comment and the deployment's status were written" in notice
    assert not any(n.startswith(SUPERSEDED) for n in newer.notices)
    assert newer.warnings == []


def test_an_older_run_that_starts_after_a_newer_one_reported_deploys_nothing(action, hub, gh):
    """A re-run of an old run (or one queued behind newer pushes): it would put older code on the
    preview under the newer run's comment. It stops before writing to the Hub, green."""
    copy_example("gradio-hello", action.workspace)
    change_app(action, 2)
    run_pr(action, gh, "synchronize", NEWER).assert_ok()
    newer_app, commits = (action.workspace / "app.py").read_bytes(), len(hub.repo(PREVIEW).commits)
    change_app(action, 1)  # the older checkout differs
    late = run_pr(action, gh, "opened", OLDER, deliver=False).assert_ok()

    assert len(hub.repo(PREVIEW).commits) == commits
    assert hub.repo(PREVIEW).files["app.py"].content == newer_app
    [notice] = [n for n in late.notices if n.startswith(SUPERSEDED)]
    assert (
        f"is at {NEWER[:7]} now" in notice and f"this run of {OLDER[:7]} deploys nothing" in notice
    )
    assert late.outputs.get("preview") == "true" and "stage" not in late.outputs
    body = comment_body(action, gh)
    assert described_head(body) == NEWER and "✅ Preview is running" in body
    assert deployment_states(gh) == [(NEWER, ["in_progress", "success"])]  # none made for it
    assert late.warnings == [] and late.errors == []


def test_a_newer_head_that_no_run_reported_does_not_stop_an_older_run(action, hub, gh):
    """The pull request moved on, but no run of its head has reported (a push the workflow's
    `paths` filter does not run, or one whose run has not started): this run's code is the newest
    the preview will get, so it deploys and reports as usual."""
    copy_example("gradio-hello", action.workspace)
    run_pr(action, gh, "opened", FIRST).assert_ok()
    change_app(action, 1)
    gh.set_pull(BASE_REPO, 2, head=NEWER)  # pushed, no run of it
    result = run_pr(action, gh, "synchronize", OLDER, deliver=False).assert_ok()
    assert hub.repo(PREVIEW).files["app.py"].content == (action.workspace / "app.py").read_bytes()
    body = comment_body(action, gh)
    assert described_head(body) == OLDER and "✅ Preview is running" in body
    assert deployment_states(gh)[-1] == (OLDER, ["in_progress", "success"])
    assert not any(n.startswith((SUPERSEDED, UNCHECKED)) for n in result.notices)
