"""The built image, run as GitHub's runner runs it (tests/container/conftest.py), against hubsim."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess

from tests.conftest import TOKEN, copy_example, git_init
from tests.fakes.github_api import FakeGitHub
from tests.test_promises import AUDIT_HOOK
from tests.webhooks import load_example

MB = 1 << 20


def _gradio_repo(container) -> None:
    copy_example("gradio-hello", container.workspace)
    git_init(container.workspace)


def test_deploys_and_waits_until_the_space_runs_the_commit(container, hub):
    _gradio_repo(container)
    run = container.run({"space": "user/boxed", "hf-token": TOKEN})
    result = run.result.assert_ok()
    repo = hub.repo("user/boxed")
    assert result.outputs["stage"] == "RUNNING" and result.outputs["commit-sha"] == repo.head
    assert result.outputs["space-url"] == f"{hub.url}/spaces/user/boxed"  # HF_ENDPOINT's
    for name in ("app.py", "requirements.txt"):
        assert repo.files[name].content == (container.workspace / name).read_bytes()
    assert ".git" not in {p.split("/")[0] for p in repo.files}


def test_noop_opens_no_file_git_vouches_for(container, hub, tmp_path):
    """Inside the image (no git binary there): an audit hook records every file the action's Python
    opens under the workspace. After a deploy, one tracked file changed (same size, not committed) is
    read; the files the git index vouches for are not; a run after that changes nothing."""
    copy_example("gradio-hello", container.workspace)
    data = container.workspace / "data"
    data.mkdir()
    for i in range(4):
        (data / f"part{i}.csv").write_text(f"row,{i}\n" * 500)
    git_init(container.workspace)
    container.run({"space": "user/unread", "hf-token": TOKEN, "wait": "false"}).result.assert_ok()
    (data / "part0.csv").write_text("ROW,0\n" * 500)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(AUDIT_HOOK)
    container.volumes[str(hooks)] = "/hooks"
    audit = {
        "PYTHONPATH": "/hooks",
        "AUDIT_ROOT": "/github/workspace/",
        "AUDIT_LOG": "/github/file_commands/opened.txt",
    }
    changed = container.run({"space": "user/unread", "hf-token": TOKEN, "wait": "false"}, env=audit)
    changed.result.assert_ok()
    opened = set((container.temp / "_runner_file_commands" / "opened.txt").read_text().split("\n"))
    assert "data/part0.csv" in opened  # the hook works: the changed file was read
    assert changed.result.outputs["changed-files"] == "data/part0.csv"
    assert not {f"data/part{i}.csv" for i in (1, 2, 3)} & opened, sorted(opened)
    assert "app.py" not in opened and "requirements.txt" not in opened, sorted(opened)
    hub.counters.reset()
    again = container.run({"space": "user/unread", "hf-token": TOKEN, "wait": "false"})
    assert "Nothing changed: no commit." in again.result.assert_ok().stdout
    assert hub.counters.commits == 0 and sum(hub.counters.requests.values()) <= 3


def test_binary_files_go_through_xet_from_the_container(container, hub):
    copy_example("gradio-hello", container.workspace)
    blob = random.Random(7).randbytes(6 * MB)  # noqa: S311 - reproducible test data
    (container.workspace / "model.bin").write_bytes(blob)
    git_init(container.workspace)
    container.run({"space": "user/xetbox", "hf-token": TOKEN, "wait": "false"}).result.assert_ok()
    entry = hub.repo("user/xetbox").files["model.bin"]
    assert entry.lfs_sha256 == hashlib.sha256(blob).hexdigest() and entry.content == blob
    hub.xet.ingest()
    assert hub.counters.cas_xorb_bytes >= len(blob) * 0.9  # the bytes reached the CAS (compressed)
    assert hub.counters.requests["PUT /lfs-upload/{oid}"] == 0


def test_a_workspace_owned_by_the_runner_user_deploys_and_its_index_is_used(
    container, hub, tmp_path
):
    """actions/checkout leaves the workspace owned by the runner's user (uid 1001), its index
    written after the files, the container runs as root: the deploy works, and the index vouches
    for the files (a no-op opens none of them and sends nothing)."""
    ws = container.workspace
    copy_example("gradio-hello", ws)
    subprocess.run(["chown", "-R", "1001:1001", str(ws)], check=True)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run(  # as root: the index records the files' owner (1001) and stat as now
            ["git", "-c", "safe.directory=*", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=ws,
            check=True,
            capture_output=True,
        )
    subprocess.run(["chown", "-R", "1001:1001", str(ws / ".git")], check=True)
    container.run({"space": "user/owned", "hf-token": TOKEN, "wait": "false"}).result.assert_ok()
    assert hub.repo("user/owned").files["app.py"].content == (ws / "app.py").read_bytes()
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(AUDIT_HOOK)
    container.volumes[str(hooks)] = "/hooks"
    audit = {
        "PYTHONPATH": "/hooks",
        "AUDIT_ROOT": "/github/workspace/",
        "AUDIT_LOG": "/github/file_commands/opened.txt",
    }
    hub.counters.reset()
    again = container.run({"space": "user/owned", "hf-token": TOKEN, "wait": "false"}, env=audit)
    assert "Nothing changed: no commit." in again.result.assert_ok().stdout
    opened = set((container.temp / "_runner_file_commands" / "opened.txt").read_text().split("\n"))
    assert not {"app.py", "requirements.txt"} & opened, sorted(opened)  # the index vouched
    assert {p.stat().st_uid for p in ws.rglob("*")} == {1001}  # left as it was


def test_a_bad_token_fails_with_one_clear_error_and_writes_nothing(container, hub):
    _gradio_repo(container)
    run = container.run({"space": "user/refused", "hf-token": "hf_not_a_real_token_123"})
    result = run.result
    assert result.returncode == 1
    assert len(result.errors) == 1 and "refused the token (401)" in result.errors[0], result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert hub.repo("user/refused") is None and hub.counters.commits == 0


def test_a_pull_request_event_file_deploys_a_preview_and_comments(container, hub):
    gh_token = "ghs_containerPreviewToken0123456789ab"
    copy_example("gradio-hello", container.workspace)
    with FakeGitHub(token=gh_token) as gh:
        run = container.run(
            {"space": "user/app", "hf-token": TOKEN, "github-token": gh_token, "wait": "false"},
            event_name="pull_request",
            event=load_example("opened"),
            env={"GITHUB_API_URL": gh.api_url, "GITHUB_REPOSITORY": "Codertocat/Hello-World"},
        )
        result = run.result.assert_ok()
        comments = gh.comments("Codertocat/Hello-World", 2)
    assert result.outputs["preview"] == "true" and result.outputs["space-id"] == "user/app-pr-2"
    assert hub.repo("user/app-pr-2") is not None and hub.repo("user/app") is None
    assert len(comments) == 1 and "user/app-pr-2" in comments[0]["body"]


def test_the_image_has_no_git():
    """The lean image: git (and perl) and git-lfs are not in it; the index is read with dulwich."""
    probe = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "sh", os.environ["HF_DEPLOY_IMAGE"], "-c",
         "command -v git git-lfs perl; python -c 'import dulwich.index'"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert probe.stdout.strip() == "" and probe.returncode == 0, (probe.stdout, probe.stderr)
