"""The cases: each mutates the repository (or not), then every approach deploys it to its own simulator."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from . import repo as repos
from .harness import SPACE, Sim, run_action, run_baseline, run_floor

APPROACHES = ("action", "perfile", "folder")
CASES = (
    ("first", "first deploy (the Space does not exist)", None),
    ("noop", "redeploy, nothing changed", None),
    ("small", "one small file changed (committed)", repos.change_small),
    ("large", "one large file changed (the largest; same size, new content)", repos.change_large),
    ("delete", "one file deleted (committed)", repos.delete_one),
    (
        "generated",
        "after checkout the workflow edits a tracked file and writes a new one (not committed)",
        repos.generate_after_checkout,
    ),
)


def verify(sim: Sim, files: dict[str, Path]) -> str:
    """'ok' when the Space holds exactly the local files (sizes; git blob id of small regular files)."""
    repo = sim.sim.repo(SPACE)
    if repo is None:
        return "no Space"
    remote = repo.files
    problems = []
    missing = sorted(set(files) - set(remote))
    extra = sorted(set(remote) - set(files) - {".gitattributes"})
    if missing:
        problems.append(f"missing {missing[:3]}{'…' if len(missing) > 3 else ''} ({len(missing)})")
    if extra:
        problems.append(f"extra {extra[:3]} ({len(extra)})")
    for rel, path in files.items():
        entry = remote.get(rel)
        if entry is None:
            continue
        size = path.stat().st_size
        if entry.size != size:
            problems.append(f"{rel}: size {entry.size} != {size}")
        elif entry.lfs_sha256 is None and size < (1 << 20):
            data = path.read_bytes()
            if hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() != entry.oid:
                problems.append(f"{rel}: content differs")
    return "ok" if not problems else "; ".join(problems[:4])


def import_check(sim: Sim, repo_path: Path, work: Path, env: dict[str, str]) -> dict:
    """Does a push deploy import PyGithub (`github`)? Run once under `python -X importtime`."""
    m = run_action(sim, repo_path, work, env, pre=["-X", "importtime"], name="action-importtime")
    log = (work / "log-action-importtime.txt").read_text(errors="replace")
    mods = [
        ln.rsplit("|", 1)[-1].strip()
        for ln in log.splitlines()
        if ln.startswith("import time:") and "|" in ln
    ]
    github = sorted(
        {m.strip() for m in mods if m.strip() == "github" or m.strip().startswith("github.")}
    )
    heavy = [m for m in ("huggingface_hub", "httpx2", "yaml", "requests") if m in mods]
    return {
        "exit": m.exit,
        "modules_imported": len(mods),
        "github_imported": bool(github),
        "github_modules": github[:10],
        "also_imported": heavy,
    }


def run_variant(
    variant: str, size_gb: float, work: Path, log, *, nodelay: bool = True, rtt_ms: float = 0.0
) -> dict:
    env = repos.setup_git(work)
    log(f"[{variant}] building the repository ({size_gb:g} GB)…")
    repo = repos.build(work, variant, size_gb, env)
    files = repo.deployable()
    total = sum(p.stat().st_size for p in files.values())
    log(
        f"[{variant}] {len(files)} files, {total / 1e6:.0f} MB; large: {[(r, (repo.path / r).stat().st_size) for r in repo.large]}"
    )
    sims = {a: Sim(nodelay=nodelay, rtt_ms=rtt_ms) for a in APPROACHES}
    out: dict = {"variant": variant, "files": len(files), "bytes": total, "cases": []}
    try:
        for case, meaning, mutate in CASES:
            if case == "generated" and variant == "lfs":
                out["cases"] += pointer_cases(repo, sims["action"], work, env, log)
            changed, changed_size = mutate(repo) if mutate else (None, 0)
            files = repo.deployable()
            row: dict = {
                "case": case,
                "meaning": meaning,
                "changed": changed,
                "changed_size": changed_size,
                "measures": {},
                "verify": {},
            }
            for approach in APPROACHES:
                if approach == "action":
                    m = run_action(sims[approach], repo.path, work, env)
                else:
                    m = run_baseline(approach, sims[approach], repo.path, work, env)
                row["measures"][approach] = m.to_json()
                row["verify"][approach] = verify(sims[approach], files)
                log(
                    f"[{variant}/{case}] {approach:8s} {m.wall_s:7.2f}s  {m.n_requests:5d} req  {m.bytes_uploaded / 1e6:8.1f} MB up  {m.commits:4d} commits  read {m.rchar / 1e6:7.1f} MB  peak {m.peak_rss_mb:6.1f} MB  exit {m.exit}  {row['verify'][approach]}"
                )
                if m.exit != 0:
                    log(m.stdout_tail)
            floor = run_floor(list(files.values()), work, env, repo.path)
            row["measures"]["sha256sum"] = floor.to_json()
            log(
                f"[{variant}/{case}] sha256sum {floor.wall_s:7.2f}s  read {floor.rchar / 1e6:7.1f} MB"
            )
            if case == "noop":
                row["import_check"] = import_check(sims["action"], repo.path, work, env)
                log(f"[{variant}/{case}] import check: {row['import_check']}")
            out["cases"].append(row)
    finally:
        for s in sims.values():
            s.close()
    return out


def pointer_cases(
    repo: repos.BenchRepo, sim: Sim, work: Path, env: dict[str, str], log
) -> list[dict]:
    """A checkout without `lfs: true` (GIT_LFS_SKIP_SMUDGE=1) of what was deployed with content."""
    rows = []
    clone = repos.clone_pointers(repo, work / "repo-lfs-pointers")
    m = run_action(sim, clone.path, work, env, name="action-pointers")
    rows.append({
        "case": "lfs-pointers-noop", "meaning": "checkout without LFS content (pointers), nothing changed: expect no upload, no error",
        "changed": None, "changed_size": 0, "measures": {"action": m.to_json()}, "verify": {},
    })  # fmt: skip
    log(
        f"[lfs/pointers-noop] action {m.wall_s:.2f}s {m.n_requests} req {m.bytes_uploaded} B up {m.commits} commits read {m.rchar / 1e6:.1f} MB exit {m.exit} {m.errors}"
    )
    # The pointer of one large file changes (a push whose LFS content this checkout did not fetch).
    rel = clone.large[1]
    size = int(re.search(rb"size (\d+)", (clone.path / rel).read_bytes()).group(1))
    (clone.path / rel).write_text(
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{hashlib.sha256(os.urandom(32)).hexdigest()}\nsize {size}\n"
    )
    subprocess.run(
        ["git", "commit", "-q", "-am", f"change {rel}"],
        cwd=clone.path,
        env={**env, "GIT_LFS_SKIP_SMUDGE": "1"},
        capture_output=True,
        check=True,
    )
    repos.settle(clone.path, env)
    m = run_action(sim, clone.path, work, env, name="action-pointer-changed")
    rows.append({
        "case": "lfs-pointer-changed", "meaning": "pointers checkout, one large file's pointer changed: expect a clear ::error:: (how to check out LFS)",
        "changed": rel, "changed_size": size, "measures": {"action": m.to_json()}, "verify": {},
    })  # fmt: skip
    log(
        f"[lfs/pointer-changed] action exit {m.exit} {m.n_requests} req {m.bytes_uploaded} B up; {m.errors}"
    )
    shutil.rmtree(clone.path, ignore_errors=True)
    return rows
