"""The folder walk and the exclude rules: the walk checks each entry alone (its parent folders were
checked on the way down), and must keep exactly what `Excludes.covers` keeps for every path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hf_action.excludes import excludes
from hf_action.local.files import scan

TREE = [
    "app.py", "README.md", "build", "src/build/out.txt", "src/build.txt", "docs/a.md", "docs/x/b.md",
    "node_modules/pkg/index.js", "lib/node_modules/deep.js", "a/b1/c.txt", "a/c/b1.txt", "ab/b1",
    "cache/x.pyc", "x.pyc.txt", ".github/workflows/ci.yml", ".cache/h", "gha-creds-1.json",
    "sub/gha-creds-2.json", ".venv/f.txt", "venv/f.txt",
]  # fmt: skip
PATTERNS = ("node_modules", "build/", "docs/*.md", "a/b*", "*.pyc", "/.venv/*")


def _tree(root: Path) -> None:
    for rel in TREE:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)


def _every_file(root: Path) -> set[str]:
    return {
        (Path(d) / f).relative_to(root).as_posix() for d, _, names in os.walk(root) for f in names
    }


def test_the_walk_keeps_exactly_what_is_excluded_keeps(tmp_path):
    _tree(tmp_path)
    files, _ = scan(tmp_path, tmp_path, PATTERNS)
    rules = excludes(PATTERNS)
    assert set(files) == {p for p in _every_file(tmp_path) if not rules.covers(p, False)}


def test_each_kind_of_pattern(tmp_path):
    _tree(tmp_path)
    files, _ = scan(tmp_path, tmp_path, PATTERNS)
    assert sorted(files) == [
        "README.md", "a/c/b1.txt", "ab/b1", "app.py", "build", "docs/x/b.md", "src/build.txt",
        "venv/f.txt", "x.pyc.txt",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "path,is_dir,excluded",
    [
        ("node_modules/pkg/index.js", False, True),  # a name at any depth, and what is under it
        ("lib/node_modules/deep.js", False, True),
        ("build", False, False),  # 'build/' is for folders only
        ("src/build/out.txt", False, True),
        ("docs/a.md", False, True),  # anchored at the root
        ("x/docs/a.md", False, False),
        ("docs/x/b.md", False, False),  # '*' never crosses '/' (git's rule; '**' does)
        ("venv/f.txt", False, False),  # '/.venv/*' is '.venv' only
        ("a/b1/c.txt", False, True),
        (".git", False, True),  # a submodule's .git file
        ("sub/gha-creds-2.json", False, True),
    ],
)
def test_is_excluded_reads_a_path_with_its_parents(path, is_dir, excluded):
    assert excludes(PATTERNS).covers(path, is_dir) is excluded
