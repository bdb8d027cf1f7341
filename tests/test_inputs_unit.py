# ruff: noqa: E501  (a table of exact messages reads better one case per line)
"""Parsing the inputs, in-process: every default, every accepted form, and the one error line for each
kind of bad value (the end-to-end table in test_bad_inputs.py proves nothing reaches the Hub)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hf_action.errors import ActionError, InputError
from hf_action.excludes import PATTERN_HINT
from hf_action.github.context import step_inputs
from hf_action.hub.space import library_hardware
from hf_action.inputs import (
    EnvMode,
    SmokeCheck,
    TokenSource,
    _space,
    input_defaults,
    parse_bool,
    parse_duration,
    parse_inputs,
)

BASE = {"space": "owner/app", "hf-token": "hf_tok"}


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "README_HF.md").write_text("---\nsdk: gradio\n---\n")
    return tmp_path


def parse(ws: Path, **raw: str):
    return parse_inputs(
        {**BASE, **{k.replace("_", "-"): v for k, v in raw.items()}},
        ws,
        hardware_names=lambda wanted: library_hardware(),  # huggingface_hub's SpaceHardware
    )


def error(ws: Path, **raw: str) -> InputError:
    with pytest.raises(InputError) as err:
        parse(ws, **raw)
    return err.value


def test_defaults(ws):
    got = parse(ws)
    assert (got.space, got.token, got.workspace, got.path) == (
        "owner/app",
        "hf_tok",
        ws.resolve(),
        ws.resolve(),
    )
    assert (got.sdk, got.hardware, got.visibility, got.card) == (None, None, None, None)
    assert got.preview_visibility is None
    assert (got.secrets, got.variables, got.exclude) == ({}, {}, ())
    assert (got.delete_removed, got.wait, got.dry_run, got.factory_reboot) == (
        True,
        True,
        False,
        False,
    )
    assert (got.timeout, got.operation, got.preview, got.preview_name) == (
        1200.0,
        "deploy",
        "auto",
        "{name}-pr-{number}",
    )
    assert (got.comment, got.github_token) == (True, None)
    assert (got.preview_hardware, got.preview_sleep_time) == ("cpu-basic", 3600)
    assert (got.preview_secrets, got.preview_variables) == (None, None)
    assert (got.app_port, got.app_file, got.sdk_version, got.sleep_time, got.commit_message) == (
        None,
    ) * 5


def test_blank_values_mean_the_default(ws):
    got = parse(ws, wait="  ", timeout="", path=" ", operation="", preview="")
    assert (
        got.wait
        and got.timeout == 1200.0
        and got.path == ws.resolve()
        and got.operation == "deploy"
    )
    assert got.preview == "auto"


def test_every_value_is_read(ws):
    got = parse(
        ws, space=" name ", hf_token=" hf_x ", path="app", sdk="Docker", hardware="T4-small", visibility="PRIVATE",
        secrets="S=1", variables="V=2", exclude="# c\n\n*.ipynb\n data/ \n", delete_removed="no", app_port="8000",
        app_file="src/app.py", sdk_version=" 5.9.1 ", sleep_time="3600", wait="off", timeout="1h30m", dry_run="yes",
        commit_message="msg", card="README_HF.md", factory_reboot="1", preview="false", preview_name="{name}-{number}",
        preview_visibility="Protected", preview_hardware="A10G-small", preview_sleep_time="600",
        preview_secrets="P=1", preview_variables="# none", github_token="ghp_x", comment="0",
    )  # fmt: skip
    assert (got.space, got.token, got.path) == ("name", "hf_x", (ws / "app").resolve())
    assert (got.sdk, got.hardware, got.visibility) == ("docker", "t4-small", "private")
    assert got.preview_visibility == "protected"
    assert (got.secrets, got.variables, got.exclude) == (
        {"S": "1"},
        {"V": "2"},
        ("*.ipynb", "data/"),
    )
    assert (got.delete_removed, got.app_port, got.app_file, got.sdk_version) == (
        False,
        8000,
        "src/app.py",
        "5.9.1",
    )
    assert (got.sleep_time, got.wait, got.timeout, got.dry_run) == (3600, False, 5400.0, True)
    assert (got.commit_message, got.card, got.factory_reboot) == (
        "msg",
        (ws / "README_HF.md").resolve(),
        True,
    )
    assert (got.preview, got.preview_name) == ("false", "{name}-{number}")
    assert (got.preview_hardware, got.preview_sleep_time) == ("a10g-small", 600)
    assert (got.preview_secrets, got.preview_variables) == ({"P": "1"}, {})
    assert (got.github_token, got.comment) == ("ghp_x", False)  # fmt: skip


def test_env_modes(ws):
    assert (parse(ws).secrets_mode, parse(ws).variables_mode) == (EnvMode.MERGE, EnvMode.MERGE)
    got = parse(ws, secrets_mode=" Exact", variables_mode="exact ")
    assert got.secrets_mode is EnvMode.EXACT and got.variables_mode is EnvMode.EXACT
    got = parse(ws, secrets_mode="exact")
    assert got.secrets_mode is EnvMode.EXACT and got.variables_mode is EnvMode.MERGE


def test_rollback_and_smoke_inputs(ws):
    got = parse(ws)
    assert (got.revision, got.smoke) == ("previous", None)
    got = parse(ws, operation="rollback", revision=" ABCDEF1 ", path="missing")
    assert (got.operation, got.revision, got.path) == ("rollback", "abcdef1", ws.resolve())
    got = parse(ws, smoke_path=" /health?x=1 ", smoke_timeout="30s", smoke_status="401, 307\n500")
    assert got.smoke == SmokeCheck("/health?x=1", 30.0, frozenset({401, 307, 500}))
    assert parse(ws, smoke_path="/").smoke == SmokeCheck("/", 120.0, frozenset())
    assert parse(ws, operation="restart", smoke_path="/").smoke is not None


def test_other_operations_need_no_folder_and_ignore_the_card(ws):
    got = parse(ws, operation="Restart", path="missing", card="missing.md")
    assert got.operation == "restart" and got.path == ws.resolve() and got.card is None


def test_the_token_may_be_optional():
    got = parse_inputs({"space": "a/b"}, Path("."), token_source=TokenSource.KEYLESS)
    assert got.token == "" and got.keyless


@pytest.mark.parametrize(
    "raw,name,message,hint",
    [
        ({"colour": "x"}, "colour", "is not an input of this action.", f"Known inputs: {', '.join(input_defaults())}."),
        ({"space": " "}, "space", "is required.", "Set it to owner/name or name, e.g. space: my-org/my-app."),
        ({"space": "https://hf.co/spaces/a/b"}, "space", "'https://hf.co/spaces/a/b' is not a Space id.", "Use owner/name (not a URL), e.g. my-org/my-app."),
        ({"space": "http://x"}, "space", "'http://x' is not a Space id.", None),
        ({"space": "a/b/c"}, "space", "'a/b/c' is not a Space id.", None),
        ({"space": "a/b--c"}, "space", "'a/b--c' is not a valid Space name.", None),
        ({"hf-token": " "}, "hf-token", "is empty.", None),
        ({"hf-token": "hf_a b"}, "hf-token", "contains whitespace or control characters.", "Copy the token again without spaces or line breaks."),
        ({"hf-token": "hf_\x07"}, "hf-token", "contains whitespace or control characters.", None),
        ({"github-token": "gh p"}, "github-token", "contains whitespace or control characters.", None),
        ({"operation": "reboot"}, "operation", "'reboot' is not allowed.", "Use one of: deploy, restart, pause, delete, cleanup-previews, rollback."),
        ({"sdk": "flask"}, "sdk", "'flask' is not allowed.", None),
        ({"hardware": "gpu"}, "hardware", "'gpu' is not allowed.", None),
        ({"visibility": "internal"}, "visibility", "'internal' is not allowed.", None),
        ({"preview-visibility": "unlisted"}, "preview-visibility", "'unlisted' is not allowed.", "Use one of: public, private, protected."),
        ({"preview": "maybe"}, "preview", "'maybe' is not allowed.", "Use one of: auto, true, false."),
        ({"wait": "sometimes"}, "wait", "expected true or false, got 'sometimes'.", None),
        ({"timeout": "soon"}, "timeout", "'soon' is not a duration.", "Use seconds (1200) or a unit: 90s, 20m, 1h."),
        ({"timeout": "0"}, "timeout", "'0' is out of range.", "Use a duration between 1s and 6h."),
        ({"timeout": "6h1s"}, "timeout", "'6h1s' is out of range.", None),
        ({"timeout": "h"}, "timeout", "'h' is not a duration.", None),
        ({"app-port": "80a"}, "app-port", "'80a' is not a whole number.", "Use the port your app listens on, e.g. 7860 or 8000."),
        ({"app-port": "0"}, "app-port", "0 is out of range.", None),
        ({"app-port": "65536"}, "app-port", "65536 is out of range.", None),
        ({"app-port": "1234567890"}, "app-port", "'1234567890' is not a whole number.", None),
        ({"sleep-time": "59"}, "sleep-time", "59 is out of range.", "Use seconds between 60 and 604800, or -1 to never sleep (paid hardware)."),
        ({"sleep-time": "0"}, "sleep-time", "0 is out of range.", None),
        ({"sleep-time": "604801"}, "sleep-time", "604801 is out of range.", None),
        ({"sleep-time": "-2"}, "sleep-time", "-2 is out of range.", None),
        ({"path": "../elsewhere"}, "path", "'../elsewhere' points outside the workspace.", "Give a path inside the checked-out repository."),
        ({"path": "nope"}, "path", "'nope' does not exist in the workspace.", "Check the folder name, and that actions/checkout ran."),
        ({"path": "README_HF.md"}, "path", "'README_HF.md' is a file, not a folder.", "Give the folder that holds the app."),
        ({"path": "a\0b"}, "path", "contains a NUL byte.", None),
        ({"card": "app"}, "card", "'app' is not a file in the workspace.", "Give the path of the card file, e.g. README_HF.md."),
        ({"exclude": "[abc"}, "exclude", "'[abc' matches nothing (git drops it: an unclosed '[' or a bare '/').", PATTERN_HINT),
        ({"exclude": "a/../b"}, "exclude", "'a/../b' has a '.' or '..' part: patterns are matched inside 'path', from its root (anchor one there with a leading '/', e.g. '/data/').", None),
        ({"app-file": "../app.py"}, "app-file", "'../app.py' must be a relative path inside 'path'.", "For example: app.py or src/app.py."),
        ({"app-file": "/app.py"}, "app-file", "'/app.py' must be a relative path inside 'path'.", None),
        ({"app-file": "src\\app.py"}, "app-file", "'src\\\\app.py' must be a relative path inside 'path'.", None),
        ({"sdk-version": "latest"}, "sdk-version", "'latest' is not a version.", "Use a version like 5.9.1."),
        ({"sdk-version": "1.2.3.4"}, "sdk-version", "'1.2.3.4' is not a version.", None),
        ({"commit-message": "x" * 4097}, "commit-message", "is longer than 4096 characters.", None),
        ({"preview-name": "{name}-pr"}, "preview-name", "'{name}-pr' must contain {number}.", "For example: {name}-pr-{number}."),
        ({"secrets": "A=1\nA=2"}, "secrets", "secret 'A' is given twice", "Write one KEY=VALUE per line, or KEY<<EOF ... EOF for multi-line values."),
        ({"variables": "bad line"}, "variables", "line 1 of variables is not KEY=VALUE or KEY<<DELIMITER (write one variable per line)", None),
        ({"secrets": "K=1", "variables": "K=2"}, "variables", "'K' is also given as a secret.", "A name can be a secret or a variable, not both."),
        ({"preview-secrets": "K=1", "preview-variables": "K=2"}, "preview-variables", "'K' is also given as a secret and a variable of the previews.", None),
        ({"preview-secrets": "K=1", "variables": "K=2"}, "preview-secrets", "'K' is also given as a secret and a variable of the previews.", None),
        ({"secrets": "K=1", "preview-variables": "K=2"}, "preview-variables", "'K' is also given as a secret and a variable of the previews.", None),
        ({"preview-hardware": "gpu"}, "preview-hardware", "'gpu' is not allowed.", None),
        ({"preview-sleep-time": "30"}, "preview-sleep-time", "30 is out of range.", None),
        ({"preview-secrets": "novalue"}, "preview-secrets", "line 1 of preview-secrets is not KEY=VALUE or KEY<<DELIMITER (write one preview-secret per line)", None),
        ({"revision": "HEAD~1"}, "revision", "'head~1' is not a commit sha.", "Give a commit of the Space (7 to 40 hex digits, from its History page) or previous."),
        ({"revision": "abc12"}, "revision", "'abc12' is not a commit sha.", None),
        ({"smoke-path": "health"}, "smoke-path", "'health' is not a path of the app.", "Give a path starting with '/', without spaces, e.g. / or /health."),
        ({"smoke-path": "/a b"}, "smoke-path", "'/a b' is not a path of the app.", None),
        ({"smoke-path": "/", "operation": "pause"}, "smoke-path", "is not used with operation pause.", "Use it with operation deploy, rollback, restart."),
        ({"smoke-path": "/", "wait": "false"}, "smoke-path", "needs wait: true (the app is called once the Space runs this commit).", "Remove wait: false, or the smoke-path."),
        ({"smoke-timeout": "0"}, "smoke-timeout", "'0' is out of range.", None),
        ({"smoke-status": "200,abc"}, "smoke-status", "'abc' is not an HTTP status.", "List statuses from 100 to 599 that also pass, e.g. 401 or 302, 307."),
        ({"smoke-status": "600"}, "smoke-status", "'600' is not an HTTP status.", None),
        ({"secrets-mode": "replace"}, "secrets-mode", "'replace' is not allowed.", "Use one of: merge, exact."),
        ({"variables-mode": "strict"}, "variables-mode", "'strict' is not allowed.", "Use one of: merge, exact."),
    ],
)  # fmt: skip
def test_each_bad_value_is_one_clear_error(ws, raw, name, message, hint):
    with pytest.raises(InputError) as err:
        parse_inputs({**BASE, **raw}, ws)
    assert err.value.name == name and err.value.message == f"Input '{name}': {message}"
    assert err.value.title == f"Invalid input: {name}"
    if hint is not None:
        assert err.value.hint == hint


def test_a_long_value_is_cut_in_the_message(ws):
    assert error(ws, sdk="x" * 50).message == f"Input 'sdk': '{'x' * 40}…' is not allowed."
    assert error(ws, sdk="y" * 40).message == f"Input 'sdk': '{'y' * 40}' is not allowed."


@pytest.mark.parametrize(
    "value,seconds",
    [("1200", 1200.0), ("1.5", 1.5), ("90s", 90.0), ("20m", 1200.0), ("1h", 3600.0),
     ("1h30m", 5400.0), ("1H 2M 3S", 3723.0), ("6h", 21600.0), ("1s", 1.0)],
)  # fmt: skip
def test_durations(value, seconds):
    assert parse_duration("timeout", value) == seconds


@pytest.mark.parametrize("value", ["true", "YES", " 1 ", "on"])
def test_true_values(value):
    assert parse_bool("x", value) is True


@pytest.mark.parametrize("value", ["false", "No", "0", "OFF"])
def test_false_values(value):
    assert parse_bool("x", value) is False


@pytest.mark.parametrize(
    "name,ok",
    [("a", True), ("a" * 96, True), ("a" * 97, False), ("", False), ("a-b_c.d", True), ("-a", False),
     ("a-", False), ("a.", False), ("a--b", False), ("a..b", False), ("_a", True), ("a b", False),
     ("a.git", False)],
)  # fmt: skip
def test_hub_name_rules(name, ok):
    """The 'space' input follows the Hub's name rules, the ones preview names follow too."""
    if ok:
        assert _space(f"org/{name}") == f"org/{name}"
    else:
        with pytest.raises(InputError, match="not a valid Space name"):
            _space(f"org/{name}")


def test_env_inputs_with_hyphens_or_underscores():
    env = {
        "INPUT_HF-TOKEN": "a",
        "INPUT_DRY_RUN": "true",
        "INPUT_SPACE": "s",
        "INPUT_OTHER": "x",
        "HOME": "/",
    }
    assert step_inputs(env) == {"hf-token": "a", "dry-run": "true", "space": "s"}
    assert step_inputs({"INPUT_HF-TOKEN": "hyphen", "INPUT_HF_TOKEN": "underscore"}) == {
        "hf-token": "hyphen"
    }


# --- edges the mutation run found untested --------------------------------------------------------


@pytest.mark.parametrize("name", ["delete-removed", "wait", "dry-run", "factory-reboot", "comment"])
def test_each_boolean_input_names_itself_in_its_error(ws, name):
    err = error(ws, **{name.replace("-", "_"): "maybe"})
    assert (
        err.name == name and err.message == f"Input '{name}': expected true or false, got 'maybe'."
    )


@pytest.mark.parametrize(
    "raw,field,value",
    [
        ({"app-port": "1"}, "app_port", 1),
        ({"app-port": "65535"}, "app_port", 65535),
        ({"sleep-time": "-1"}, "sleep_time", -1),
        ({"sleep-time": "60"}, "sleep_time", 60),
        ({"sleep-time": "604800"}, "sleep_time", 604800),
        ({"commit-message": "x" * 4096}, "commit_message", "x" * 4096),
    ],
)
def test_values_at_the_limits_are_accepted(ws, raw, field, value):
    assert getattr(parse_inputs({**BASE, **raw}, ws), field) == value


@pytest.mark.parametrize(
    "raw,hint",
    [
        ({"app-port": "0"}, "Use the port your app listens on, e.g. 7860 or 8000."),
        ({"sleep-time": "-2"}, "Use seconds between 60 and 604800, or -1 to never sleep (paid hardware)."),
        ({"sleep-time": "soon"}, "Use seconds between 60 and 604800, or -1 to never sleep (paid hardware)."),
        ({"space": "a/b--c"}, "Use letters, digits, '-', '_' and '.', at most 96 characters, not starting or ending with '-' or '.', without '--' or '..', not ending in '.git'."),
        ({"hf-token": ""}, "Pass a write token (in a workflow: hf-token: ${{ secrets.HF_TOKEN }}; on the command line: HF_TOKEN); create one at https://huggingface.co/settings/tokens."),
        ({"preview-name": "{name}-pr-{number}!"}, "Use {name} and {number} with letters, digits, '-', '_', '.'."),
    ],
)  # fmt: skip
def test_the_hint_that_goes_with_each_refusal(ws, raw, hint):
    with pytest.raises(InputError) as err:
        parse_inputs({**BASE, **raw}, ws)
    assert err.value.hint == hint


def test_a_template_the_hub_would_refuse_is_an_input_error(ws):
    err = error(ws, preview_name="{name}-pr-{number}!")
    assert err.name == "preview-name" and err.message.startswith(
        "Input 'preview-name': preview-name '{name}-pr-{number}!' may only contain letters"
    )


def test_an_absolute_path_inside_the_workspace_is_accepted(ws):
    assert parse(ws, path=str(ws / "app")).path == (ws / "app").resolve()


@pytest.mark.parametrize(
    "raw,says",
    [({"exclude": "a\0b"}, "holds a NUL character"), ({"app-file": "a\0b"}, "must be a relative")],
)
def test_a_nul_byte_in_a_glob_or_file_is_refused(ws, raw, says):
    with pytest.raises(InputError) as err:
        parse_inputs({**BASE, **raw}, ws)
    assert says in err.value.message


def test_deployment_inputs(ws):
    got = parse(ws)
    assert (got.github_deployment, got.environment) == ("auto", None)
    got = parse(ws, github_deployment="FALSE", environment="  staging  ")
    assert (got.github_deployment, got.environment) == ("false", "staging")
    assert parse(ws, environment="   ").environment is None
    err = error(ws, github_deployment="sometimes")
    assert err.name == "github-deployment" and err.message.startswith(
        "Input 'github-deployment': 'sometimes' is not allowed."
    )


def test_cleanup_previews_needs_the_github_token(ws):
    err = error(ws, operation="cleanup-previews", github_token=" ")
    assert err.name == "github-token"
    assert err.message == (
        "Input 'github-token': is empty: cleanup-previews asks GitHub which pull requests are closed."
    )
    assert (
        err.hint
        == "Keep the default (${{ github.token }}) and grant the job `pull-requests: read`."
    )
    assert (
        parse(ws, operation="cleanup-previews", github_token="ghs_x").operation
        == "cleanup-previews"
    )
    assert parse(ws, operation="delete", github_token="").github_token is None


def test_input_defaults_follow_the_file_they_are_read_from(tmp_path):
    other = tmp_path / "action.yml"
    other.write_text(
        "inputs:\n  space: {}\n  wait: {default: 'false'}\n  t: {default: '${{ x }}'}\n"
    )
    assert input_defaults(other) == {"space": None, "wait": "false", "t": None}


@pytest.mark.parametrize(
    "content", [None, "name: x\n", "inputs: [\n", "inputs: [a, b]\n", "inputs:\n  x: text\n"]
)
def test_a_missing_or_broken_action_yml_is_one_clear_error(tmp_path, content):
    path = tmp_path / "action.yml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ActionError) as caught:
        input_defaults(path)
    assert str(path) in caught.value.message and "/app/action.yml" in str(caught.value.hint)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
