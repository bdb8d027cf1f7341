"""`operation: cleanup-previews`, as a scheduled workflow runs it: the preview Spaces of the base
Space whose pull requests GitHub reports closed are deleted and their deployments marked inactive;
every other Space (open pull requests, other bases, other owners, look-alike names, numbers that are
no pull request) is left alone. Hub simulator + fake GitHub REST API, nothing mocked in-process."""

from __future__ import annotations

import pytest

from hf_action.preview import preview_space_id
from tests.conftest import GH_TOKEN, TOKEN, hub_writes
from tests.fakes.github_api import FakeGitHub

REPO = "octo-org/octo-app"
SCHEDULE = {"schedule": "17 3 * * *"}

# Space -> state of the pull request its name points at (None: no such pull request).
SPACES: dict[str, str | None] = {
    "user/app": "open",  # the base Space itself
    "user/app-pr-1": "closed",
    "user/app-pr-2": "open",
    "user/app-pr-3": "merged",
    "user/app-pr-4": None,  # a Space named like a preview, but #4 is no pull request
    "user/app-pr-5-old": "closed",  # look-alike: not what preview-name gives for #5
    "user/app-pr-05": "closed",  # look-alike: #5 renders as app-pr-5
    "user/myapp-pr-1": "closed",  # another base Space's preview
    "user/other": "closed",
    "acme/app-pr-1": "closed",  # another owner
}
CLOSED_PREVIEWS = ["user/app-pr-1", "user/app-pr-3"]


@pytest.fixture
def gh(gh):
    """The shared fake GitHub, with pull requests 1-5 in every state a cleanup meets."""
    gh.set_pull(REPO, 1, "closed")
    gh.set_pull(REPO, 2, "open")
    gh.set_pull(REPO, 3, "closed", merged=True)
    gh.set_pull(REPO, 4, None)
    gh.set_pull(REPO, 5, "closed")
    return gh


@pytest.fixture
def spaces(hub):
    for space_id in SPACES:
        hub.create_repo(space_id, repo_type="space", sdk="static")
    return hub


def cleanup(action, gh, inputs: dict | None = None, env: dict | None = None):
    args = {
        "operation": "cleanup-previews",
        "space": "user/app",
        "hf-token": TOKEN,
        "github-token": GH_TOKEN,
        **(inputs or {}),
    }
    env = {"GITHUB_API_URL": gh.api_url, "GITHUB_REPOSITORY": REPO, **(env or {})}
    return action.run(args, event_name="schedule", event=SCHEDULE, env=env)


def test_cleanup_deletes_exactly_the_previews_of_closed_pull_requests(action, spaces, gh):
    closed = gh.seed_deployment(REPO, "hf-preview/app-pr-1", "a" * 40)
    older = gh.seed_deployment(REPO, "hf-preview/app-pr-1", "b" * 40, states=("failure",))
    still_open = gh.seed_deployment(REPO, "hf-preview/app-pr-2", "c" * 40)
    result = cleanup(action, gh).assert_ok()
    remaining = {s for s in SPACES if spaces.repo(s) is not None}
    assert remaining == set(SPACES) - set(CLOSED_PREVIEWS)
    assert result.outputs["deleted-previews"].splitlines() == CLOSED_PREVIEWS
    assert [s["state"] for s in gh.statuses(closed["id"])] == ["success", "inactive"]
    assert [s["state"] for s in gh.statuses(older["id"])] == ["failure", "inactive"]
    assert [s["state"] for s in gh.statuses(still_open["id"])] == ["success"]
    asked = sorted({r.path for r in gh.requests if "/pulls/" in r.path})
    assert asked == [f"/repos/{REPO}/pulls/{n}" for n in (1, 2, 3, 4)]
    assert result.errors == [] and result.warnings == []
    for space_id in CLOSED_PREVIEWS:
        assert space_id in result.summary
    assert "user/app-pr-2" in result.summary  # kept, with the reason


def test_dry_run_only_reports(action, spaces, gh):
    deployment = gh.seed_deployment(REPO, "hf-preview/app-pr-1", "a" * 40)
    spaces.counters.reset()
    result = cleanup(action, gh, {"dry-run": "true"}).assert_ok()
    assert all(spaces.repo(s) is not None for s in SPACES)
    assert hub_writes(spaces) == []
    assert [r.method for r in gh.requests if r.method != "GET"] == []
    assert [s["state"] for s in gh.statuses(deployment["id"])] == ["success"]
    assert result.outputs["deleted-previews"].splitlines() == CLOSED_PREVIEWS
    assert any("Dry run" in n for n in result.notices)


def test_long_and_templated_preview_names_are_recognised_exactly(action, hub, gh):
    base = "user/" + "a-very-long-space-name-for-previews-" + "x" * 30
    gh.set_pull(REPO, 6, "open")
    closed, opened = preview_space_id(base, 5), preview_space_id(base, 6)
    custom = preview_space_id("user/app", 1, "pr{number}-{name}")
    for space_id in (base, closed, opened, custom, "user/app-pr-1"):
        hub.create_repo(space_id, repo_type="space", sdk="static")
    assert closed != f"{base}-pr-5"  # the name was cut and hashed
    result = cleanup(action, gh, {"space": base}).assert_ok()
    assert hub.repo(closed) is None and hub.repo(opened) is not None
    assert result.outputs["deleted-previews"] == closed
    assert all(hub.repo(s) is not None for s in (base, custom, "user/app-pr-1"))
    templated = cleanup(action, gh, {"preview-name": "pr{number}-{name}"}).assert_ok()
    assert templated.outputs["deleted-previews"] == custom and hub.repo(custom) is None
    assert hub.repo("user/app-pr-1") is not None


def test_previews_are_deleted_without_deployments_write_with_one_warning(action, spaces):
    with FakeGitHub(token=GH_TOKEN, deployments="none") as gh:
        gh.set_pull(REPO, 1, "closed")
        gh.set_pull(REPO, 3, "closed", merged=True)
        result = cleanup(action, gh).assert_ok()
    assert all(spaces.repo(s) is None for s in CLOSED_PREVIEWS)
    assert len(result.warnings) == 1 and "deployments: write" in result.warnings[0]


def test_a_pull_request_github_cannot_answer_keeps_its_preview(action, spaces):
    with FakeGitHub(token=GH_TOKEN, fail_status=502) as gh:
        result = cleanup(action, gh)
    assert all(spaces.repo(s) is not None for s in SPACES)
    assert result.outputs.get("deleted-previews", "") == ""
    assert len(result.warnings) + len(result.errors) == 1
    assert "502" in (result.warnings + result.errors)[0]


@pytest.mark.parametrize("missing", ["github-token", "hf-token"])
def test_cleanup_without_a_token_is_an_input_error(action, spaces, gh, missing):
    spaces.counters.reset()
    result = cleanup(action, gh, {missing: ""})
    assert result.returncode == 1 and len(result.errors) == 1 and missing in result.errors[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert hub_writes(spaces) == [] and gh.requests == []


def test_counts_read_singular_for_one_preview(action, hub, gh):
    """One preview found, one deleted: "1 preview Space", never "1 preview Space(s)"."""
    for space_id in ("user/app", "user/app-pr-1"):
        hub.create_repo(space_id, repo_type="space", sdk="static")
    dry = cleanup(action, gh, {"dry-run": "true"}).assert_ok()
    assert "1 preview Space of user/app on the Hub" in dry.stdout.splitlines()
    assert any("would delete 1 preview: user/app-pr-1" in n for n in dry.notices)
    result = cleanup(action, gh).assert_ok()
    assert "1 of 1 preview Space deleted (" in result.summary
    assert "(s)" not in result.stdout + result.summary
    with FakeGitHub(token=GH_TOKEN, fail_status=502) as down:
        hub.create_repo("user/app-pr-2", repo_type="space", sdk="static")
        kept = cleanup(action, down)
    (warning,) = kept.warnings
    assert f"whether 1 pull request of {REPO} is closed" in warning


def test_a_delete_the_hub_refuses_is_one_error_naming_the_step(action, spaces, gh):
    """hub_step("delete the preview", ...): the Hub's refusal is one sentence, no traceback."""
    spaces.faults.add(method="DELETE", path=r"^/api/repos/delete$", status=500, times=10_000)
    result = cleanup(action, gh)
    assert result.returncode == 1
    (error,) = result.errors
    assert "The Hub failed (500) while trying to delete the preview" in error
    assert "Traceback" not in result.stdout + result.stderr
    assert spaces.repo("user/app-pr-1") is not None


def test_a_closed_pull_requests_preview_is_deleted_whatever_its_hardware(action, spaces, gh):
    """A preview moved to a GPU by hand (on a Hub that bills it) is deleted like any other; the
    log and the summary list each preview's hardware."""
    spaces.set_quota(billing=True)
    for space_id, flavor in [("user/app-pr-1", "a10g-large"), ("user/app-pr-2", "t4-small")]:
        spaces.delete_repo("space", space_id)  # a Gradio app (a static Space has no hardware)
        spaces.create_repo(space_id, sdk="gradio", hardware=flavor)  # changed by hand on the Hub
    result = cleanup(action, gh).assert_ok()
    assert spaces.repo("user/app-pr-1") is None
    assert result.outputs["deleted-previews"].splitlines() == CLOSED_PREVIEWS
    assert "  user/app-pr-1 (#1): a10g-large" in result.stdout.splitlines()
    assert "| `user/app-pr-1` | a10g-large | #1 | closed | deleted |" in result.summary
    assert "| `user/app-pr-2` | t4-small | #2 | open |" in result.summary
    assert "| `user/app-pr-3` | — | #3 | merged | deleted |" in result.summary  # static
