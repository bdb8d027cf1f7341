"""The git index read without git: which blob ids it vouches for (hf_action/local/gitindex.py),
checked against what git itself computes (`git hash-object`, `git ls-files -s`)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from hf_action.local import gitindex
from hf_action.local.files import scan
from hf_action.local.gitindex import _find_index


def known_blob_ids(root: Path) -> dict[str, str]:
    """As the snapshot asks: with the stat its walk took of each file."""
    files, _ = scan(root, root, ())
    return gitindex.known_blob_ids(root, {r: f.stat for r, f in files.items() if f.stat})


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def checkout(path: Path, files: dict[str, bytes], *init_args: str) -> Path:
    """A committed repository whose index was written after its files (no racy entries)."""
    path.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(data)
    git(path, "init", "-q", "-b", "main", *init_args)
    git(path, "add", "-A")
    git(path, "commit", "-qm", "init")
    _age_files(path, files)
    return path


def _age_files(path: Path, files: dict[str, bytes]) -> None:
    """Files older than the index, as after a checkout; `git status` then refreshes the index."""
    for name in files:
        os.utime(path / name, ns=(1_600_000_000_000_000_000,) * 2)
    git(path, "status", "--porcelain")


def oid(path: Path) -> str:
    return git(path.parent, "hash-object", path.name).strip()


FILES = {"app.py": b"print('hi')\n", "data/a.csv": b"x,1\n", "data/b.csv": b"y,2\n"}


def test_every_unchanged_tracked_file_has_gits_blob_id(tmp_path):
    repo = checkout(tmp_path / "r", FILES)
    assert known_blob_ids(repo) == {name: oid(repo / name) for name in FILES}


def test_a_changed_file_is_not_vouched_for_even_with_the_same_size(tmp_path):
    repo = checkout(tmp_path / "r", FILES)
    (repo / "data/a.csv").write_bytes(b"x,9\n")
    ids = known_blob_ids(repo)
    assert "data/a.csv" not in ids and set(ids) == {"app.py", "data/b.csv"}


def test_a_file_touched_without_a_content_change_is_not_vouched_for(tmp_path):
    """Only the stat is compared (the file is never read): a new mtime means git would re-read it."""
    repo = checkout(tmp_path / "r", FILES)
    os.utime(repo / "app.py", ns=(1_700_000_000_000_000_000,) * 2)
    assert "app.py" not in known_blob_ids(repo)


def test_new_content_with_the_old_mtime_is_not_vouched_for(tmp_path):
    """Tools that restore mtimes (tar, rsync -t, `touch -r`) can leave size and mtime as they were:
    the inode's change time still tells, as it tells git (core.trustctime)."""
    repo = checkout(tmp_path / "r", FILES)
    before = (repo / "app.py").stat()
    (repo / "app.py").write_bytes(b"print('HI')\n")
    os.utime(repo / "app.py", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert "app.py" not in known_blob_ids(repo) and "data/a.csv" in known_blob_ids(repo)


def test_a_racily_clean_entry_is_not_vouched_for(tmp_path):
    """A file whose mtime is not older than the index may have changed within the same tick."""
    repo = checkout(tmp_path / "r", FILES)
    index_mtime = (repo / ".git" / "index").stat().st_mtime_ns
    os.utime(repo / "app.py", ns=(index_mtime, index_mtime))
    git(repo, "update-index", "--refresh")  # the index records that mtime...
    os.utime(repo / ".git" / "index", ns=(index_mtime, index_mtime))  # ...written at that instant
    assert "app.py" not in known_blob_ids(repo) and "data/a.csv" in known_blob_ids(repo)


def test_untracked_deleted_and_staged_but_changed_files(tmp_path):
    """An untracked file and a deleted one have no blob id; a file staged and then changed again
    (same size, its mtime put back) is not vouched for with the staged blob; one staged and left
    as staged is, with the staged blob (not the commit's)."""
    repo = checkout(tmp_path / "r", FILES)
    (repo / "new.txt").write_text("new\n")
    (repo / "data/b.csv").unlink()
    (repo / "app.py").write_bytes(b"print('v2')\n")
    (repo / "data/a.csv").write_bytes(b"x,2\n")
    git(repo, "add", "app.py", "data/a.csv")  # both staged...
    _age_files(repo, {"app.py": b"", "data/a.csv": b""})
    staged = {name: oid(repo / name) for name in ("app.py", "data/a.csv")}
    aged = (repo / "app.py").stat()
    time.sleep(0.05)  # a ctime the index cannot hold
    (repo / "app.py").write_bytes(b"print('v3')\n")  # ...then app.py changed: same size,
    os.utime(repo / "app.py", ns=(aged.st_atime_ns, aged.st_mtime_ns))  # same mtime
    assert known_blob_ids(repo) == {"data/a.csv": staged["data/a.csv"]}
    assert staged["data/a.csv"] != git(repo, "rev-parse", "HEAD:data/a.csv").strip()


def test_a_subfolder_of_the_repository_gets_paths_relative_to_it(tmp_path):
    repo = checkout(tmp_path / "r", FILES)
    assert known_blob_ids(repo / "data") == {
        "a.csv": oid(repo / "data/a.csv"),
        "b.csv": oid(repo / "data/b.csv"),
    }


def test_a_linked_worktree_reads_its_own_index(tmp_path):
    repo = checkout(tmp_path / "r", FILES)
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"))
    wt = tmp_path / "wt"
    _age_files(wt, FILES)
    assert (wt / ".git").is_file()
    assert known_blob_ids(wt) == {name: oid(wt / name) for name in FILES}


def test_symlinks_and_executables(tmp_path):
    repo = checkout(tmp_path / "r", FILES)
    (repo / "run.sh").write_text("#!/bin/sh\n")
    (repo / "run.sh").chmod(0o755)
    (repo / "link.py").symlink_to("app.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "more")
    _age_files(repo, {"run.sh": b""})
    ids = known_blob_ids(repo)
    assert ids["run.sh"] == oid(repo / "run.sh") and "link.py" not in ids


def test_no_repository_a_damaged_index_or_sha256_objects_vouch_for_nothing(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.txt").write_text("a\n")
    assert known_blob_ids(plain) == {}
    damaged = checkout(tmp_path / "damaged", FILES)
    (damaged / ".git" / "index").write_bytes(b"DIRC\x00\x00\x00\x09garbage")
    assert known_blob_ids(damaged) == {}
    sha256 = checkout(tmp_path / "sha256", FILES, "--object-format=sha256")
    # The Hub's blob ids are SHA-1: a SHA-256 repository's index is not even read.
    assert _find_index(sha256) is None and known_blob_ids(sha256) == {}


def test_a_conflicted_entry_is_not_vouched_for(tmp_path):
    repo = checkout(tmp_path / "r", FILES)
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "app.py").write_text("other\n")
    git(repo, "commit", "-qam", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "app.py").write_text("main\n")
    git(repo, "commit", "-qam", "main")
    merge = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "merge", "-q", "other"]
    subprocess.run(merge, cwd=repo, capture_output=True, check=False)  # stops at the conflict
    assert "app.py" in git(repo, "diff", "--name-only", "--diff-filter=U")  # in conflict
    assert "app.py" not in known_blob_ids(repo) and "data/a.csv" in known_blob_ids(repo)
