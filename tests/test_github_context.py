"""The workflow run is read once, at the front door (github/context.py): its variables, the runner's
files and the step's inputs; a scan of the package holds that nothing else reads them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import hf_action
from hf_action.github.context import GitHubContext, step_inputs

PACKAGE = Path(hf_action.__file__).parent
CONTEXT = PACKAGE / "github" / "context.py"
#: A variable of the runner's, named whole: what a read (`env.get(...)`, `env[...]`, `in env`) takes.
RUNNER_VARIABLE = re.compile(r"(GITHUB|RUNNER|INPUT)_[A-Z0-9_-]+")


def _named_variables(path: Path) -> list[str]:
    """The string constants of a module that name a runner's variable (a message quoting one in a
    sentence is no read), and f-strings that start with one's prefix."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            text = first.value if isinstance(first, ast.Constant) else ""
            text = text + "X" if text.endswith("_") else text
        else:
            continue
        if RUNNER_VARIABLE.fullmatch(text):
            found.append((node.lineno, f"{path.name}:{node.lineno} {text}"))
    return [hit for _, hit in sorted(found)]


def test_no_runner_variable_is_read_outside_the_context_module():
    reads = [
        hit
        for path in sorted([*PACKAGE.rglob("*.py"), PACKAGE.parent / "entrypoint.py"])
        if path != CONTEXT
        for hit in _named_variables(path)
    ]
    assert not reads, "read these through GitHubContext (github/context.py): " + "; ".join(reads)


def test_the_scan_sees_every_way_of_naming_a_variable(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        'env.get("GITHUB_SHA")\nenv["RUNNER_TEMP"]\n"GITHUB_OUTPUT" in env\nf"INPUT_{name}"\n'
        'print("GITHUB_TOKEN is read-only on forks")\n'
    )
    assert [hit.rsplit(" ", 1)[1] for hit in _named_variables(probe)] == [
        "GITHUB_SHA",
        "RUNNER_TEMP",
        "GITHUB_OUTPUT",
        "INPUT_X",
    ]
    assert _named_variables(CONTEXT), "the context module itself reads them"


def test_the_context_reads_the_runners_variables(tmp_path, monkeypatch):
    env = {
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_SERVER_URL": "https://ghe.example/",
        "GITHUB_API_URL": "https://ghe.example/api/v3/",
        "GITHUB_RUN_ID": "7",
        "GITHUB_WORKSPACE": str(tmp_path),
    }
    github = GitHubContext.from_env(env)
    assert github.api_url == "https://ghe.example/api/v3"
    assert github.run_url == "https://ghe.example/o/r/actions/runs/7"
    assert github.workspace == tmp_path.resolve()
    assert GitHubContext.from_env({}).api_url == "https://api.github.com"
    assert GitHubContext.from_env({"GITHUB_REPOSITORY": "o/r"}).run_url is None
    monkeypatch.chdir(tmp_path)
    assert GitHubContext.from_env({}).workspace == tmp_path.resolve()


def test_the_entrypoint_speaks_the_runners_protocol_inside_a_job():
    assert GitHubContext.from_env({"GITHUB_ACTIONS": "true"}).in_runner
    assert GitHubContext.from_env({"GITHUB_OUTPUT": "/tmp/x"}).in_runner
    assert not GitHubContext.from_env({"GITHUB_ACTIONS": "false"}).in_runner
    assert not GitHubContext.from_env({"GITHUB_OUTPUT": "/tmp/x"}).actions  # the CLI's test


def test_step_inputs_take_hyphens_or_underscores():
    env = {"INPUT_HF-TOKEN": "a", "INPUT_DRY_RUN": "true", "INPUT_OTHER": "x", "HOME": "/"}
    assert step_inputs(env) == {"hf-token": "a", "dry-run": "true"}
    assert step_inputs({"INPUT_HF-TOKEN": "hyphen", "INPUT_HF_TOKEN": "underscore"}) == {
        "hf-token": "hyphen"
    }
