"""Peak memory of a first deploy: the action (hf_xet's concurrency from this machine's memory, as it
runs: hub/xetmemory.py), the action with the job setting hf_xet's own defaults, and `upload_folder`,
on the same work. (bench/firstdeploy.py runs the same lanes on two links and under a memory limit.)

    .venv/bin/python -m bench.rss slow [--size-mb 900] [--mbps 100] [--runs 2]
    .venv/bin/python -m bench.rss gb [--size-gb 1.0] [--runs 1]

- **slow**: one random file of `--size-mb` in a git repository (plus a card and app.py), uploaded
  through bench/xetmem.py's HTTP CAS (hf_xet's RemoteClient, as against the Hub) with every upload
  sharing one `--mbps` link: the network slower than hashing, where hf_xet keeps most xorbs in flight.
- **gb**: the 1 GB bench repository (bench/repo.py, plain git: 2,000 small files and five binaries of
  300/250/200/150/100 MB), through hubsim's `local://` CAS, as `python -m bench` runs it.

Each deploy runs against its own fresh hubsim. Peak RSS is the process's VmHWM (bench/probe.py).
Results: bench/results-rss.json and the "Bounded memory" section of bench/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
from pathlib import Path

from . import repo as repos
from .harness import ROOT, Sim, action_env, baseline_env, compile_action, run
from .xetmem import HttpCas

BENCH = Path(__file__).resolve().parent
MB = 1 << 20
UNCAPPED = {  # hf_xet's own defaults, set by the job: the action then leaves them alone
    "HF_XET_CLIENT_AC_MAX_UPLOAD_CONCURRENCY": "64",
    "HF_XET_DATA_MAX_CONCURRENT_FILE_INGESTION": "8",
}
SECTION = "## Bounded memory (`python -m bench.rss`)"


def slow_repo(work: Path, size_mb: int, env: dict[str, str]) -> repos.BenchRepo:
    path = work / "repo-slow"
    path.mkdir(parents=True)
    repos.git(path, "init", "-q", env=env)
    (path / "README.md").write_text(repos.README)
    (path / "app.py").write_text(repos.APP)
    repos.write_random(path / "model.bin", size_mb * MB)
    repo = repos.BenchRepo(path, "plain", env, ["model.bin"], ["README.md", "app.py"])
    repo.commit("initial")
    return repo


def deploy(approach: str, repo: Path, work: Path, git_env: dict[str, str], mbps: float) -> dict:
    sim = Sim(xet=True)
    cas = HttpCas(sim.sim, mbps) if mbps else None  # 0: hubsim's local:// CAS
    try:
        if approach == "folder":
            env = baseline_env(sim, work, git_env)
            argv = ["script", str(BENCH / "baselines.py"), "folder", str(repo), "user/bench"]
        else:
            env = {**action_env(sim, repo, work, git_env), "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
            env.update(UNCAPPED if approach == "action-uncapped" else {})
            argv = ["script", str(ROOT / "entrypoint.py")]
        m = run(approach, argv, env, sim, work, cwd=repo)
        out = {
            "peak_rss_mib": m.peak_rss_mb,
            "wall_s": m.wall_s,
            "exit": m.exit,
            "commits": m.commits,
        }
        if cas is not None:
            out["peak_concurrent_xorbs"] = cas.peak_inflight
        if m.exit:
            out["tail"] = m.stdout_tail
        return out
    finally:
        if cas is not None:
            cas.close()
        sim.close()
        shutil.rmtree(work / "hf_home", ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=("slow", "gb"))
    ap.add_argument("--size-mb", type=int, default=900)
    ap.add_argument("--size-gb", type=float, default=1.0)
    ap.add_argument("--mbps", type=float, default=100.0)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument(
        "--cas", choices=("local", "http"), default="", help="default: slow http, gb local"
    )
    args = ap.parse_args()
    work = BENCH / "work" / f"rss-{args.mode}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    git_env = repos.setup_git(work)
    compile_action()
    if args.mode == "slow":
        repo = slow_repo(work, args.size_mb, git_env)
        label = f"one {args.size_mb} MB file, HTTP CAS, {args.mbps:g} MB/s shared link"
        mbps = args.mbps
        key = f"slow-{args.size_mb}mb-{args.mbps:g}mbps"
    else:
        repo = repos.build(work, "plain", args.size_gb, git_env)
        http = args.cas == "http"
        mbps = args.mbps if http else 0.0
        cas = f"HTTP CAS, {mbps:g} MB/s shared link" if http else "local:// CAS"
        label = f"the {args.size_gb:g} GB bench repository, {cas}"
        key = f"gb-{'http' if http else 'local'}"
    rows: dict[str, list[dict]] = {"action": [], "action-uncapped": [], "folder": []}
    try:
        for _ in range(args.runs):
            for approach, runs in rows.items():
                runs.append(deploy(approach, repo.path, work, git_env, mbps))
                print(approach, json.dumps(runs[-1]), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results_path = BENCH / "results-rss.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results[key] = {"label": label, "runs": rows}
    results_path.write_text(json.dumps(results, indent=2) + "\n")
    write_markdown(results)
    return 0


def write_markdown(results: dict) -> None:
    lines = [
        SECTION,
        "",
        "A first deploy's peak RSS (VmHWM, MiB) and wall time; each run against a fresh hubsim."
        " action = as it ran when measured (the rows below: hf_xet's upload concurrency capped at"
        " 1, one file ingested at a time, the fixed bound hub/xetmemory.py replaced);"
        " action-uncapped = the same with hf_xet's defaults set by the job;"
        " folder = `upload_folder` with hf_xet's defaults.",
        "",
        "| work | approach | peak RSS MiB (runs) | wall s (runs) |",
        "|---|---|---|---|",
    ]
    for res in results.values():
        for approach, runs in res["runs"].items():
            rss = ", ".join(f"{r['peak_rss_mib']:.0f}" for r in runs)
            wall = ", ".join(f"{r['wall_s']:.1f}" for r in runs)
            lines.append(f"| {res['label']} | {approach} | {rss} | {wall} |")
    text = (BENCH / "results.md").read_text()
    block = "\n".join(lines) + "\n"
    if SECTION in text:
        head, _, rest = text.partition(SECTION)
        nxt = re.search(r"^(## |Findings \(memory\))", rest, flags=re.M)
        text = head + block + ("\n" + rest[nxt.start() :] if nxt else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    (BENCH / "results.md").write_text(text)


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    raise SystemExit(main())
