"""Promises of the README that a test must catch when the code behind them is removed: each test here
was checked by deleting that code once (named in the docstring) and seeing it fail.

All run the entrypoint as the runner does, against the Hub simulator."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.action_runner import ROOT
from tests.conftest import TOKEN, copy_example, git_init


def other_writer(hub, space_id: str, changes: dict[str, bytes]):
    """A hook for hubsim: someone else (the web editor, another workflow) commits to the Space."""

    def commit() -> None:
        repo = hub.repo(space_id)
        files = dict(repo.files)
        files.update({path: hub.store_regular(data) for path, data in changes.items()})
        hub.apply_commit(repo, files, "Edit from the web UI", "", "colleague")

    return commit


def local_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def test_a_commit_landing_between_plan_and_commit_is_planned_again(action, hub):
    """Another writer's commit lands after our plan, before our commit: the Hub answers 412 and only a
    re-plan against the new head (`plan = replan()` in the commit step) ends with exactly our files."""
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/moved", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    (action.workspace / "b.txt").write_text("ours\n")
    edit = {"requirements.txt": b"colleague-edit==1.0\n", "theirs.txt": b"from the web UI\n"}
    rule = hub.faults.add(
        method="POST", path=r"/commit/", before=other_writer(hub, "user/moved", edit)
    )
    result = action.run({"space": "user/moved", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    repo = hub.repo("user/moved")
    assert rule.hits == 1
    assert repo.commits[-2].title == "Edit from the web UI"  # theirs landed first
    assert "planning again" in result.stdout
    ours = local_files(action.workspace)
    assert repo.files["requirements.txt"].content == ours["requirements.txt"]
    assert "theirs.txt" not in repo.files and repo.files["b.txt"].content == b"ours\n"
    assert result.outputs["commit-sha"] == repo.head
    assert result.outputs["changed-files"].splitlines() == [
        "b.txt",
        "requirements.txt",
        "theirs.txt",
    ]


def test_secret_values_are_scrubbed_from_our_own_text(action, hub, leak_guard):
    """The Hub may echo a value back in an error: the error line must show `***`, not the value
    (`Runner.scrub`); the runner's own masking does not cover the outputs, the summary or a CLI log."""
    copy_example("gradio-hello", action.workspace)
    value = "sk-live-4f9a8b7c6d5e3a2b"
    hub.faults.add(
        method="POST", path=r"/secrets$", status=400, message=f"Invalid secret value '{value}'"
    )
    result = action.run({"space": "user/echo", "hf-token": TOKEN, "secrets": f"API_KEY={value}"})
    assert result.returncode == 1 and len(result.errors) == 1, result.stdout
    assert "The Hub said: Invalid secret value '***'" in result.errors[0]
    printed = [line for line in result.stdout.splitlines() if not line.startswith("::add-mask::")]
    assert not any(value in line for line in printed)


@pytest.mark.parametrize(
    "block,values",
    [
        (
            "API_KEY=sk-live-abcdef123456\nhunter2-pasted-without-a-key\n",
            ["sk-live-abcdef123456", "hunter2-pasted-without-a-key"],
        ),
        (
            "PEM<<EOF\n-----BEGIN KEY-----\nMIIBVwIBADANBgkqhkiG9w0B\n",  # never closed
            ["-----BEGIN KEY-----", "MIIBVwIBADANBgkqhkiG9w0B"],
        ),
        ("1BAD=sk-live-zyxw98765432\n", ["sk-live-zyxw98765432"]),  # invalid name
        (
            "A=sk-live-one-111111\nA=sk-live-two-222222\n",
            ["sk-live-one-111111", "sk-live-two-222222"],
        ),
    ],
    ids=["line-without-key", "unclosed-heredoc", "invalid-name", "duplicate-key"],
)
def test_a_malformed_secrets_block_is_masked_before_anything_is_printed(
    action, hub, leak_guard, block, values
):
    """The README: every value is masked, even in a block we cannot parse (`values_to_mask`), and before
    the first line that is not a mask."""
    copy_example("gradio-hello", action.workspace)
    leak_guard.extend(values)
    result = action.run({"space": "user/app", "hf-token": TOKEN, "secrets": block})
    assert result.returncode == 1 and len(result.errors) == 1, result.stdout
    assert "Input 'secrets'" in result.errors[0]
    lines = result.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if not line.startswith("::add-mask::"))
    masked = {line.removeprefix("::add-mask::") for line in lines[:first]}
    assert set(values) <= masked, (values, masked)
    assert hub.counters.commits == 0


def lfs_pointer(data: bytes) -> bytes:
    """What a checkout without `lfs: true` leaves in place of `data`."""
    digest = hashlib.sha256(data).hexdigest()
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{digest}\nsize {len(data)}\n".encode()


def test_a_pointer_never_replaces_real_content_on_the_space(action, hub):
    """A checkout without `lfs: true` leaves a 130-byte pointer: it must not replace the model on the
    Space (the refusal in the plan's comparison), and nothing is written."""
    copy_example("gradio-hello", action.workspace)
    model = b"\0weights" + os.urandom(64 * 1024)
    (action.workspace / "model.bin").write_bytes(model)
    action.run({"space": "user/model", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    repo = hub.repo("user/model")
    head, commits = repo.head, hub.counters.commits
    (action.workspace / "model.bin").write_bytes(lfs_pointer(b"\0a newer model" + os.urandom(99)))
    result = action.run({"space": "user/model", "hf-token": TOKEN, "wait": "false"})
    assert result.returncode == 1 and len(result.errors) == 1, result.stdout
    assert "Git LFS pointer" in result.errors[0] and "lfs: true" in result.errors[0]
    assert repo.head == head and hub.counters.commits == commits
    assert repo.files["model.bin"].lfs_sha256 == hashlib.sha256(model).hexdigest()


def test_a_pointer_to_content_the_space_has_counts_as_unchanged(action, hub):
    """A pointer whose sha256 the Space already stores is the same file: no refusal, no commit."""
    copy_example("gradio-hello", action.workspace)
    model = b"\0weights" + os.urandom(64 * 1024)
    (action.workspace / "model.bin").write_bytes(model)
    action.run({"space": "user/same-model", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    commits = hub.counters.commits
    (action.workspace / "model.bin").write_bytes(lfs_pointer(model))
    result = action.run({"space": "user/same-model", "hf-token": TOKEN, "wait": "false"})
    result.assert_ok()
    assert "Nothing changed" in result.stdout and result.outputs["changed-files"] == ""
    assert hub.counters.commits == commits


AUDIT_HOOK = """
import atexit, os, sys
_root, _opened = os.environ["AUDIT_ROOT"], []
def _hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        if path.startswith(_root):
            _opened.append(path[len(_root):])
sys.addaudithook(_hook)
@atexit.register
def _write():
    names = "\\n".join(_opened)
    with open(os.environ["AUDIT_LOG"], "w") as fh:
        fh.write(names)
"""


def test_tracked_unchanged_files_are_matched_by_git_blob_id_without_being_read(
    action, hub, tmp_path
):
    """The README: tracked files are compared "without even being read". An audit hook in the action's
    process records every file it opens; a file git does not vouch for is read (the hook works)."""
    copy_example("gradio-hello", action.workspace)
    data = action.workspace / "data"
    data.mkdir()
    for i in range(4):
        (data / f"part{i}.csv").write_text(f"row,{i}\n" * 500)
    git_init(action.workspace)
    action.run({"space": "user/unread", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    (data / "part0.csv").write_text("ROW,0\n" * 500)  # same size, changed, not committed
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(AUDIT_HOOK)
    log = tmp_path / "opened.txt"
    env = {
        "PYTHONPATH": f"{hooks}{os.pathsep}{ROOT}",
        "AUDIT_ROOT": f"{action.workspace.resolve()}/",
        "AUDIT_LOG": str(log),
    }
    result = action.run({"space": "user/unread", "hf-token": TOKEN, "wait": "false"}, env=env)
    result.assert_ok()
    opened = set(log.read_text().splitlines())
    assert "data/part0.csv" in opened  # modified since the checkout: read and uploaded
    assert result.outputs["changed-files"] == "data/part0.csv"
    assert not {f"data/part{i}.csv" for i in (1, 2, 3)} & opened, sorted(opened)


def test_short_secret_values_never_corrupt_our_own_text(action, hub):
    """Values like `1` or `on` cannot be hidden usefully: masking them would turn every `1` of a commit
    sha, a URL or a duration into `***`. They are set on the Space, not masked, and we say so."""
    copy_example("gradio-hello", action.workspace)
    secrets = "DEBUG=1\nFLAG=on\nAPI_KEY=sk-live-long-value-1234\n"
    result = action.run({"space": "user/onion-101", "hf-token": TOKEN, "secrets": secrets})
    result.assert_ok()
    repo = hub.repo("user/onion-101")
    assert repo.secrets == {"DEBUG": "1", "FLAG": "on", "API_KEY": "sk-live-long-value-1234"}
    out = result.outputs
    assert out["space-id"] == "user/onion-101" and out["commit-sha"] == repo.head
    assert out["space-url"] == f"{hub.url}/spaces/user/onion-101"
    assert not any("***" in v for v in out.values()), out
    assert "***" not in result.stdout + result.summary
    assert "::add-mask::sk-live-long-value-1234" in result.stdout
    assert "::add-mask::1" not in result.stdout.splitlines()
    assert "::add-mask::on" not in result.stdout.splitlines()
    assert any("DEBUG" in w and "FLAG" in w and "not masked" in w for w in result.warnings)


def test_a_space_that_keeps_changing_gives_up_with_the_advice(action, hub):
    """A commit lands before each of our attempts: after the last 412 the error says so and how to fix
    it (a concurrency group), not a bare 'Hub answered 412'."""
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/busy", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    (action.workspace / "b.txt").write_text("ours\n")
    edits = iter(range(100))
    hub.faults.add(
        method="POST",
        path=r"/commit/",
        times=100,
        before=lambda: other_writer(hub, "user/busy", {"theirs.txt": b"%d\n" % next(edits)})(),
    )
    result = action.run({"space": "user/busy", "hf-token": TOKEN, "wait": "false"})
    assert result.returncode == 1 and len(result.errors) == 1, result.stdout
    assert "kept changing" in result.errors[0] and "concurrency" in result.errors[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert "b.txt" not in hub.repo("user/busy").files


def test_a_gitignore_already_on_the_space_drops_none_of_the_planned_files(action, hub):
    """Whether the Hub reads an empty `gitIgnore` as "none" or as "use the Space's .gitignore" is not
    documented: hubsim takes the second reading, and the deploy must still upload every planned file."""
    copy_example("static-site", action.workspace)
    (action.workspace / ".gitignore").write_text("dist/\n")
    (action.workspace / "dist").mkdir()
    (action.workspace / "dist" / "a.js").write_text("a\n")
    action.run({"space": "user/ign", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert ".gitignore" in hub.repo("user/ign").files
    (action.workspace / "dist" / "b.js").write_text("b\n")
    result = action.run({"space": "user/ign", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert result.outputs["changed-files"] == "dist/b.js"
    assert hub.repo("user/ign").files["dist/b.js"].content == b"b\n"


def test_an_unretried_failure_does_not_claim_retries(action, hub):
    """501 is not retried: the error must not say 'gave up after 5 attempts'."""
    copy_example("gradio-hello", action.workspace)
    hub.faults.add(method="GET", path=r"/whoami", status=501, times=100)
    result = action.run({"space": "user/x", "hf-token": TOKEN})
    assert result.returncode == 1 and len(result.errors) == 1, result.stdout
    assert "(501)" in result.errors[0] and "gave up" not in result.errors[0]
    assert hub.counters.requests["GET /api/whoami-v2"] == 1


def test_the_retry_count_in_the_error_is_the_real_one(action, hub):
    """A long Retry-After exhausts the wait budget after 3 tries (scaled: 0.6 s each, 1.2 s in all)."""
    copy_example("gradio-hello", action.workspace)
    hub.faults.add(method="GET", path=r"/whoami", status=503, times=100, retry_after=100)
    result = action.run({"space": "user/x", "hf-token": TOKEN})
    assert result.returncode == 1 and len(result.errors) == 1, result.stdout
    tries = hub.counters.requests["GET /api/whoami-v2"]
    assert f"gave up after {tries} attempts" in result.errors[0] and tries == 3


def test_an_unreachable_hub_states_the_attempts_made(action):
    """A connection refused on every try: the error counts the attempts the transport really made."""
    import socket

    copy_example("gradio-hello", action.workspace)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    result = action.run(
        {"space": "user/x", "hf-token": TOKEN}, env={"HF_ENDPOINT": f"http://127.0.0.1:{port}"}
    )
    assert result.returncode == 1 and len(result.errors) == 1, result.stdout
    assert f"Could not reach the Hub at http://127.0.0.1:{port} while trying" in result.errors[0]
    assert "(gave up after 5 attempts)" in result.errors[0]
    assert result.stdout.count("retry ") == 4
    # The run's HF_ENDPOINT is the host the retry lines call the Hub (transport.install).
    assert "Hub ConnectError on GET /api/whoami-v2; retry 1/4" in result.stdout, result.stdout


def test_progress_counts_only_the_bytes_that_are_uploaded_as_files(action, hub):
    """Small text files travel inside the commit request: the progress total is the large files alone."""
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "model.bin").write_bytes(b"\0" + os.urandom(12 * 1024 * 1024 - 1))
    (action.workspace / "notes.txt").write_text("inline text\n" * 250_000)  # 3 MB, sent inline
    result = action.run(
        {"space": "user/progress", "hf-token": TOKEN, "wait": "false"},
        env={"HF_DEPLOY_PROGRESS_SECONDS": "0", "HF_HUB_DISABLE_XET": "1"},  # the LFS path
    ).assert_ok()
    assert hub.repo("user/progress").files["model.bin"].lfs_sha256 is not None
    lines = [line for line in result.stdout.splitlines() if "uploaded " in line]
    assert lines and all(" of 12.0 MB" in line for line in lines), lines
    assert "(100%)" in lines[-1] or "(99%)" in lines[-1]
