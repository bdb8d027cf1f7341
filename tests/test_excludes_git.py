"""`exclude` means what the same lines mean in a .gitignore: git itself is the oracle. Each pattern set
is written to a scratch repository's info/exclude and every path of a tree asked of `git check-ignore`
(a path with its parent folders, as `Excludes.covers` asks), and the whole tree of `git ls-files
--others` (what git's own walk keeps, as `scan` walks), with no global or system configuration."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from hf_action.errors import InputError
from hf_action.excludes import ALWAYS_EXCLUDED, Excludes, check_patterns, excludes
from hf_action.local.files import scan

TREE = [
    "a.ipynb", "nb/b.ipynb", "nb/deep/c.ipynb", "data/a.csv", "data/sub/b.csv", "data/keep.txt",
    "data/sub/deeper/c.csv", "x/data/a.csv", "build", "src/build/out.o", "src/build.txt", "src/main.py",
    "src/lib/util.py", "src/lib/lib.a", "docs/a.md", "docs/img/b.png", "docs/notes.txt", "notes.txt",
    "tmp/t.txt", "src/tmp/u.txt", "a/b", "a/x/b/c.txt", "a/x/y/b", "app.log", "logs/keep.log",
    "logs/other.log", "keep.log", "!important.txt", "#notes.txt", "file1.txt", "file10.txt",
    "bfile.txt", "node_modules/p/i.js", "web/node_modules/q.js", "deep/x.txt", "deep/1/2/x.txt",
    "UPPER.CSV", "dota/f.txt", "README.md",
]  # fmt: skip

PATTERN_SETS = [
    "*.ipynb", "**/*.ipynb", "/*.ipynb", "data/*.csv", "data/**/*.csv", "**/data/*.csv", "data/",
    "data", "/data", "sub/", "build", "build/", "/build", "docs/**", "**/tmp", "**/tmp/", "a/**/b",
    "*.log\n!keep.log", "logs/\n!logs/keep.log", "logs/*\n!logs/keep.log", "/*\n!/src/",
    "*\n!*/\n!*.py", "\\!important.txt", "\\#notes.txt", "*.[oa]", "file?.txt", "[!a]*.txt",
    "node_modules", "*/", "src/*/", "**", "!*.py", "*.txt\n!/docs/*.txt", "deep/**/x.txt", "a/x/",
    "*.csv", "d?ta/", "src/\n!src/main.py", "# a comment\n\n*.md", "nb/**\n!nb/deep/",
]  # fmt: skip


def _git(repo: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"], "HOME": str(repo), "XDG_CONFIG_HOME": str(repo),
        "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
    }  # fmt: skip
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, env=env, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gitignore")
    for rel in TREE:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)
    assert _git(root, "init", "-q").returncode == 0
    return root


def _every_path(root: Path) -> dict[str, bool]:
    found: dict[str, bool] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in dirs + names:
            found[(Path(folder) / name).relative_to(root).as_posix()] = name in dirs
    return found


def _given_only(lines: str) -> Excludes:  # the input's lines alone, as git reads them
    return excludes(check_patterns(lines), always=())


@pytest.mark.parametrize("lines", PATTERN_SETS)
def test_a_path_is_excluded_when_git_ignores_it(repo: Path, lines: str) -> None:
    (repo / ".git" / "info" / "exclude").write_text(lines + "\n")
    paths = _every_path(repo)
    answer = _git(repo, "check-ignore", "--stdin", stdin="\n".join(paths) + "\n")
    assert answer.returncode in (0, 1), answer.stderr
    ignored_by_git = set(answer.stdout.splitlines())
    rules = _given_only(lines)
    ours = {path for path, is_dir in paths.items() if rules.covers(path, is_dir)}
    assert ours == ignored_by_git


@pytest.mark.parametrize("lines", PATTERN_SETS)
def test_the_walk_keeps_what_git_keeps(repo: Path, lines: str) -> None:
    (repo / ".git" / "info" / "exclude").write_text(lines + "\n")
    answer = _git(repo, "ls-files", "--others", "--exclude-standard")
    assert answer.returncode == 0, answer.stderr
    files, _ = scan(repo, repo, check_patterns(lines))
    assert set(files) == set(answer.stdout.splitlines())


def test_the_always_excluded_paths_are_read_by_the_same_rules(tmp_path: Path) -> None:
    tree = ["sub/.git", ".github/workflows/ci.yml", "app/.github/x", "b/.github", "a/.cache/h",
            ".cache", "gha-creds-1.json", "x/gha-creds-2.json", "app.py"]  # fmt: skip
    for rel in tree:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    assert _git(tmp_path, "init", "-q").returncode == 0
    (tmp_path / ".git" / "info" / "exclude").write_text("\n".join(ALWAYS_EXCLUDED) + "\n")
    paths = _every_path(tmp_path)
    answer = _git(tmp_path, "check-ignore", "--stdin", stdin="\n".join(paths) + "\n")
    ours = excludes((), always=ALWAYS_EXCLUDED)
    assert {p for p, is_dir in paths.items() if ours.covers(p, is_dir)} == set(
        answer.stdout.splitlines()
    )
    assert ours.covers(".git/config", False) and not ours.covers("app.py", False)


def test_no_line_of_the_input_brings_back_an_always_excluded_path(tmp_path: Path) -> None:
    for rel in (".git/config", ".github/workflows/ci.yml", "gha-creds-1.json", "app.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("token")
    lines = check_patterns("!.git\n!.git/config\n!.github/\n!gha-creds-*.json\n!*")
    files, _ = scan(tmp_path, tmp_path, lines)
    assert set(files) == {"app.py"}
    assert excludes(lines).covers(".git/config", False)


@pytest.mark.parametrize(
    "line,says",
    [
        ("!", "'!' is not a gitignore pattern."),
        ("data\\", "'data\\' is not a gitignore pattern."),
        ("[abc", "'[abc' matches nothing"),
        ("/", "'/' matches nothing"),
        ("./.venv/", "'./.venv/' has a '.' or '..' part"),
        ("../secrets", "'../secrets' has a '.' or '..' part"),
        ("!a/../b", "'!a/../b' has a '.' or '..' part"),
        ("a\0b", "holds a NUL character."),
    ],
)
def test_a_pattern_git_would_not_take_is_refused_with_the_fix(line: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        check_patterns(f"*.md\n{line}\n")
    assert caught.value.name == "exclude"
    assert says in str(caught.value)
    assert "'/build'" in caught.value.hint and "'!keep.md'" in caught.value.hint
