"""Bad and hostile input: each ends in exactly one clear `::error::` naming what is wrong, with no
traceback, and nothing written to the Hub."""

from __future__ import annotations

import pytest

from tests.conftest import READ_TOKEN, TOKEN, copy_example, hub_writes

POINTER = (
    "version https://git-lfs.github.com/spec/v1\noid sha256:" + "ab" * 32 + "\nsize 123456789\n"
)


def _write(rel: str, data: str | bytes):
    def setup(ws):
        path = ws / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())

    return setup


def _empty_folder(ws):
    (ws / "empty").mkdir()


# (id, inputs on top of a valid deploy, workspace setup, text the error must contain)
CASES = [
    ("space-missing", {"space": ""}, None, "Input 'space': is required"),
    ("space-url", {"space": "https://huggingface.co/spaces/user/app"}, None, "not a Space id"),
    ("space-three-parts", {"space": "a/b/c"}, None, "not a Space id"),
    ("space-leading-dash", {"space": "user/-app"}, None, "not a valid Space name"),
    ("space-trailing-dot", {"space": "user/app."}, None, "not a valid Space name"),
    ("space-double-dash", {"space": "user/my--app"}, None, "not a valid Space name"),
    ("space-double-dot", {"space": "user/my..app"}, None, "not a valid Space name"),
    ("space-too-long", {"space": "user/" + "a" * 97}, None, "not a valid Space name"),
    ("space-whitespace", {"space": "user/my app"}, None, "not a valid Space name"),
    ("space-unicode", {"space": "user/приложение"}, None, "not a valid Space name"),
    ("token-empty", {"hf-token": ""}, None, "Input 'hf-token': is empty"),
    ("token-whitespace", {"hf-token": "hf_abc def"}, None, "whitespace"),
    ("token-newline", {"hf-token": "hf_abc\nhf_def"}, None, "whitespace"),
    ("token-read-only", {"hf-token": READ_TOKEN}, None, "read-only"),
    ("token-unknown", {"hf-token": "hf_not_a_real_token_123"}, None, "refused the token (401)"),
    ("path-escapes", {"path": "../outside"}, None, "points outside the workspace"),
    ("path-absolute", {"path": "/etc"}, None, "points outside the workspace"),
    ("path-missing", {"path": "nope"}, None, "does not exist"),
    ("path-is-file", {"path": "app.py"}, None, "is a file, not a folder"),
    ("path-empty-folder", {"path": "empty"}, _empty_folder, "has no files to deploy"),
    ("sdk-unknown", {"sdk": "flask"}, None, "Input 'sdk'"),
    ("hardware-unknown", {"hardware": "gpu-huge"}, None, "Input 'hardware'"),
    ("visibility-unknown", {"visibility": "internal"}, None, "Input 'visibility'"),
    ("secret-no-equals", {"secrets": "JUSTAKEY"}, None, "Input 'secrets'"),
    ("secret-digit-name", {"secrets": "1KEY=value"}, None, "Input 'secrets'"),
    ("secret-dash-name", {"secrets": "MY-KEY=value"}, None, "Input 'secrets'"),
    ("secret-duplicate", {"secrets": "A=1\nA=2"}, None, "given twice"),
    (
        "secret-heredoc-open",
        {"secrets": "PEM<<EOF\nsecret-body-4f9a\n"},
        None,
        "no line 'EOF' closes it",
    ),
    ("secret-too-large", {"secrets": "BIG=" + "x" * 70_000}, None, "larger than 64 KiB"),
    ("variable-empty-name", {"variables": "=value"}, None, "Input 'variables'"),
    (
        "secret-and-variable",
        {"secrets": "SAME=1", "variables": "SAME=2"},
        None,
        "also given as a secret",
    ),
    ("exclude-unclosed", {"exclude": "data/[0-9"}, None, "Input 'exclude'"),
    ("exclude-parent", {"exclude": "../x"}, None, "Input 'exclude'"),
    ("delete-removed-word", {"delete-removed": "maybe"}, None, "Input 'delete-removed'"),
    ("app-port-text", {"app-port": "http"}, None, "Input 'app-port'"),
    ("app-port-high", {"app-port": "70000"}, None, "Input 'app-port'"),
    ("app-port-zero", {"app-port": "0"}, None, "Input 'app-port'"),
    ("app-file-parent", {"app-file": "../app.py"}, None, "Input 'app-file'"),
    ("app-file-absolute", {"app-file": "/app.py"}, None, "Input 'app-file'"),
    ("sdk-version-word", {"sdk-version": "latest"}, None, "Input 'sdk-version'"),
    ("sleep-time-word", {"sleep-time": "soon"}, None, "Input 'sleep-time'"),
    ("sleep-time-negative", {"sleep-time": "-5"}, None, "Input 'sleep-time'"),
    ("sleep-time-too-short", {"sleep-time": "30"}, None, "Input 'sleep-time'"),
    ("wait-word", {"wait": "sometimes"}, None, "Input 'wait'"),
    ("timeout-word", {"timeout": "forever"}, None, "Input 'timeout'"),
    ("timeout-zero", {"timeout": "0"}, None, "Input 'timeout'"),
    ("timeout-too-long", {"timeout": "7h"}, None, "Input 'timeout'"),
    ("dry-run-number", {"dry-run": "2"}, None, "Input 'dry-run'"),
    ("commit-message-huge", {"commit-message": "x" * 5000}, None, "Input 'commit-message'"),
    ("operation-unknown", {"operation": "destroy"}, None, "Input 'operation'"),
    ("preview-word", {"preview": "maybe"}, None, "preview"),
    ("preview-name-no-number", {"preview-name": "{name}-preview"}, None, "Input 'preview-name'"),
    ("factory-reboot-word", {"factory-reboot": "yes please"}, None, "Input 'factory-reboot'"),
    ("comment-word", {"comment": "perhaps"}, None, "Input 'comment'"),
    ("card-missing", {"card": "README_HF.md"}, None, "Input 'card'"),
    ("card-escapes", {"card": "../README.md"}, None, "Input 'card'"),
    (
        "readme-broken-yaml",
        {},
        _write("README.md", "---\nsdk: [gradio\n---\n# x\n"),
        "not valid YAML",
    ),
    (
        "readme-list-front-matter",
        {},
        _write("README.md", "---\n- sdk\n- gradio\n---\n"),
        "not a mapping",
    ),
    ("readme-bad-sdk", {}, _write("README.md", "---\nsdk: flask\n---\n"), "invalid 'sdk'"),
    (
        "readme-bad-port",
        {},
        _write("README.md", "---\nsdk: docker\napp_port: web\n---\n"),
        "invalid 'app_port'",
    ),
    (
        "readme-not-utf8",
        {},
        _write("README.md", "---\ntitle: caf\xe9\n---\n".encode("latin-1")),
        "is not UTF-8",
    ),
    ("lfs-pointer-new-file", {}, _write("weights.bin", POINTER), "Git LFS pointer"),
    ("org-read-only", {"space": "readers/app"}, None, "only read access"),
    ("org-not-member", {"space": "someone-else/app"}, None, "not a member"),
    ("no-sdk-detectable", {"path": "data"}, _write("data/notes.txt", "just text\n"), "Input 'sdk'"),
]


@pytest.mark.parametrize("case_id,inputs,setup,expected", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_clearly(action, hub, case_id, inputs, setup, expected):
    copy_example("gradio-hello", action.workspace)
    if setup:
        setup(action.workspace)
    result = action.run({"space": "user/app", "hf-token": TOKEN, **inputs})
    assert result.returncode == 1, result.stdout
    assert len(result.errors) == 1, result.stdout
    assert expected in result.errors[0], result.errors[0]
    assert "Traceback" not in result.stdout + result.stderr
    writes = hub_writes(hub)
    assert writes == [], f"wrote to the Hub: {writes}"
    assert hub.counters.commits == 0


def test_file_names_cannot_inject_workflow_commands(action, hub):
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "::error::pwned.txt").write_text("x\n")
    (action.workspace / "%0A::warning::x.txt").write_text("y\n")
    (action.workspace / "##[error]Deploy hijacked.txt").write_text(
        "z\n"
    )  # the runner's legacy syntax
    (action.workspace / "n ##[add-mask]hf").write_text("w\n")
    result = action.run({"space": "user/inject", "hf-token": TOKEN}).assert_ok()
    assert result.errors == [] and result.warnings == []
    lines = result.stdout.splitlines()
    assert not any(line.lstrip().startswith("::error::pwned") for line in lines)
    assert not any("##[" in line for line in lines), [line for line in lines if "##[" in line]
    assert "##[error]Deploy hijacked.txt" in hub.repo("user/inject").files
    assert "::error::pwned.txt" in hub.repo("user/inject").files


def test_build_log_cannot_inject_workflow_commands(action, hub):
    copy_example("docker-fastapi", action.workspace)
    df = action.workspace / "Dockerfile"
    df.write_text(
        df.read_text() + "\nRUN echo '::error::forged' && echo '::add-mask::x' && exit 1\n"
    )
    result = action.run({"space": "user/forge", "hf-token": TOKEN, "app-port": "8000"})
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[start].split("::")[2]
    end = lines.index(f"::{token}::")
    assert any(
        "::error::forged" in line for line in lines[start:end]
    )  # only inside the disabled block
    assert len(result.errors) == 1 and "forged" not in result.errors[0]
