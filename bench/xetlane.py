"""Xet lane: the action in Xet mode beside the action in classic LFS and `upload_folder` as users run it.

    .venv/bin/python -m bench.xetlane [--size-mb 300] [--small 300] [--keep]

One git repository (small text files + one large random binary, plain git blobs), three approaches,
each against its own hubsim so nobody's uploads make another's free:

- **action-xet**: entrypoint.py with the runner's environment, Xet on (production);
- **action-classic**: the same with HF_HUB_DISABLE_XET=1 against a simulator without Xet;
- **folder-xet**: `upload_folder(..., delete_patterns="*")` with hf_xet: what users run today (pipelined,
  large folders split into several commits).

Cases, in order: first deploy; no-op; one small file changed; 1 MB overwritten in the middle of the large
binary (committed). "CAS MB" is what reached the Xet CAS (new xorb bytes after chunk dedup and
compression); "MB sent" adds every HTTP request body. Results: bench/results-xet.json and the "Xet lane"
section of bench/results.md.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
from dataclasses import dataclass
from pathlib import Path

from . import repo as repos
from .harness import Measure, Sim, run_action, run_baseline

BENCH = Path(__file__).resolve().parent
MB = 1 << 20
APPROACHES = (("action-xet", True), ("action-classic", False), ("folder-xet", True))
LARGE = "models/model.bin"
FINDINGS = "Findings (Xet lane"  # the hand-written paragraph after the generated section


@dataclass
class Lane:
    name: str
    sim: Sim

    @property
    def kind(self) -> str:
        return "folder" if self.name.startswith("folder") else "action"


def build(root: Path, size_mb: int, small: int, env: dict[str, str]) -> repos.BenchRepo:
    path = root / "repo-xet"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    repos.git(path, "init", "-q", env=env)
    rng = random.Random(1234)
    (path / "README.md").write_text(repos.README)
    (path / "app.py").write_text(repos.APP)
    (path / "requirements.txt").write_text("numpy\n")
    rels = []
    for i in range(small):
        rel = f"src/pkg{i // repos.PER_DIR:02d}/module_{i:04d}.py"
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(repos.small_text(rng, i))
        rels.append(rel)
    repos.write_random(path / LARGE, size_mb * MB)
    repo = repos.BenchRepo(path, "plain", env, [LARGE], ["README.md", "app.py", *rels])
    repo.commit("initial")
    return repo


def edit_middle(repo: repos.BenchRepo) -> tuple[str, int]:
    """Overwrite 1 MB in the middle of the large binary (same size), committed."""
    path = repo.path / LARGE
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(size // 2)
        fh.write(random.randbytes(MB))
    repo.commit("edit 1 MB in the middle of the model")
    return LARGE, size


CASES = (
    ("first", "first deploy (the Space does not exist)", None),
    ("noop", "redeploy, nothing changed", None),
    ("small", "one small file changed (committed)", repos.change_small),
    ("edit1mb", "1 MB changed in the middle of the large binary", edit_middle),
)


NOOP_RUNS = (
    5  # a no-op changes nothing, so it can be repeated: its wall time is the median of these
)


def run_lane(
    lane: Lane, repo: repos.BenchRepo, work: Path, env: dict[str, str], runs: int = 1
) -> Measure:
    """One approach on one case; `runs` > 1 repeats it (no-op only) and keeps the median wall time."""
    walls = []
    for _ in range(runs):
        if lane.kind == "folder":
            m = run_baseline("folder", lane.sim, repo.path, work, env)
        else:
            m = run_action(lane.sim, repo.path, work, env, name=lane.name)
        walls.append(m.wall_s)
    m.approach, m.wall_s = lane.name, statistics.median(walls)
    m.wall_runs = walls
    return m


def import_profile(lane: Lane, repo: repos.BenchRepo, work: Path, env: dict[str, str]) -> dict:
    """A no-op deploy under `python -X importtime`: what it imports and what that costs."""
    m = run_action(lane.sim, repo.path, work, env, pre=["-X", "importtime"], name="importtime")
    log = (work / "log-importtime.txt").read_text(errors="replace")
    rows = []
    for ln in log.splitlines():
        hit = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", ln)
        if hit:
            rows.append((int(hit.group(2)), len(hit.group(3)), hit.group(4)))
    top = sorted((r for r in rows if r[1] <= 1), reverse=True)[:8]
    names = {r[2] for r in rows}
    return {
        "exit": m.exit,
        "wall_s": m.wall_s,
        "modules": len(rows),
        "import_ms_total": round(sum(r[0] for r in rows if r[1] <= 1) / 1000),
        "top_ms": [[name, round(us / 1000)] for us, _, name in top],
        "hf_xet_imported": "hf_xet" in names,
        "huggingface_hub_modules": sum(1 for n in names if n.startswith("huggingface_hub")),
    }


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.xetlane", description=__doc__)
    ap.add_argument("--size-mb", type=int, default=300, help="size of the large binary (300)")
    ap.add_argument("--small", type=int, default=300, help="number of small text files (300)")
    ap.add_argument("--keep", action="store_true", help="keep bench/work/xet")
    args = ap.parse_args()
    work = BENCH / "work" / "xet"
    env = repos.setup_git(work)
    repo = build(work, args.size_mb, args.small, env)
    lanes = [Lane(name, Sim(xet=xet)) for name, xet in APPROACHES]
    results: dict = {"size_mb": args.size_mb, "small_files": args.small, "cases": {}}
    try:
        for case, title, mutate in CASES:
            if mutate is not None:
                mutate(repo)
            row = {}
            for lane in lanes:
                m = run_lane(lane, repo, work, env, NOOP_RUNS if case == "noop" else 1)
                row[lane.name] = m.to_json()
                print(f"{case:8} {lane.name:15} {m.wall_s:7.2f}s exit={m.exit} req={m.n_requests}"
                      f" sent={m.bytes_uploaded / MB:8.2f}MB cas={m.cas_bytes / MB:8.2f}MB"
                      f" commits={m.commits} rss={m.peak_rss_mb}MB", flush=True)  # fmt: skip
            results["cases"][case] = {"title": title, "runs": row}
        results["noop_imports"] = import_profile(lanes[0], repo, work, env)
    finally:
        for lane in lanes:
            lane.sim.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results["targets"] = targets(results)
    (BENCH / "results-xet.json").write_text(json.dumps(results, indent=1))
    write_markdown(results)
    return 0


def targets(res: dict) -> dict:
    c = res["cases"]

    def run(case: str, name: str) -> dict:
        return c[case]["runs"][name]

    def ratio(case: str) -> float:
        return round(run(case, "action-xet")["wall_s"] / run(case, "folder-xet")["wall_s"], 2)

    size = res["size_mb"] * MB
    edit = run("edit1mb", "action-xet")
    noop = run("noop", "action-xet")
    rss = max(r["peak_rss_mb"] for case in c.values() for n, r in case["runs"].items() if n == "action-xet")  # fmt: skip
    return {
        "edit_sent_share": round(edit["cas_bytes"] / size, 4),
        "edit_ok": edit["cas_bytes"] <= 0.05 * size,
        "noop_bytes": noop["bytes_uploaded"],
        "noop_requests": noop["n_requests"],
        "noop_ok": noop["bytes_uploaded"] == 0 and noop["n_requests"] <= 3,
        "first_vs_folder": ratio("first"),
        "peak_rss_mb": rss,
        "rss_ok": rss < 200,
        "noop_vs_folder": ratio("noop"),
    }


def write_markdown(res: dict) -> None:
    t = res["targets"]
    lines = [
        "## Xet lane (`python -m bench.xetlane`)",
        "",
        f"Repository: {res['small_files']} small text files + one {res['size_mb']} MB random binary"
        " (plain git). Each approach against its own hubsim (Xet on, except action-classic).",
        "",
        "| case | approach | wall s | requests | commits | MB sent | CAS MB | peak RSS MB | exit |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case, data in res["cases"].items():
        for name, r in data["runs"].items():
            lines.append(
                f"| {case} | {name} | {r['wall_s']:.2f} | {r['n_requests']} | {r['commits']} |"
                f" {r['bytes_uploaded'] / MB:.2f} | {r['cas_bytes'] / MB:.2f} |"
                f" {r['peak_rss_mb']} | {r['exit']} |"
            )
    imp = res.get("noop_imports", {})
    lines += [
        "",
        "Targets (action-xet):",
        "",
        f"- 1 MB edit in the middle of the {res['size_mb']} MB binary: {t['edit_sent_share'] * 100:.2f} %"
        f" of the file reached the CAS (target ≤ 5 %): {'met' if t['edit_ok'] else 'NOT met'}",
        f"- no-op: {t['noop_bytes']} bytes, {t['noop_requests']} requests (target 0 and ≤ 3):"
        f" {'met' if t['noop_ok'] else 'NOT met'}",
        f"- first deploy: {t['first_vs_folder']}× upload_folder's time (target ≤ 1.0)",
        f"- peak RSS: {t['peak_rss_mb']} MB (target < 200): {'met' if t['rss_ok'] else 'NOT met'}",
        f"- no-op: {t['noop_vs_folder']}× upload_folder's time (target ≤ 0.2)",
        f"- no-op imports (`-X importtime`): {imp.get('modules')} modules,"
        f" {imp.get('import_ms_total')} ms; hf_xet imported: {imp.get('hf_xet_imported')};"
        f" huggingface_hub modules: {imp.get('huggingface_hub_modules')};"
        f" top: {', '.join(f'{n} {ms} ms' for n, ms in imp.get('top_ms', []))}",
        "",
    ]
    path = BENCH / "results.md"
    text = path.read_text() if path.exists() else ""
    head, _, section = text.partition("## Xet lane")
    # The findings written by hand after the generated table stay; only the measured part is replaced.
    findings = section[section.find(FINDINGS) :] if FINDINGS in section else ""
    body = "\n".join(lines) + ("\n" + findings if findings else "")
    path.write_text((head.rstrip() + "\n\n" if head.strip() else "") + body)


if __name__ == "__main__":
    raise SystemExit(main())
