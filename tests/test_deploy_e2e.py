"""The core deploy, end to end: the entrypoint run as the runner runs it, against the Hub simulator."""

from __future__ import annotations

import os
import re
import time

import yaml

from hubsim import ProtectedInfo
from tests.action_runner import ROOT
from tests.conftest import TOKEN, both_lanes, copy_example, git_init, hub_writes

ACTION_OUTPUTS = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["outputs"]


def front_matter(text: str) -> dict:
    assert text.startswith("---\n"), text[:80]
    return yaml.safe_load(text.split("---\n")[1])


def runtime(hub, space_id: str) -> dict:
    return hub.repo(space_id).space.runtime_view(time.monotonic())


def test_fresh_gradio_space(action, hub):
    copy_example("gradio-hello", action.workspace / "app")
    result = action.run({"space": "user/hello", "hf-token": TOKEN, "path": "app"}).assert_ok()
    repo = hub.repo("user/hello")
    assert repo is not None and repo.sdk == "gradio"
    assert {"app.py", "requirements.txt", "README.md"} <= set(repo.files)
    assert repo.files["app.py"].content == (action.workspace / "app/app.py").read_bytes()
    out = result.outputs
    assert set(out) == set(ACTION_OUTPUTS)  # exactly what action.yml declares, no more, no less
    assert out["space-id"] == "user/hello"
    assert out["space-url"] == f"{hub.url}/spaces/user/hello"
    assert out["app-url"] == "https://user-hello.hf.space"
    assert out["commit-sha"] == repo.head and len(repo.head) == 40
    assert out["commit-url"] == f"{hub.url}/spaces/user/hello/commit/{repo.head}"
    assert out["stage"] == "RUNNING"
    assert set(out["changed-files"].splitlines()) >= {"app.py", "requirements.txt", "README.md"}
    assert runtime(hub, "user/hello")["sha"] == repo.head
    assert (
        "user/hello" in result.summary
        and "RUNNING" in result.summary
        and repo.head[:7] in result.summary
    )
    assert "::group::Plan" in result.stdout and "::add-mask::" in result.stdout.splitlines()[0]


def test_the_commit_names_the_workflow_runs_source_and_run(action, hub):
    """The commit text takes the workflow run from GitHubContext (the runner's variables)."""
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/named", "hf-token": TOKEN}).assert_ok()
    commit = hub.repo("user/named").commits[-1]
    sha = "0123456789abcdef0123456789abcdef01234567"  # GITHUB_SHA of tests/action_runner.py
    assert commit.title == "Deploy octo-org/octo-app@0123456"
    assert commit.message.splitlines()[:2] == [
        f"Source: https://github.com/octo-org/octo-app/commit/{sha}",
        "Workflow run: https://github.com/octo-org/octo-app/actions/runs/4242",
    ]
    assert commit.message.splitlines()[2].startswith("Deploy-Id: ")


def test_docker_app_without_readme_gets_a_card_with_app_port(action, hub):
    copy_example("docker-fastapi", action.workspace)
    assert not (action.workspace / "README.md").exists()
    result = action.run({"space": "user/api", "hf-token": TOKEN, "app-port": "8000"}).assert_ok()
    card = front_matter(hub.repo("user/api").files["README.md"].text())
    assert card["sdk"] == "docker" and card["app_port"] == 8000
    assert hub.repo("user/api").sdk == "docker"
    assert result.outputs["stage"] == "RUNNING"


def test_static_site(action, hub):
    copy_example("static-site", action.workspace / "site")
    result = action.run({"space": "user/site", "hf-token": TOKEN, "path": "site"}).assert_ok()
    assert result.outputs["stage"] == "RUNNING"
    assert (
        hub.repo("user/site").files["index.html"].content
        == (action.workspace / "site/index.html").read_bytes()
    )


def test_redeploy_without_change_makes_no_commit(action, hub):
    copy_example("gradio-hello", action.workspace)
    git_init(action.workspace)
    first = action.run({"space": "user/same", "hf-token": TOKEN}).assert_ok()
    commits = len(hub.repo("user/same").commits)
    hub.counters.reset()
    second = action.run({"space": "user/same", "hf-token": TOKEN}).assert_ok()
    assert len(hub.repo("user/same").commits) == commits
    assert second.outputs["commit-sha"] == first.outputs["commit-sha"]
    assert second.outputs["changed-files"] == ""
    assert hub_writes(hub) == []
    assert "Nothing changed: no commit." in second.stdout
    # whoami, then the Space info with every file's blob id: it says it runs this head, so no polling.
    assert sum(hub.counters.requests.values()) == 2, hub.counters.requests


def test_the_plan_says_how_much_it_read_to_compare_and_git_spares_it(action, hub):
    """Without git every file the Space has is hashed to compare it; git's blob ids spare that."""
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/hashing", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    again = action.run({"space": "user/hashing", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    size = sum(f.stat().st_size for f in action.workspace.iterdir())  # all three files
    assert f"Read {size} B of local files to compare them" in again.stdout
    git_init(action.workspace)
    spared = action.run({"space": "user/hashing", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert "of local files to compare them" not in spared.stdout


def test_change_plus_deletion_is_one_commit_of_only_those_paths(action, hub):
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "extra.txt").write_text("to be removed\n")
    (action.workspace / "keep.txt").write_text("kept\n")
    action.run({"space": "user/edit", "hf-token": TOKEN}).assert_ok()
    before = len(hub.repo("user/edit").commits)
    (action.workspace / "extra.txt").unlink()
    (action.workspace / "app.py").write_text(
        (action.workspace / "app.py").read_text() + "\n# changed\n"
    )
    result = action.run({"space": "user/edit", "hf-token": TOKEN}).assert_ok()
    repo = hub.repo("user/edit")
    assert len(repo.commits) == before + 1
    assert result.outputs["changed-files"].splitlines() == ["app.py", "extra.txt"]
    assert "extra.txt" not in repo.files and "keep.txt" in repo.files
    assert repo.files["app.py"].text().endswith("# changed\n")
    assert ".gitattributes" in repo.files  # kept although not in the folder


def test_success_is_reported_only_once_the_new_commit_runs(action, hub):
    """Right after a push the Hub still says RUNNING for the old build; the deploy must not believe it."""
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/race", "hf-token": TOKEN}).assert_ok()
    old = hub.repo("user/race").head
    hub.settings.lifecycle.stale = 1.0  # a long stale window, reporting the previous RUNNING build
    (action.workspace / "app.py").write_text((action.workspace / "app.py").read_text() + "\n# v2\n")
    result = action.run({"space": "user/race", "hf-token": TOKEN}).assert_ok()
    new = hub.repo("user/race").head
    assert new != old and result.outputs["commit-sha"] == new
    # Without a runtime sha the build log's header names the previous commit during the stale window.
    assert f"names {old[:7]}" in result.stdout and "Evidence: " in result.stdout
    # When the action says RUNNING, the Space really runs the new commit (not the stale build).
    view = runtime(hub, "user/race")
    assert (view["stage"], view["sha"]) == ("RUNNING", new)
    assert result.outputs["stage"] == "RUNNING"


def test_build_error_fails_with_the_failing_line(action, hub):
    copy_example("docker-fastapi", action.workspace)
    dockerfile = action.workspace / "Dockerfile"
    dockerfile.write_text(
        dockerfile.read_text() + "\nRUN python -c 'import missing_module' && false\n"
    )
    result = action.run({"space": "user/broken", "hf-token": TOKEN, "app-port": "8000"})
    assert result.returncode == 1
    assert len(result.errors) == 1 and "BUILD_ERROR" in result.errors[0]
    assert "import missing_module" in result.stdout  # the failing step, in the log tail group
    assert result.outputs["stage"] == "BUILD_ERROR"
    assert "Traceback" not in result.stderr
    assert "BUILD_ERROR" in result.summary and "import missing_module" in result.summary


def test_runtime_error_shows_the_run_log(action, hub):
    copy_example("gradio-hello", action.workspace)
    app = action.workspace / "app.py"
    app.write_text("import sys\nprint('starting')\nsys.exit(1)\n")
    result = action.run({"space": "user/crash", "hf-token": TOKEN})
    assert result.returncode == 1
    assert "RUNTIME_ERROR" in result.errors[0]
    assert result.outputs["stage"] == "RUNTIME_ERROR"
    assert "::group::RUNTIME_ERROR" in result.stdout


def test_timeout_fails_and_says_so(action, hub):
    copy_example("gradio-hello", action.workspace)
    hub.settings.lifecycle.building = 30.0
    started = time.monotonic()
    result = action.run({"space": "user/slow", "hf-token": TOKEN, "timeout": "2s"})
    assert result.returncode == 1
    assert time.monotonic() - started < 20
    assert "did not reach RUNNING within 2s" in result.errors[0]
    assert result.outputs["stage"] == "TIMEOUT"


def test_secrets_and_variables_arrive_exactly_and_are_never_printed(action, hub, leak_guard):
    copy_example("gradio-hello", action.workspace)
    pem = "-----BEGIN KEY-----\nMIIBVwIBADANBgkqhkiG9w0BAQEFAASCAUEwggE9\nline-two-of-the-secret\n-----END KEY-----"
    secrets = f'# deploy secrets\nOPENAI_API_KEY=sk-test-abcdef123456\nPRIVATE_KEY<<EOF\n{pem}\nEOF\nQUOTED="with spaces inside"\n'
    variables = "MODEL_ID=org/model\nGREETING<<END\nhello\nworld\nEND\n"
    result = action.run(
        {"space": "user/env", "hf-token": TOKEN, "secrets": secrets, "variables": variables}
    ).assert_ok()
    repo = hub.repo("user/env")
    assert repo.secrets == {
        "OPENAI_API_KEY": "sk-test-abcdef123456",
        "PRIVATE_KEY": pem,
        "QUOTED": "with spaces inside",
    }
    assert {k: v["value"] for k, v in repo.variables.items()} == {
        "MODEL_ID": "org/model",
        "GREETING": "hello\nworld",
    }
    for value in ("sk-test-abcdef123456", "line-two-of-the-secret", "with spaces inside"):
        assert f"::add-mask::{value}" in result.stdout
    leak_guard.append("line-two-of-the-secret")
    # A redeploy with the same values changes nothing and restarts nothing.
    restarts = hub.counters.restarts
    again = action.run(
        {"space": "user/env", "hf-token": TOKEN, "secrets": secrets, "variables": variables}
    ).assert_ok()
    assert hub.counters.restarts == restarts
    assert "secrets to set: none" in again.stdout
    # A changed value is set again.
    action.run(
        {
            "space": "user/env",
            "hf-token": TOKEN,
            "secrets": secrets.replace("abcdef123456", "zyxwvu987654"),
        }
    ).assert_ok()
    assert hub.repo("user/env").secrets["OPENAI_API_KEY"] == "sk-test-zyxwvu987654"


@both_lanes
def test_large_binary_goes_through_lfs(action, hub):
    copy_example("gradio-hello", action.workspace)
    blob = os.urandom(12 * 1024 * 1024)
    (action.workspace / "model.bin").write_bytes(blob)
    result = action.run(
        {"space": "user/lfs", "hf-token": TOKEN}, env={"HF_DEPLOY_PROGRESS_SECONDS": "0"}
    ).assert_ok()
    entry = hub.repo("user/lfs").files["model.bin"]
    assert (
        "  uploaded 12.0 MB of 12.0 MB (99%)" in result.stdout
        or "of 12.0 MB (100%)" in result.stdout
    )
    import hashlib

    assert entry.lfs_sha256 == hashlib.sha256(blob).hexdigest() and entry.size == len(blob)
    if hub.settings.xet:  # production: through hf_xet to the CAS, no classic LFS upload
        assert hub.counters.cas_xorb_bytes >= len(blob) and entry.xet_hash
        assert hub.counters.requests["PUT /lfs-upload/{oid}"] == 0
    else:
        assert hub.counters.requests["PUT /lfs-upload/{oid}"] >= 1


def test_symlink_pointing_outside_the_workspace_is_not_uploaded(action, hub, tmp_path):
    copy_example("gradio-hello", action.workspace)
    outside = tmp_path / "outside-secret.txt"
    outside.write_text("private key material\n")
    (action.workspace / "leak.txt").symlink_to(outside)
    (action.workspace / "inside-link.txt").symlink_to(action.workspace / "requirements.txt")
    (action.workspace / "loop").symlink_to(action.workspace)
    result = action.run({"space": "user/links", "hf-token": TOKEN}).assert_ok()
    files = hub.repo("user/links").files
    assert "leak.txt" not in files
    assert files["inside-link.txt"].content == (action.workspace / "requirements.txt").read_bytes()
    assert not any(p.startswith("loop/") for p in files)
    assert any("leak.txt" in w and "outside the workspace" in w for w in result.warnings)


def test_dry_run_prints_the_plan_and_changes_nothing(action, hub):
    copy_example("gradio-hello", action.workspace)
    result = action.run(
        {
            "space": "user/dry",
            "hf-token": TOKEN,
            "dry-run": "true",
            "secrets": "TOKEN_X=abcdefgh1234",
            "hardware": "cpu-upgrade",
        }
    ).assert_ok()
    assert hub.repo("user/dry") is None
    assert hub_writes(hub) == []
    assert "+ 'app.py'" in result.stdout and "create the Space" in result.stdout
    assert "secrets to set: TOKEN_X" in result.stdout
    assert "Dry run" in result.summary


def test_existing_space_settings_are_brought_to_what_was_asked(action, hub):
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/cfg", "hf-token": TOKEN}).assert_ok()
    repo = hub.repo("user/cfg")
    assert repo.private is False and repo.hardware == "cpu-basic"
    hub.set_quota(pro=True)  # cpu-upgrade is paid hardware
    hub.counters.reset()
    action.run(
        {"space": "user/cfg", "hf-token": TOKEN, "visibility": "private", "hardware": "cpu-upgrade"}
    ).assert_ok()
    assert repo.private is True and repo.hardware == "cpu-upgrade"
    hub.counters.reset()
    action.run(
        {"space": "user/cfg", "hf-token": TOKEN, "visibility": "private", "hardware": "cpu-upgrade"}
    ).assert_ok()
    # Already as asked, but `private: true` may be a protected Space: only the visibility is sent.
    assert hub_writes(hub) == ["PUT /api/{type}s/{repo}/settings"]
    hub.settings.variants.protected_info = (
        ProtectedInfo.FIELD_AS_PRIVATE
    )  # an info that states the visibility
    hub.counters.reset()
    action.run(
        {"space": "user/cfg", "hf-token": TOKEN, "visibility": "private", "hardware": "cpu-upgrade"}
    ).assert_ok()
    assert hub_writes(hub) == []  # proven as asked: nothing sent


def test_paid_hardware_without_a_plan_fails_before_anything_changes(action, hub):
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/paid", "hf-token": TOKEN}).assert_ok()
    commits = len(hub.repo("user/paid").commits)
    result = action.run(
        {"space": "user/paid", "hf-token": TOKEN, "hardware": "t4-small", "visibility": "private"}
    )
    assert result.returncode == 1 and "402" in result.errors[0] and "cpu-basic" in result.errors[0]
    repo = hub.repo("user/paid")
    assert repo.hardware == "cpu-basic" and repo.private is False and len(repo.commits) == commits


def test_space_name_without_owner_means_the_tokens_user(action, hub):
    copy_example("static-site", action.workspace)
    result = action.run({"space": "plain-name", "hf-token": TOKEN}).assert_ok()
    assert result.outputs["space-id"] == "user/plain-name"
    assert hub.repo("user/plain-name") is not None


def test_large_plain_git_files_are_not_reread_on_redeploy(action, hub):
    """A large file committed to git without LFS: git knows its blob id, the Hub its sha256. The deploy
    commit records both, so the next deploy matches it without reading it; a change is still seen."""
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "weights.bin").write_bytes(os.urandom(11 * 1024 * 1024))
    git_init(action.workspace)
    action.run({"space": "user/plainbig", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    head = hub.repo("user/plainbig").commits[-1]
    assert "Hf-Deploy-Blob: " in head.message and " weights.bin" in head.message
    hub.counters.reset()
    again = action.run({"space": "user/plainbig", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert "Nothing changed" in again.stdout
    assert hub.counters.requests["GET /api/{type}s/{repo}/commits/{rev}"] == 1
    assert sum(hub.counters.requests.values()) == 3  # whoami, info with blob ids, the head commit
    # Same size, different content, committed to git: seen as changed without hashing the old content.
    (action.workspace / "weights.bin").write_bytes(os.urandom(11 * 1024 * 1024))
    git_init_commit(action.workspace)
    changed = action.run({"space": "user/plainbig", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert changed.outputs["changed-files"] == "weights.bin"
    assert (
        hub.repo("user/plainbig").files["weights.bin"].content
        == (action.workspace / "weights.bin").read_bytes()
    )


def git_init_commit(path):
    import subprocess

    for args in (["add", "-A"], ["commit", "-qm", "next"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=path, check=True
        )


def test_wait_false_does_not_report_the_stale_stage(action, hub):
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/nowait", "hf-token": TOKEN}).assert_ok()
    (action.workspace / "app.py").write_text("import gradio as gr\n# v2\n")
    hub.counters.reset()
    result = action.run({"space": "user/nowait", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert result.outputs["stage"] == ""  # the runtime would still say RUNNING for the old build
    assert hub.counters.requests["GET /api/spaces/{repo}/runtime"] == 0
    assert result.outputs["commit-sha"] == hub.repo("user/nowait").head


def test_counts_of_one_are_singular_and_the_duration_is_one_measurement(action, hub):
    """ "Upload: 1 file, …; 1 deletion" (not "1 files … 1 deletions"), and the summary's Duration is
    the log's "Done in" (one measurement of the run, not two taken at different points)."""
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "extra.txt").write_text("to be removed\n")
    action.run({"space": "user/one", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    (action.workspace / "extra.txt").unlink()
    (action.workspace / "app.py").write_text((action.workspace / "app.py").read_text() + "\n#\n")
    dry = action.run({"space": "user/one", "hf-token": TOKEN, "dry-run": "true"}).assert_ok()
    assert any("Dry run: 1 file would be uploaded, 1 deleted;" in n for n in dry.notices)
    result = action.run({"space": "user/one", "hf-token": TOKEN}).assert_ok()
    (upload,) = [line for line in result.stdout.splitlines() if "Upload: " in line]
    assert upload.startswith("::group::Upload: 1 file, ") and upload.endswith("; 1 deletion")
    done = re.search(r"^Done in (\d+\.\d)s: ", result.stdout, re.M)
    summary = re.search(r"^\| Duration \| (\d+\.\d) s \|$", result.summary, re.M)
    assert done and summary and done.group(1) == summary.group(1), (done, summary)


def test_a_first_deploy_reads_the_space_once_it_is_created_and_not_again_after_its_commit(
    action, hub
):
    """Each request of a first deploy is a round trip on a distant link (bench/results.md, one 900 MB
    file): the Space is read before (not found) and once created (its head, for parentCommit, and
    its host), not a third time after the commit; the app's URL comes from that read."""
    copy_example("static-site", action.workspace)
    hub.counters.reset()
    result = action.run({"space": "user/fresh", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert hub.counters.requests["GET /api/{type}s/{repo}"] == 2
    assert hub.counters.requests["GET /api/whoami-v2"] == 1
    assert result.outputs["app-url"] == "https://user-fresh.hf.space"


def test_the_space_is_read_while_the_token_is_checked(action, hub):
    """A deploy to owner/name asks for the Space's info without waiting for whoami's answer (one round
    trip less on a distant link): whoami is held until the info request has arrived, or 5 s."""
    import threading

    copy_example("static-site", action.workspace)
    asked, overlapped = threading.Event(), []
    hub.faults.add("GET", r"^/api/spaces/user/overlap$", before=asked.set)
    hub.faults.add("GET", r"^/api/whoami-v2$", before=lambda: overlapped.append(asked.wait(5)))
    action.run({"space": "user/overlap", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert overlapped == [True]
    assert hub.counters.requests["GET /api/whoami-v2"] == 1


def test_a_space_read_ahead_of_the_token_check_is_tried_once_then_read_again(action, hub):
    """The read asked while whoami is is not retried (nothing may need it: the token may fail); when
    it fails, the deploy reads the Space again with retries, and says so once, without the transport's retry lines."""
    copy_example("static-site", action.workspace)
    hub.faults.add("GET", r"^/api/spaces/user/again$", status=503)
    result = action.run({"space": "user/again", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert result.stdout.count("retry") == 1  # said once, not the transport's retry lines
    assert "asked while the token was checked, failed (HfHubHTTPError); retry" in result.stdout
    assert hub.counters.requests["GET /api/{type}s/{repo}"] == 3  # 503, again (not found), created
    assert hub.repo("user/again") is not None


def test_a_failed_token_check_writes_nothing_though_the_space_was_read(action, hub):
    """The read ahead is only a read: with a token that may not write, nothing is created."""
    copy_example("static-site", action.workspace)
    result = action.run({"space": "someone-else/theirs", "hf-token": TOKEN, "wait": "false"})
    assert result.returncode == 1 and len(result.errors) == 1, result.stdout
    assert hub.repo("someone-else/theirs") is None
    assert not hub_writes(hub)
