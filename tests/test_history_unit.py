"""Which commit a rollback returns to, in-process: a fake client with a fixed history."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hf_action.errors import ActionError
from hf_action.hub.history import Revision, find_revision


@dataclass
class Commit:
    commit_id: str
    title: str
    message: str


class Api:
    endpoint = "http://hub.example"

    def __init__(self, *commits: Commit) -> None:
        self.commits = list(commits)

    def list_repo_commits(self, space_id: str, repo_type: str) -> list[Commit]:
        assert (space_id, repo_type) == ("o/s", "space")
        return self.commits


HEAD = Commit("a" * 40, "Deploy octo@1", "Deploy-Id: 1")
MANUAL = Commit("b" * 40, "Update app.py", "edited on the Hub")
DEPLOY = Commit("c" * 40, "Deploy octo@0", "Source: x\nDeploy-Id: 0")
INITIAL = Commit("cd" + "e" * 38, "initial commit", "")


def test_previous_is_the_newest_deploy_before_the_head_past_other_commits():
    assert find_revision(Api(HEAD, MANUAL, DEPLOY, INITIAL), "o/s", "previous") == Revision(
        "c" * 40, "Deploy octo@0", 2
    )


def test_a_sha_or_a_unique_prefix_of_it():
    api = Api(HEAD, MANUAL, DEPLOY, INITIAL)
    assert find_revision(api, "o/s", "b" * 40) == Revision("b" * 40, "Update app.py", 1)
    assert find_revision(api, "o/s", "a" * 7).newer == 0  # the head itself


def test_refusals():
    api = Api(HEAD, MANUAL, DEPLOY, INITIAL)
    with pytest.raises(ActionError) as err:
        find_revision(api, "o/s", "c")  # "c" * 40 and "cd…" both start with it
    assert err.value.title == "Ambiguous revision" and "matches 2 commits" in err.value.message
    with pytest.raises(ActionError) as err:
        find_revision(api, "o/s", "f" * 7)
    assert err.value.title == "Revision not in the Space's history"
    assert "(its main branch has 4 commits); nothing was changed." in err.value.message
    assert "from http://hub.example/spaces/o/s/commits/main (a GitHub" in err.value.hint
    with pytest.raises(ActionError) as err:
        find_revision(Api(HEAD, MANUAL, INITIAL), "o/s", "previous")  # only the head deployed
    assert err.value.title == "No previous deploy"
