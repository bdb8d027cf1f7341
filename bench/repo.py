"""Build git repositories of realistic shape (2,000 small text files + a few 100-300 MB binaries) and
mutate them the way the cases need. Large files are plain git blobs, or tracked with git-lfs ("lfs")."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SMALL_FILES = 2000
PER_DIR = 50
# Shares of the large-file budget: 300/250/200/150/100 MB at --size-gb 1.0.
LARGE_SHARES = (0.30, 0.25, 0.20, 0.15, 0.10)
CHUNK = 8 << 20

README = """---
title: Bench
emoji: 🏋️
sdk: gradio
app_file: app.py
pinned: false
---

# Bench Space

A repository of realistic shape for the hf-deploy benchmark.
"""
APP = 'import gradio as gr\n\ngr.Interface(lambda x: x, "text", "text").launch()\n'
WORDS = [
    "model",
    "data",
    "train",
    "eval",
    "space",
    "deploy",
    "token",
    "layer",
    "batch",
    "tensor",
    "config",
    "gradio",
    "hub",
    "commit",
    "file",
]


def git_env(work: Path) -> dict[str, str]:
    """A private global git config (identity, git-lfs filters) so the machine's config is untouched."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_GLOBAL"] = str(work / "gitconfig")
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    return env


def git(repo: Path, *args: str, env: dict[str, str], extra: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**env, **(extra or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def setup_git(work: Path) -> dict[str, str]:
    work.mkdir(parents=True, exist_ok=True)
    cfg = work / "gitconfig"
    cfg.write_text(
        "[user]\n\tname = bench\n\temail = bench@example.com\n"
        "[init]\n\tdefaultBranch = main\n"
        "[core]\n\tlooseCompression = 0\n\tcompression = 0\n"
        "[advice]\n\tdetachedHead = false\n"
    )
    env = git_env(work)
    if shutil.which("git-lfs"):
        subprocess.run(
            ["git", "lfs", "install", "--skip-repo"], env=env, capture_output=True, check=True
        )
    return env


@dataclass
class BenchRepo:
    path: Path
    variant: str  # "plain" | "lfs"
    env: dict[str, str]
    large: list[str]  # paths of the large files, largest first
    small: list[str]

    def head(self) -> str:
        return git(self.path, "rev-parse", "HEAD", env=self.env).strip()

    def commit(self, message: str) -> None:
        git(self.path, "add", "-A", env=self.env)
        git(self.path, "commit", "-q", "-m", message, env=self.env)
        settle(self.path, self.env)

    def deployable(self) -> dict[str, Path]:
        """What every approach publishes: the working tree without .git/."""
        out = {}
        for dirpath, dirnames, filenames in os.walk(self.path):
            dirnames[:] = sorted(d for d in dirnames if d != ".git")
            for name in filenames:
                p = Path(dirpath) / name
                out[p.relative_to(self.path).as_posix()] = p
        return dict(sorted(out.items()))


def settle(repo: Path, env: dict[str, str]) -> None:
    """Like a finished checkout: the index's stat data is current and not racy, so `git ls-files -m`
    trusts it without re-reading files."""
    time.sleep(1.05)
    subprocess.run(
        ["git", "update-index", "-q", "--refresh"],
        cwd=repo,
        env=env,
        capture_output=True,
        check=False,
    )


def write_random(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        left = size
        while left:
            n = min(CHUNK, left)
            fh.write(os.urandom(n))
            left -= n


def small_text(rng: random.Random, i: int) -> str:
    n = rng.randint(1000, 8000)
    out, size = [f"# module {i}\n"], 0
    while size < n:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12))) + "\n"
        out.append(line)
        size += len(line)
    return "".join(out)


def build(root: Path, variant: str, size_gb: float, env: dict[str, str]) -> BenchRepo:
    path = root / f"repo-{variant}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    git(path, "init", "-q", env=env)
    rng = random.Random(1234)
    (path / "README.md").write_text(README)
    (path / "app.py").write_text(APP)
    (path / "requirements.txt").write_text("numpy\n")
    small = []
    for i in range(SMALL_FILES - 3):
        rel = f"src/pkg{i // PER_DIR:02d}/module_{i:04d}.py"
        p = path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(small_text(rng, i))
        small.append(rel)
    small_bytes = sum((path / r).stat().st_size for r in small) + 200
    budget = max(int(size_gb * 1e9) - small_bytes, 5 * (1 << 20))
    large = []
    for k, share in enumerate(LARGE_SHARES):
        rel = f"models/weights-{k}.bin"
        write_random(path / rel, int(budget * share))
        large.append(rel)
    if variant == "lfs":
        git(path, "lfs", "track", "*.bin", env=env)
    repo = BenchRepo(path, variant, env, large, ["README.md", "app.py", "requirements.txt", *small])
    repo.commit("initial")
    return repo


def clone_pointers(repo: BenchRepo, dest: Path) -> BenchRepo:
    """A checkout without `lfs: true`: LFS files are pointers in the working tree."""
    if dest.exists():
        shutil.rmtree(dest)
    subprocess.run(
        ["git", "clone", "-q", str(repo.path), str(dest)],
        env={**repo.env, "GIT_LFS_SKIP_SMUDGE": "1"}, capture_output=True, check=True,
    )  # fmt: skip
    settle(dest, repo.env)
    return BenchRepo(dest, "lfs-pointers", repo.env, list(repo.large), list(repo.small))


def pull_pointers(clone: BenchRepo) -> None:
    git(clone.path, "pull", "-q", "--ff-only", env=clone.env, extra={"GIT_LFS_SKIP_SMUDGE": "1"})
    settle(clone.path, clone.env)


# -- mutations: each one is committed, like a push that triggers the workflow --------------------------
def change_small(repo: BenchRepo) -> tuple[str, int]:
    rel = repo.small[10]
    with open(repo.path / rel, "a") as fh:
        fh.write(f"# changed at {time.time()}\n")
    repo.commit(f"change {rel}")
    return rel, (repo.path / rel).stat().st_size


def change_large(repo: BenchRepo) -> tuple[str, int]:
    rel = repo.large[0]  # the largest (300 MB at 1 GB): same size, new content
    size = (repo.path / rel).stat().st_size
    write_random(repo.path / rel, size)
    repo.commit(f"change {rel}")
    return rel, size


def delete_one(repo: BenchRepo) -> tuple[str, int]:
    rel = repo.small[20]
    (repo.path / rel).unlink()
    repo.small.remove(rel)
    repo.commit(f"delete {rel}")
    return rel, 0


def generate_after_checkout(repo: BenchRepo) -> tuple[str, int]:
    """The workflow edits a tracked file and writes a new one after checkout; nothing is committed."""
    rel = repo.small[30]
    with open(repo.path / rel, "a") as fh:
        fh.write("# edited by the workflow\n")
    (repo.path / "build").mkdir(exist_ok=True)
    (repo.path / "build" / "version.txt").write_text(f"built {time.time()}\n")
    return rel, (repo.path / rel).stat().st_size + (
        repo.path / "build" / "version.txt"
    ).stat().st_size
