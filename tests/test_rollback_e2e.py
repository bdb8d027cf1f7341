"""operation rollback, end to end: the files of an earlier deploy come back in one commit, copied
on the Hub (no LFS or Xet bytes uploaded), and the build watch proves the Space runs them."""

from __future__ import annotations

import random
import time

import pytest

from tests.conftest import TOKEN, both_lanes, copy_example, hub_writes

MB = 1 << 20


def deploy(action, **inputs: str):
    return action.run({"space": "user/rb", "hf-token": TOKEN, **inputs})


def rollback(action, **inputs: str):
    return action.run({"space": "user/rb", "hf-token": TOKEN, "operation": "rollback", **inputs})


def tree(repo, sha: str) -> dict[str, bytes]:
    commit = next(c for c in repo.commits if c.oid == sha)
    return {path: entry.content for path, entry in commit.files.items()}


def uploads(hub) -> dict[str, int]:
    """What reached large-file storage since the counters were reset, by either lane."""
    hub.xet.ingest()
    return {
        "lfs uploads": hub.counters.requests["PUT /lfs-upload/{oid}"],
        "lfs batches": hub.counters.requests["POST /{prefix}{repo}.git/info/lfs/objects/batch"],
        "xet tokens": hub.counters.xet_write_tokens,
        "cas xorb bytes": hub.counters.cas_xorb_bytes,
    }


def good_then_bad(action, hub, model: int = 64 << 10) -> tuple[str, str]:
    """v1 runs; v2 changes the model (binary: LFS/Xet), adds a file, drops one and crashes at start."""
    copy_example("gradio-hello", action.workspace)
    rng = random.Random(23)  # noqa: S311 - reproducible test data
    (action.workspace / "model.bin").write_bytes(rng.randbytes(model))
    (action.workspace / "notes.txt").write_text("v1 notes\n")
    deploy(action).assert_ok()
    good = hub.repo("user/rb").head
    (action.workspace / "model.bin").write_bytes(rng.randbytes(model))
    (action.workspace / "notes.txt").unlink()
    (action.workspace / "new.txt").write_text("only in v2\n")
    app = action.workspace / "app.py"
    app.write_text(app.read_text() + "\nraise SystemExit(1)\n")
    bad = deploy(action)
    assert bad.returncode == 1 and "RUNTIME_ERROR" in bad.stdout
    return good, hub.repo("user/rb").head


@both_lanes
def test_rollback_to_previous_restores_the_earlier_tree_byte_for_byte_uploading_nothing(
    action, hub
):
    good, bad = good_then_bad(action, hub, model=3 * MB)
    repo = hub.repo("user/rb")
    commits = len(repo.commits)
    hub.counters.reset()
    result = rollback(action).assert_ok()
    head = repo.head
    assert len(repo.commits) == commits + 1 and head not in (good, bad)
    assert next(c for c in repo.commits if c.oid == head).parent == bad  # on top of the head
    assert tree(repo, head) == tree(repo, good)  # every path, every byte
    assert uploads(hub) == {
        "lfs uploads": 0,
        "lfs batches": 0,
        "xet tokens": 0,
        "cas xorb bytes": 0,
    }
    assert repo.files["model.bin"].lfs_sha256 == tree_lfs(repo, good, "model.bin")
    out = result.outputs
    assert out["commit-sha"] == head and out["stage"] == "RUNNING"
    assert out["changed-files"].splitlines() == ["app.py", "model.bin", "new.txt", "notes.txt"]
    assert repo.space.runtime_view(time.monotonic()) == {
        "stage": "RUNNING",
        "sha": head,
        "errorMessage": None,
    }
    assert f"to {good[:7]} (1 commit back)" in result.stdout
    assert "'model.bin'  copied on the Hub" in result.stdout
    assert "| Rolled back to | `" + good[:7] + "` |" in result.summary


def tree_lfs(repo, sha: str, path: str) -> str | None:
    return next(c for c in repo.commits if c.oid == sha).files[path].lfs_sha256


def test_rollback_to_a_sha_and_previous_twice_swaps_back(action, hub):
    good, bad = good_then_bad(action, hub)
    repo = hub.repo("user/rb")
    rollback(action, revision=good[:10].upper()).assert_ok()
    assert tree(repo, repo.head) == tree(repo, good)
    # previous is the newest hf-deploy commit before the head: the bad deploy, rolled back from.
    again = rollback(action, revision="previous", wait="false").assert_ok()
    assert tree(repo, repo.head) == tree(repo, bad)
    assert again.outputs["stage"] == ""  # not waited for: the runtime describes the build before


def test_a_revision_not_in_the_history_is_refused_before_anything_is_written(action, hub):
    good_then_bad(action, hub)
    hub.counters.reset()
    result = rollback(action, revision="0123456789abcdef0123456789abcdef01234567")
    assert result.returncode == 1
    assert result.errors == [
        "::error title=Revision not in the Space's history::The revision"
        " '0123456789abcdef0123456789abcdef01234567' is not in the history of 'user/rb' (its main"
        " branch has 3 commits); nothing was changed. Give a commit of the Space from"
        f" {hub.url}/spaces/user/rb/commits/main (a GitHub commit sha is not a Space commit), or"
        " revision: previous."
    ]
    assert hub_writes(hub) == []
    assert "Traceback" not in result.stdout + result.stderr


def test_previous_without_an_earlier_deploy_is_refused(action, hub):
    copy_example("gradio-hello", action.workspace)
    deploy(action).assert_ok()  # the head is the only deploy: before it, the Hub's initial commit
    hub.counters.reset()
    result = rollback(action)
    assert result.returncode == 1 and "title=No previous deploy" in result.errors[0]
    assert hub_writes(hub) == []


def test_a_dry_run_shows_what_would_change_and_writes_nothing(action, hub):
    good, bad = good_then_bad(action, hub)
    hub.counters.reset()
    result = rollback(action, **{"dry-run": "true"}).assert_ok()
    assert hub.repo("user/rb").head == bad
    assert hub_writes(hub) == []
    assert f"Dry run: rolling back to {good[:7]} would copy 3 files and delete 1" in result.stdout
    for line in ("~ 'app.py'", "~ 'model.bin'  copied on the Hub", "+ 'notes.txt'", "- 'new.txt'"):
        assert line in result.stdout
    assert result.outputs["commit-sha"] == bad and result.outputs["changed-files"]


def test_rolling_back_to_the_files_the_head_already_has_commits_nothing(action, hub):
    """The head is another commit than the revision, with the same files (a change, then its
    revert): the rollback finds nothing to copy and writes nothing."""
    copy_example("gradio-hello", action.workspace)
    deploy(action).assert_ok()
    repo = hub.repo("user/rb")
    first, app = repo.head, action.workspace / "app.py"
    original = app.read_text()
    app.write_text(original + "\n# changed\n")
    deploy(action).assert_ok()
    app.write_text(original)
    deploy(action, **{"commit-message": "same files, new commit"}).assert_ok()
    assert repo.head != first and tree(repo, repo.head) == tree(repo, first)
    commits = len(repo.commits)
    hub.counters.reset()
    result = rollback(action, revision=first).assert_ok()
    assert len(repo.commits) == commits and hub_writes(hub) == []
    assert "already holds the files of" in result.stdout


@pytest.mark.parametrize("preview", ["auto", "false"])
def test_on_a_pull_request_event_rollback_does_nothing(action, hub, preview):
    copy_example("gradio-hello", action.workspace)
    event = {
        "action": "opened",
        "number": 7,
        "pull_request": {
            "number": 7, "head": {"sha": "a" * 40, "ref": "f", "repo": {"full_name": "octo-org/octo-app"}},
            "base": {"repo": {"full_name": "octo-org/octo-app"}}, "html_url": "https://github.com/x/7",
            "merged": False, "user": {"login": "octocat"},
        },
    }  # fmt: skip
    result = action.run(
        {"space": "user/rb", "hf-token": TOKEN, "operation": "rollback", "preview": preview},
        event_name="pull_request",
        event=event,
    )
    assert result.returncode == 0 and hub.repo("user/rb") is None
    assert any("title=Rollback skipped" in n for n in result.notices)
    assert sum(hub.counters.requests.values()) == 0


def test_a_commit_landing_before_the_rollback_commit_is_planned_again(action, hub):
    """Someone else commits after the rollback's plan: 412, a re-plan against the new head, and the
    Space still ends with exactly the revision's files (theirs undone too), in one more commit."""
    from tests.test_promises import other_writer

    good, _ = good_then_bad(action, hub)
    edit = {"app.py": b"print('web edit')\n", "theirs.txt": b"from the web UI\n"}
    rule = hub.faults.add(
        method="POST", path=r"/commit/", before=other_writer(hub, "user/rb", edit)
    )
    result = rollback(action, wait="false").assert_ok()
    repo = hub.repo("user/rb")
    assert rule.hits == 1 and repo.commits[-2].title == "Edit from the web UI"
    assert "rolling back (412); comparing again with its new head" in result.stdout
    assert tree(repo, repo.head) == tree(repo, good)
    assert result.outputs["commit-sha"] == repo.head
    # what the rollback commit changed: against theirs, not against the head it first planned on
    assert result.outputs["changed-files"].splitlines() == [
        "app.py", "model.bin", "new.txt", "notes.txt", "theirs.txt",
    ]  # fmt: skip
