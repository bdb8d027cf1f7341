"""Workspace edge cases found in review: what must never be uploaded, and what must never be lost."""

from __future__ import annotations

import subprocess

from tests.conftest import TOKEN, both_lanes, copy_example, git_init

_PERSISTED = "eC1hY2Nlc3MtdG9rZW46Z2hzX3BlcnNpc3RlZA=="  # x-access-token:ghs_persisted


def test_a_symlink_into_dot_git_is_never_followed(action, hub):
    """actions/checkout keeps the token in .git/config: a link to it must not publish it."""
    copy_example("gradio-hello", action.workspace)
    git_init(action.workspace)
    subprocess.run(
        ["git", "config", "http.extraheader", "AUTHORIZATION: basic c2VjcmV0"],
        cwd=action.workspace,
        check=True,
    )
    (action.workspace / "config.txt").symlink_to(action.workspace / ".git" / "config")
    (action.workspace / ".env").write_text("API_KEY=local-only\n")
    (action.workspace / "env.txt").symlink_to(action.workspace / ".env")
    result = action.run({"space": "user/gitlink", "hf-token": TOKEN, "exclude": ".env"}).assert_ok()
    files = hub.repo("user/gitlink").files
    assert "config.txt" not in files and "env.txt" not in files and ".env" not in files
    assert "not uploaded" in result.stdout


def test_submodule_git_file_cache_folders_and_credentials_are_skipped(action, hub):
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "lib").mkdir()
    (action.workspace / "lib" / ".git").write_text("gitdir: ../.git/modules/lib\n")
    (action.workspace / "lib" / "util.py").write_text("X = 1\n")
    (action.workspace / ".cache" / "pip").mkdir(parents=True)
    (action.workspace / ".cache" / "pip" / "x").write_text("cache\n")
    (action.workspace / "gha-creds-1234.json").write_text('{"private_key": "k"}\n')
    action.run({"space": "user/sub", "hf-token": TOKEN}).assert_ok()
    files = set(hub.repo("user/sub").files)
    assert "lib/util.py" in files
    assert not any(
        p.endswith(".git") or p.startswith(".cache/") or p.startswith("gha-creds") for p in files
    )


def test_card_named_readme_at_the_root_stays_the_space_readme(action, hub):
    copy_example("gradio-hello", action.workspace)
    result = action.run(
        {"space": "user/cardroot", "hf-token": TOKEN, "card": "README.md"}
    ).assert_ok()
    repo = hub.repo("user/cardroot")
    assert repo.files["README.md"].content == (action.workspace / "README.md").read_bytes()
    assert result.outputs["stage"] == "RUNNING"


def test_files_ignored_by_a_gitignore_are_still_deployed(action, hub):
    """A build step may generate files the repository's .gitignore lists; the deploy plans them, so the
    Hub must not drop them silently (it honours the Space's root .gitignore unless told otherwise)."""
    copy_example("static-site", action.workspace)
    (action.workspace / ".gitignore").write_text("dist/\n*.map\n")
    (action.workspace / "dist").mkdir()
    (action.workspace / "dist" / "bundle.js").write_text("console.log(1)\n")
    (action.workspace / "bundle.js.map").write_text("{}\n")
    result = action.run({"space": "user/ignored", "hf-token": TOKEN}).assert_ok()
    files = hub.repo("user/ignored").files
    assert {"dist/bundle.js", "bundle.js.map", ".gitignore"} <= set(files)
    assert "dist/bundle.js" in result.outputs["changed-files"].splitlines()
    again = action.run({"space": "user/ignored", "hf-token": TOKEN}).assert_ok()
    assert again.outputs["changed-files"] == ""


def test_exclude_patterns_match_exactly(action, hub):
    copy_example("static-site", action.workspace)
    for d in (".venv", "venv"):
        (action.workspace / d).mkdir()
        (action.workspace / d / "f.txt").write_text(d)
    action.run({"space": "user/excl", "hf-token": TOKEN, "exclude": "/.venv/*"}).assert_ok()
    files = set(hub.repo("user/excl").files)
    assert "venv/f.txt" in files and ".venv/f.txt" not in files


def _checkout_with_credentials(action) -> None:
    """A checkout as actions/checkout leaves it by default: the token persisted in .git/config."""
    copy_example("gradio-hello", action.workspace)
    git_init(action.workspace)
    subprocess.run(
        ["git", "config", "http.extraheader", f"AUTHORIZATION: basic {_PERSISTED}"],
        cwd=action.workspace,
        check=True,
    )


def _nothing_from_git(hub, space: str) -> None:
    repo = hub.repos.get(space)
    for name, f in (repo.files if repo else {}).items():
        assert _PERSISTED.encode() not in f.content, name
        assert "[core]" not in f.text(), name


@both_lanes
def test_a_card_symlinked_into_dot_git_is_refused_before_anything_is_uploaded(action, hub):
    """`card` goes through the walk's gate: a link to .git/config is refused, nothing is written."""
    _checkout_with_credentials(action)
    (action.workspace / "README_HF.md").symlink_to(action.workspace / ".git" / "config")
    result = action.run({"space": "user/cardgit", "hf-token": TOKEN, "card": "README_HF.md"})
    assert result.returncode != 0
    assert result.errors == [
        "::error title=Invalid input%3A card::Input 'card': 'README_HF.md' is inside .git or an"
        " always-excluded path. Give a path of the repository outside .git, .github/, .cache/,"
        " gha-creds-*.json."
    ], result.stdout
    assert "user/cardgit" not in hub.repos
    _nothing_from_git(hub, "user/cardgit")


@both_lanes
def test_a_path_symlinked_into_dot_git_is_refused_before_anything_is_uploaded(action, hub):
    _checkout_with_credentials(action)
    (action.workspace / "app").symlink_to(action.workspace / ".git")
    result = action.run({"space": "user/pathgit", "hf-token": TOKEN, "path": "app"})
    assert result.returncode != 0
    assert any("Input 'path': 'app' is inside .git" in e for e in result.errors), result.stdout
    assert "user/pathgit" not in hub.repos
    _nothing_from_git(hub, "user/pathgit")
