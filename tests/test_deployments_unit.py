"""The pieces behind GitHub Deployments, the comment's identity and the preview cleanup, in process:
environment names, the exact preview-name round trip, the Deployments object and the comment's
author check against the fake GitHub (PyGithub over HTTP)."""

from __future__ import annotations

import pytest

from hf_action.errors import InputError
from hf_action.github.comment import StickyComment, own_login
from hf_action.github.context import GitHubContext
from hf_action.github.deployments import (
    Deployments,
    NewDeployment,
    environment_name,
)
from hf_action.github.pulls import pull_states
from hf_action.inputs import deployment_wanted as wanted
from hf_action.preview import preview_number, preview_space_id
from tests.fakes.github_api import BOT_LOGIN, FakeGitHub

TOKEN = "ghs_unitDeployToken0123456789abcdef"
REPO = "octo/app-repo"
ENV = {
    "GITHUB_REPOSITORY": REPO,
    "GITHUB_RUN_ID": "99",
    "GITHUB_SERVER_URL": "https://ghe.example",
}


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "number", "expected"),
    [
        (None, 7, "hf-preview/app-pr-7"),
        ("", None, "hf-space/app"),
        ("review/{owner}-{name}#{number}", 7, "review/user-app#7"),
        ("staging", None, "staging"),
    ],
)
def test_environment_names(template, number, expected):
    assert environment_name(template, "user/app", number) == expected


@pytest.mark.parametrize(
    ("template", "number", "needle"),
    [
        ("preview", 7, "{number}"),  # every PR needs its own environment
        ("prod-{number}", None, "not for a pull request"),
        ("env-{space}-{number}", 7, "{space}"),
        ("env-{number", 7, "not a valid template"),
        ("x" * 256, None, "255"),
    ],
)
def test_environment_name_errors_name_the_input(template, number, needle):
    with pytest.raises(InputError) as err:
        environment_name(template, "user/app", number)
    assert "Input 'environment'" in err.value.line and needle in err.value.line


def test_wanted_and_run_url():
    assert wanted("auto", preview=True) and not wanted("auto", preview=False)
    assert wanted("true", preview=False) and not wanted("false", preview=True)
    assert GitHubContext.from_env(ENV).run_url == f"https://ghe.example/{REPO}/actions/runs/99"
    assert GitHubContext.from_env({"GITHUB_REPOSITORY": REPO}).run_url is None


@pytest.mark.parametrize(
    ("space_id", "number"),
    [
        ("user/app-pr-1", 1),
        ("User/App-pr-12", 12),  # the Hub's ids are case-insensitive
        ("user/app-pr-05", None),
        ("user/app-pr-5-old", None),
        ("user/myapp-pr-1", None),
        ("acme/app-pr-1", None),
        ("user/app", None),
        ("user/app-pr-0", None),
    ],
)
def test_preview_number_takes_only_exact_previews(space_id, number):
    assert preview_number(space_id, "user/app") == number


def test_preview_number_round_trips_hashed_and_templated_names():
    base = "user/" + "long-name-" * 8 + "x"
    cut = preview_space_id(base, 31)
    assert cut != f"{base}-pr-31" and preview_number(cut, base) == 31
    assert preview_number(cut, "user/app") is None
    custom = preview_space_id("user/app", 4, "pr{number}-{name}")
    assert preview_number(custom, "user/app", "pr{number}-{name}") == 4
    assert preview_number("user/app-pr-4", "user/app", "pr{number}-{name}") is None


# --- Deployments against the fake ---------------------------------------------------------------


def deployments(gh: FakeGitHub, warnings: list[str]) -> Deployments:
    github = GitHubContext.from_env({**ENV, "GITHUB_API_URL": gh.api_url})
    return Deployments(TOKEN, REPO, github, warnings.append)


def test_start_finish_deactivate():
    with FakeGitHub(token=TOKEN, base_path="/api/v3") as gh:
        warnings: list[str] = []
        d = deployments(gh, warnings)
        target = NewDeployment("hf-preview/app-pr-7", "ab" * 20, "user/app-pr-7", preview=True)
        did = d.start(target)
        d.finish(True, "https://user-app-pr-7.hf.space")
        [made] = gh.deployments(REPO)
        assert did == made["id"] and made["transient_environment"] is True
        statuses = gh.statuses(did)
        assert [s["state"] for s in statuses] == ["in_progress", "success"]
        assert statuses[-1]["log_url"] == f"https://ghe.example/{REPO}/actions/runs/99"
        assert statuses[-1]["environment_url"] == "https://user-app-pr-7.hf.space"
        again = deployments(gh, warnings).deactivate("hf-preview/app-pr-7")
        assert again == did and gh.statuses(did)[-1]["state"] == "inactive"
        deployments(gh, warnings).deactivate("hf-preview/app-pr-7")  # already inactive: no-op
        assert [s["state"] for s in gh.statuses(did)].count("inactive") == 1
        assert warnings == []


def test_a_failure_warns_once_then_the_object_goes_quiet():
    with FakeGitHub(token=TOKEN, deployments="none") as gh:
        warnings: list[str] = []
        d = deployments(gh, warnings)
        assert d.start(NewDeployment("e-{n}", "a" * 40, "user/app-pr-1", preview=True)) is None
        d.finish(True, "https://x")
        d.deactivate("e-1")
        assert len(warnings) == 1 and "deployments: write" in warnings[0]
        assert "HTTP 403" in warnings[0] and "not affected" in warnings[0]
        assert [r.method for r in gh.requests] == ["POST"]


def test_production_target():
    with FakeGitHub(token=TOKEN) as gh:
        d = deployments(gh, [])
        d.start(NewDeployment("hf-space/app", "main", "user/app", preview=False))
        [made] = gh.deployments(REPO)
        assert made["production_environment"] is True and made["transient_environment"] is False


def test_pull_states():
    with FakeGitHub(token=TOKEN) as gh:
        gh.set_pull(REPO, 1, "closed")
        gh.set_pull(REPO, 2, "closed", merged=True)
        gh.set_pull(REPO, 3, None)
        states, failures = pull_states(TOKEN, REPO, gh.api_url, [1, 2, 3, 4])
        assert states == {1: "closed", 2: "merged", 3: "missing", 4: "open"} and failures == []
    with FakeGitHub(token=TOKEN, fail_status=500) as gh:
        states, failures = pull_states(TOKEN, REPO, gh.api_url, [1])
        assert states == {} and len(failures) == 1 and "HTTP 500" in failures[0]


# --- whose comment counts ---------------------------------------------------------------------


def sticky(gh: FakeGitHub, warnings: list[str]) -> StickyComment:
    return StickyComment(
        TOKEN, REPO, 7, gh.api_url, "<!-- m -->", warnings.append,
        seconds_between_requests=0.0, seconds_between_writes=0.0,
    )  # fmt: skip


def test_own_login_per_token_kind():
    from github import Auth, Github

    with FakeGitHub(token=TOKEN) as gh:
        assert own_login(Github(auth=Auth.Token(TOKEN), base_url=gh.api_url)) == BOT_LOGIN
    with FakeGitHub(token=TOKEN, token_kind="user", login="octocat") as gh:
        assert own_login(Github(auth=Auth.Token(TOKEN), base_url=gh.api_url)) == "octocat"


def test_only_the_tokens_own_marker_comment_is_edited():
    with FakeGitHub(token=TOKEN) as gh:
        bait = gh.add_comment(REPO, 7, "<!-- m --> bait", login="mallory")
        warnings: list[str] = []
        sticky(gh, warnings).upsert("one")
        sticky(gh, warnings).upsert("two")
        comments = gh.comments(REPO, 7)
        assert comments[0] == {**bait, "body": "<!-- m --> bait"}
        assert [c["body"] for c in comments[1:]] == ["<!-- m -->\ntwo"] and warnings == []


def test_a_comment_that_lists_no_marker_needs_no_identity_lookup():
    with FakeGitHub(token=TOKEN) as gh:
        sticky(gh, []).upsert("first")
        assert "/user" not in [r.path for r in gh.requests]
