"""`python -m hf_action`: the flags, and deploys through the CLI against the Hub simulator, compared with
the GitHub entrypoint run the way the runner runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from hf_action import __version__
from hf_action.app.cli import GROUPS, build_parser, raw_inputs
from hf_action.github.context import step_inputs
from hubsim import HubSim, LifecycleTimings, Settings
from tests.action_runner import ROOT, parse_outputs
from tests.conftest import TOKEN, copy_example, find_leaks

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
OUTPUTS = tuple(ACTION["outputs"])
DECLARED = {name: (spec or {}).get("default") for name, spec in ACTION["inputs"].items()}


def cli(
    args: list[str],
    *,
    cwd: Path,
    hub_url: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m hf_action` in a fresh process, outside any GitHub job."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INPUT_", "GITHUB_", "HF_", "RUNNER_"))
    }
    base.update({
        "PYTHONPATH": str(ROOT),
        "HF_DEPLOY_POLL_SCALE": "0.05",
        "HF_DEPLOY_BACKOFF_SCALE": "0.01",
    })  # fmt: skip
    if hub_url:
        base["HF_ENDPOINT"] = hub_url
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "hf_action", *args], cwd=cwd, env=base, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


def assert_no_secret(proc: subprocess.CompletedProcess[str], *values: str) -> None:
    leaks = find_leaks([("stdout", proc.stdout), ("stderr", proc.stderr)], list(values))
    assert not leaks, "; ".join(leaks)


def plain_outputs(stdout: str) -> dict[str, str]:
    """The step outputs printed in plain mode, among the log's other lines."""
    return parse_outputs(stdout, names=OUTPUTS)


# --- flags --------------------------------------------------------------------------------


def test_help_reads_well_and_lists_every_flag(tmp_path):
    proc = cli(["--help"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    for name in ACTION["inputs"]:
        assert f"--{name} " in text, f"--{name} missing from --help"
    for title, _ in GROUPS:
        assert f"\n{title}:\n" in text
    assert "HF_TOKEN" in text and "examples:" in text
    assert "(default: hf-preview/{name}-pr-{number})" in " ".join(text.split())  # not cut at '-'
    assert (
        "--dry-run" in text.split("examples:")[1]
        and "--operation restart" in text.split("examples:")[1]
    )
    assert "Traceback" not in proc.stderr


def test_every_input_is_a_flag_and_nothing_else():
    flags = {name for _, group in GROUPS for name, _, _ in group}
    assert flags == set(ACTION["inputs"])
    assert all(text for _, group in GROUPS for _, _, text in group)


def test_help_states_action_ymls_defaults():
    helps = {a.dest: a.help for a in build_parser()._actions}
    for name, default in DECLARED.items():
        if default is not None and "${{" not in default:
            assert (helps[name] or "").endswith(f"(default: {default})"), (name, helps[name])
    assert "(default: ${{" not in str(
        helps["github-token"]
    )  # the runner's expression, not the CLI's


def test_version(tmp_path):
    proc = cli(["--version"], cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == f"hf-deploy {__version__}"


def test_flags_build_the_dict_the_entrypoint_builds():
    """`--name value` gives exactly what the runner's `INPUT_NAME=value` gives the entrypoint."""
    for name in ACTION["inputs"]:
        value = (
            "KEY=v\nOTHER<<EOF\nx\nEOF" if name in ("secrets", "variables") else f"value-of-{name}"
        )
        args = build_parser().parse_args([f"--{name}", value])
        assert (
            raw_inputs(args, {}) == step_inputs({f"INPUT_{name.upper()}": value}) == {name: value}
        )
    assert raw_inputs(build_parser().parse_args([]), {}) == step_inputs({}) == {}


def test_boolean_flags_without_a_value_mean_true():
    args = build_parser().parse_args(["--dry-run", "--wait", "false", "--factory-reboot"])
    assert raw_inputs(args, {}) == {"dry-run": "true", "wait": "false", "factory-reboot": "true"}


def test_hf_token_env_is_used_only_without_the_flag():
    parser = build_parser()
    assert raw_inputs(parser.parse_args([]), {"HF_TOKEN": "hf_env"}) == {"hf-token": "hf_env"}
    assert raw_inputs(parser.parse_args(["--hf-token", "hf_flag"]), {"HF_TOKEN": "hf_env"}) == {
        "hf-token": "hf_flag"
    }


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--timeout", "banana"], "Input 'timeout'"),
        (["--operation", "reboot"], "Input 'operation'"),
        (["--visibility", "secret"], "Input 'visibility'"),
        (["--app-port", "http"], "Input 'app-port'"),
        (["--path", "no-such-folder"], "Input 'path'"),
    ],
)
def test_a_bad_flag_value_is_one_error_line_and_exit_1(tmp_path, args, needle):
    proc = cli(["--space", "user/x", "--hf-token", TOKEN, *args], cwd=tmp_path)
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert_no_secret(proc, TOKEN)


def test_no_token_says_how_to_pass_one_on_the_command_line(tmp_path):
    """The keyless hint (a workflow permission) must not hide the command line's way."""
    proc = cli(["--space", "user/x"], cwd=tmp_path)
    assert proc.returncode == 1 and "Input 'hf-token': is empty" in proc.stderr
    assert "--hf-token or HF_TOKEN" in proc.stderr


def test_an_unknown_flag_is_one_usage_error_line(tmp_path):
    proc = cli(["--space", "user/x", "--spcae", "typo"], cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "error: unrecognized arguments: --spcae typo (see 'python -m hf_action --help')"
    ]


# --- against the simulator -------------------------------------------------------------------


def test_deploy_through_the_cli(hub, tmp_path):
    copy_example("gradio-hello", tmp_path / "app")
    proc = cli(
        ["--space", "user/cli-app", "--hf-token", TOKEN, "--path", "app"],
        cwd=tmp_path,
        hub_url=hub.url,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    repo = hub.repo("user/cli-app")
    assert repo is not None and repo.sdk == "gradio"
    assert repo.files["app.py"].content == (tmp_path / "app/app.py").read_bytes()
    out = plain_outputs(proc.stdout)
    assert set(out) == set(OUTPUTS)
    assert out["space-id"] == "user/cli-app" and out["stage"] == "RUNNING"
    assert out["commit-sha"] == repo.head and out["commit-url"].endswith(f"/commit/{repo.head}")
    assert out["app-url"] == "https://user-cli-app.hf.space"
    assert set(out["changed-files"].splitlines()) >= {"app.py", "requirements.txt", "README.md"}
    assert "::" not in proc.stdout  # plain text, no workflow commands
    assert proc.stderr == ""
    assert_no_secret(proc, TOKEN)


def test_hf_token_from_the_environment(hub, tmp_path):
    copy_example("static-site", tmp_path)
    proc = cli(
        ["--space", "user/site", "--wait", "false"],
        cwd=tmp_path,
        hub_url=hub.url,
        env={"HF_TOKEN": TOKEN},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert hub.repo("user/site") is not None
    assert plain_outputs(proc.stdout)["space-id"] == "user/site"
    assert_no_secret(proc, TOKEN)


def test_secrets_are_set_but_never_printed(hub, tmp_path):
    copy_example("gradio-hello", tmp_path)
    secret = "sk-cli-0123456789abcdef"
    proc = cli(["--space", "user/env", "--secrets", f"API_KEY={secret}", "--variables", "MODE=demo"],
               cwd=tmp_path, hub_url=hub.url, env={"HF_TOKEN": TOKEN})  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert hub.repo("user/env").secrets == {"API_KEY": secret}
    assert "API_KEY" in proc.stdout
    assert_no_secret(proc, TOKEN, secret)


def test_dry_run_then_restart_and_pause(hub, tmp_path):
    copy_example("gradio-hello", tmp_path)
    env = {"HF_TOKEN": TOKEN}
    dry = cli(["--space", "user/ops", "--dry-run"], cwd=tmp_path, hub_url=hub.url, env=env)
    assert dry.returncode == 0 and hub.repo("user/ops") is None
    assert "notice: Dry run" in dry.stdout
    assert cli(["--space", "user/ops"], cwd=tmp_path, hub_url=hub.url, env=env).returncode == 0
    restarts = hub.counters.restarts
    restart = cli(
        ["--space", "user/ops", "--operation", "restart", "--factory-reboot"],
        cwd=tmp_path,
        hub_url=hub.url,
        env=env,
    )
    assert restart.returncode == 0, restart.stdout + restart.stderr
    assert hub.counters.restarts == restarts + 1 and "factory reboot" in restart.stdout
    assert plain_outputs(restart.stdout)["stage"] == "RUNNING"
    pause = cli(
        ["--space", "user/ops", "--operation", "pause"], cwd=tmp_path, hub_url=hub.url, env=env
    )
    assert pause.returncode == 0 and plain_outputs(pause.stdout)["stage"] == "PAUSED"


def test_hub_errors_are_one_line_without_traceback(hub, tmp_path):
    copy_example("gradio-hello", tmp_path)
    proc = cli(
        ["--space", "user/x"],
        cwd=tmp_path,
        hub_url=hub.url,
        env={"HF_TOKEN": "hf_not_a_known_token_1234"},
    )
    assert proc.returncode == 1
    assert (
        proc.stderr.count("error: ") == 1
        and "(401)" in proc.stderr
        and "Traceback" not in proc.stderr
    )
    assert_no_secret(proc, "hf_not_a_known_token_1234")


def test_github_actions_env_switches_to_workflow_commands(hub, tmp_path):
    copy_example("static-site", tmp_path)
    out = tmp_path.parent / f"{tmp_path.name}-output"
    out.touch()
    env = {"HF_TOKEN": TOKEN, "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out)}
    proc = cli(["--space", "user/gh", "--wait", "false"], cwd=tmp_path, hub_url=hub.url, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[0] == f"::add-mask::{TOKEN}"
    assert "::group::Plan" in proc.stdout and "space-id=" not in proc.stdout
    assert "space-id<<ghadelimiter_" in out.read_text()


def _state(sim: HubSim, space_id: str) -> dict:
    repo = sim.repo(space_id)
    assert repo is not None
    return {
        "files": {path: f.content for path, f in repo.files.items()},
        "sdk": repo.sdk,
        "private": repo.private,
        "hardware": repo.hardware,
        "secrets": dict(repo.secrets),
        "variables": {k: v["value"] for k, v in repo.variables.items()},
        "stage": repo.space.runtime_view(time.monotonic())["stage"],
        "commits": len(repo.commits),
    }


def test_entrypoint_and_cli_leave_the_same_hub_state(action, hub, tmp_path):
    """Same inputs, two identical Hubs: one deployed by the GitHub entrypoint, one by the CLI."""
    inputs = {
        "space": "user/same", "path": "api", "app-port": "8000", "visibility": "private",
        "exclude": "*.md\n__pycache__/", "secrets": "DB_PASSWORD=pa55-w0rd-xyz", "variables": "LOG_LEVEL=debug",
        "delete-removed": "true", "timeout": "1m",
    }  # fmt: skip
    copy_example("docker-fastapi", action.workspace / "api")
    (action.workspace / "api" / "NOTES.md").write_text("not deployed\n")
    by_action = action.run({**inputs, "hf-token": TOKEN}).assert_ok()

    other = HubSim(user="user", tokens={TOKEN: "write"}, settings=Settings(time_scale=1.0))
    other.settings.lifecycle = LifecycleTimings(stale=0.15, building=0.25, starting=0.1)
    other.start()
    try:
        workspace = tmp_path / "cli-workspace"
        shutil.copytree(action.workspace, workspace)
        args = [a for name, value in inputs.items() for a in (f"--{name}", value)]
        proc = cli(args, cwd=workspace, hub_url=other.url, env={"HF_TOKEN": TOKEN})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert_no_secret(proc, TOKEN, "pa55-w0rd-xyz")
        assert _state(hub, "user/same") == _state(other, "user/same")
        assert "NOTES.md" not in _state(other, "user/same")["files"]
        by_cli = plain_outputs(proc.stdout)
        same = ("space-id", "app-url", "stage", "changed-files", "preview", "deleted")
        assert {k: by_cli[k] for k in same} == {k: by_action.outputs[k] for k in same}
    finally:
        other.stop()
