"""First deploys on two links, and under a memory limit: the action against `upload_folder`.

    .venv/bin/python -m bench.firstdeploy                        # 3 lanes x 2 links x action, folder
    .venv/bin/python -m bench.firstdeploy --lanes gb --links shared,latency \\
        --approaches action@2GiB,action@16GiB,action-uncapped   # memory that follows the machine

Lanes (each a git repository, committed, index settled as after a checkout):

- **gb**: the 1 GB bench repository (bench/repo.py: 2,000 small text files and five random binaries
  of 300/250/200/150/100 MB);
- **file900**: one random 900 MB file (plus a card and app.py);
- **files2000**: 2,000 files (1,996 small text files, a card, app.py, requirements.txt and one 1 MB
  binary: bench/noop.py's repository).

Links (every Xet upload goes through bench/xetmem.py's HTTP CAS: hf_xet's RemoteClient, as against
the Hub's storage; the Hub's API is hubsim):

- **shared**: all uploads share one `--mbps` link (100 MB/s), no latency: where one stream can fill it;
- **latency**: the same shared link, plus `--rtt-ms` (100 ms) on every request to the CAS and to the
  Hub's API, and each request's body at most `--stream-mbps` (25 MB/s): a distant storage path,
  where one TCP stream cannot fill the link and concurrency is what does.

Approaches, each deploy against a fresh hubsim and CAS:

- **action**: `entrypoint.py` as it runs on this machine (hf_xet's concurrency from its memory);
- **action@2GiB**, **action@16GiB**: the same inside a memory cgroup with that limit (created under
  /sys/fs/cgroup and removed after; needs root): a small container, a GitHub-hosted runner;
- **action-uncapped**: the action with the job setting hf_xet's defaults itself (64 uploads, 8 files);
- **action:UxF**: the action with the job setting U uploads and F files (the model's calibration);
- **action+NAME=VALUE**: the action with one more variable in its environment (an experiment: glibc's
  `MALLOC_MMAP_THRESHOLD_`, say), a setting the action does not make;
- **folder**: `create_repo` + `upload_folder(delete_patterns="*")`, hf_xet's defaults;
- **folder-again**: the same once more, an A/A comparison: how far apart two medians of the same
  process fall on this machine (its ÷ folder is that noise).

Each round runs every approach once per lane and link, in turn (the order alternating by round);
medians of `--runs`. Peak RSS is the process's VmHWM (bench/probe.py). Results:
bench/results-first.json (every run, the command that made it) and its section of bench/results.md.

Medians of a few runs cannot tell a 1 % difference inside a 5 % spread (the 900 MB file's peak:
+-30 MiB run to run). So each approach is also paired with `upload_folder`'s run of the same round
(same lane, link and minute): the mean of the differences with its 95 % confidence interval, and a
verdict: **lower** or **higher** when the interval excludes 0, **tie** when it holds 0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

from . import repo as repos
from .harness import ROOT, Sim, action_env, baseline_env, compile_action, run
from .rss import UNCAPPED, slow_repo
from .xetlane import build as small_files_repo
from .xetmem import HttpCas

BENCH = Path(__file__).resolve().parent
UPLOADS, FILES = (
    "HF_XET_CLIENT_AC_MAX_UPLOAD_CONCURRENCY",
    "HF_XET_DATA_MAX_CONCURRENT_FILE_INGESTION",
)
GIB = 1 << 30
SECTION = "## First deploys on two links (`python -m bench.firstdeploy`)"


class MemoryCgroup:
    """A memory cgroup with a limit (v2 `memory.max` or v1 `memory.limit_in_bytes`); `wrap` execs a
    command inside it. Removed by `close` once its processes are gone."""

    def __init__(self, limit: int) -> None:
        v2 = Path("/sys/fs/cgroup/cgroup.controllers")
        if v2.exists() and "memory" in v2.read_text().split():
            root, limit_file, self.peak_file = Path("/sys/fs/cgroup"), "memory.max", "memory.peak"
        else:
            root, limit_file = Path("/sys/fs/cgroup/memory"), "memory.limit_in_bytes"
            self.peak_file = "memory.max_usage_in_bytes"
        self.path = root / f"hf-deploy-bench-{os.getpid()}-{limit // GIB}g"
        self.path.mkdir()
        (self.path / limit_file).write_text(str(limit))

    def wrap(self) -> list[str]:
        # Not sh: dash drops variables whose names are not identifiers (INPUT_HF-TOKEN).
        code = "import os, sys; open(sys.argv[1], 'w').write(str(os.getpid())); os.execv(sys.argv[2], sys.argv[2:])"
        return [sys.executable, "-c", code, str(self.path / "cgroup.procs")]

    def peak_mib(self) -> float | None:
        """The group's own peak (page cache included), when the kernel keeps one."""
        try:
            return round(int((self.path / self.peak_file).read_text()) / (1 << 20), 1)
        except OSError:
            return None

    def close(self) -> None:
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except OSError:  # its last process still exiting
                time.sleep(0.1)


def build_lane(lane: str, work: Path, git_env: dict[str, str], args) -> repos.BenchRepo:
    if lane == "gb":
        return repos.build(work, "plain", args.size_gb, git_env)
    if lane == "file900":
        return slow_repo(work, args.file_mb, git_env)
    return small_files_repo(work, 1, args.files - 4, git_env)


def deploy(approach: str, repo: Path, work: Path, git_env: dict[str, str], link: dict) -> dict:
    sim = Sim(xet=True, rtt_ms=link["rtt_ms"])
    cas = HttpCas(sim.sim, link["mbps"], rtt_ms=link["rtt_ms"], stream_mbps=link["stream_mbps"])
    group = MemoryCgroup(_limit(approach)) if "@" in approach else None
    try:
        if approach in ("folder", "folder-again"):
            env = baseline_env(sim, work, git_env)
            argv = ["script", str(BENCH / "baselines.py"), "folder", str(repo), "user/bench"]
        else:
            env = {**action_env(sim, repo, work, git_env), "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
            env.update(UNCAPPED if approach == "action-uncapped" else {})
            if approach.startswith("action:"):  # fixed settings, as a job sets them: calibration
                uploads, files = approach.removeprefix("action:").split("x")
                env.update({UPLOADS: uploads, FILES: files})
            if approach.startswith("action+"):  # one more variable: an experiment
                name, _, value = approach.removeprefix("action+").partition("=")
                env[name] = value
            argv = ["script", str(ROOT / "entrypoint.py")]
        wrap = group.wrap() if group is not None else None
        m = run(approach, argv, env, sim, work, cwd=repo, wrap=wrap)
        log = (work / f"log-{approach}.txt").read_text(errors="replace")
        out = {
            "wall_s": m.wall_s,
            "peak_rss_mib": m.peak_rss_mb,
            "exit": m.exit,
            "commits": m.commits,
            "requests": m.n_requests,
            "cas_mib": round(m.cas_bytes / (1 << 20), 1),
            "peak_concurrent_xorbs": cas.peak_inflight,
            "xet": next((ln for ln in log.splitlines() if ln.startswith("hf_xet: ")), ""),
        }
        if group is not None:
            out["cgroup_peak_mib"] = group.peak_mib()
        if m.exit:
            out["tail"] = m.stdout_tail
        return out
    finally:
        cas.close()
        sim.close()
        if group is not None:
            group.close()
        shutil.rmtree(work / "hf_home", ignore_errors=True)


def _limit(approach: str) -> int:
    size = approach.split("@", 1)[1]
    return int(float(size.removesuffix("GiB")) * GIB)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lanes", default="gb,file900,files2000")
    ap.add_argument("--links", default="shared,latency")
    ap.add_argument("--approaches", default="action,folder")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mbps", type=float, default=100.0, help="the shared link, MB/s")
    ap.add_argument("--rtt-ms", type=float, default=100.0, help="latency link: per request")
    ap.add_argument("--stream-mbps", type=float, default=25.0, help="latency link: per stream")
    ap.add_argument("--size-gb", type=float, default=1.0)
    ap.add_argument("--file-mb", type=int, default=900)
    ap.add_argument("--files", type=int, default=2000)
    args = ap.parse_args()
    links = {
        "shared": {"mbps": args.mbps, "rtt_ms": 0.0, "stream_mbps": 0.0},
        "latency": {"mbps": args.mbps, "rtt_ms": args.rtt_ms, "stream_mbps": args.stream_mbps},
    }
    approaches = args.approaches.split(",")
    command = "python -m bench.firstdeploy " + " ".join(sys.argv[1:])
    results_path = BENCH / "results-first.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    compile_action()
    for lane in args.lanes.split(","):
        work = BENCH / "work" / f"first-{lane}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        git_env = repos.setup_git(work)
        repo = build_lane(lane, work, git_env, args)
        try:
            for name in args.links.split(","):
                rows: dict[str, list[dict]] = {a: [] for a in approaches}
                for k in range(args.runs):
                    for approach in approaches if k % 2 == 0 else approaches[::-1]:
                        rows[approach].append(
                            deploy(approach, repo.path, work, git_env, links[name])
                        )
                        print(lane, name, approach, json.dumps(rows[approach][-1]), flush=True)
                for approach, runs in rows.items():
                    results[f"{lane}/{name}/{approach}"] = {
                        "lane": lane, "link": name, "approach": approach,
                        "link_model": links[name], "runs": runs, "command": command,
                        "load": os.getloadavg(), "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    }  # fmt: skip
                results_path.write_text(json.dumps(results, indent=2) + "\n")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    write_markdown(results)
    return 0


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


#: Student's t, two-sided 95 %, by degrees of freedom (1-29); 1.96 from 30 on.
_T95 = (12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.20, 2.18, 2.16, 2.14, 2.13,
        2.12, 2.11, 2.10, 2.09, 2.09, 2.08, 2.07, 2.07, 2.06, 2.06, 2.06, 2.05, 2.05, 2.05)  # fmt: skip


def paired(runs: list[dict], against: list[dict], key: str) -> tuple[int, float, float, float]:
    """Run k against run k of the same round (both succeeded): how many pairs, the mean of the
    differences and its 95 % confidence interval (Student's t). Pairing takes out what drifts
    between rounds (the machine's load, the page cache)."""
    diffs = [a[key] - b[key] for a, b in zip(runs, against) if not a["exit"] and not b["exit"]]
    n = len(diffs)
    mean = statistics.fmean(diffs) if diffs else 0.0
    if n < 2:
        return n, mean, float("-inf"), float("inf")
    half = (_T95[n - 2] if n - 1 < 30 else 1.96) * statistics.stdev(diffs) / n**0.5
    return n, mean, mean - half, mean + half


def verdict(low: float, high: float) -> str:
    return "lower" if high < 0 else "higher" if low > 0 else "tie"


def write_markdown(results: dict) -> None:
    """One table per command that made rows; ratios against rows of the same command only (the
    same machine, the same hour, the same load)."""
    lines = [
        SECTION,
        "",
        "First deploys (the Space does not exist yet), medians of the runs listed; every run against"
        " a fresh hubsim and HTTP CAS. Links: **shared** = every upload shares one 100 MB/s link, no"
        " latency; **latency** = the same link, plus 100 ms per request (CAS and Hub API) and"
        " 25 MB/s per stream. ÷ folder and ÷ uncapped: the row's median over `upload_folder`'s (or"
        " the action with hf_xet's defaults set by the job) on the same lane and link, in the same"
        " command's runs. See bench/README.md for what each lane and link models and what it does not.",
    ]
    commands: dict[str, list[dict]] = {}
    for res in results.values():
        commands.setdefault(res["command"].strip(), []).append(res)
    for command, rows in commands.items():
        loads = [r["load"][1] for r in rows]
        lines += [
            "",
            f"`{command}` ({rows[0]['at']}, load average over 5 min {min(loads):.1f}-{max(loads):.1f}):",
            "",
            "| lane | link | approach | wall s median (runs) | ÷ folder | ÷ uncapped"
            " | peak RSS MiB median (runs) | ÷ folder | xorbs in flight (max) |",
            "|---|---|---|---|---:|---:|---|---:|---:|",
        ]
        same = {(r["lane"], r["link"], r["approach"]): r for r in rows}
        for res in rows:
            lines.append(_row(res, same))
        pairs = [_paired_row(r, same) for r in rows if r["approach"] != "folder"]
        if any(pairs):
            lines += [
                "",
                "Paired with `upload_folder`'s run of the same round: mean difference, its 95 %"
                " confidence interval, and whether it excludes 0.",
                "",
                "| lane | link | approach | pairs | wall s: mean Δ [95 % CI] | verdict"
                " | peak RSS MiB: mean Δ [95 % CI] | verdict |",
                "|---|---|---|---:|---|---|---|---|",
                *(p for p in pairs if p),
            ]
    text = (BENCH / "results.md").read_text()
    block = "\n".join(lines) + "\n"
    if SECTION in text:
        head, _, rest = text.partition(SECTION)
        nxt = re.search(r"^(## |Findings \(first deploys\))", rest, flags=re.M)
        text = head + block + ("\n" + rest[nxt.start() :] if nxt else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    (BENCH / "results.md").write_text(text)


def _paired_row(res: dict, same: dict) -> str:
    folder = same.get((res["lane"], res["link"], "folder"))
    if folder is None or len(res["runs"]) < 3:
        return ""
    cells = []
    for key, fmt in (("wall_s", "+.3f"), ("peak_rss_mib", "+.1f")):
        n, mean, low, high = paired(res["runs"], folder["runs"], key)
        cells += [f"{mean:{fmt}} [{low:{fmt}}, {high:{fmt}}]", verdict(low, high)]
    return (
        f"| {res['lane']} | {res['link']} | {res['approach']} | {n} | " + " | ".join(cells) + " |"
    )


def _row(res: dict, same: dict) -> str:
    runs = [r for r in res["runs"] if not r["exit"]]
    wall, rss = _median(runs, "wall_s"), _median(runs, "peak_rss_mib")

    def ratio(approach: str, key: str, value: float) -> str:
        other = same.get((res["lane"], res["link"], approach))
        ok = [r for r in other["runs"] if not r["exit"]] if other else []
        return f"{value / _median(ok, key):.2f}" if ok and other is not res else ""

    walls = ", ".join(f"{r['wall_s']:.1f}" for r in runs)
    mib = ".1f" if rss < 100 else ".0f"  # a small process's differences are tenths of a MiB
    peaks = ", ".join(f"{r['peak_rss_mib']:{mib}}" for r in runs)
    return (
        f"| {res['lane']} | {res['link']} | {res['approach']} | {wall:.1f} ({walls})"
        f" | {ratio('folder', 'wall_s', wall)} | {ratio('action-uncapped', 'wall_s', wall)}"
        f" | {rss:{mib}} ({peaks}) | {ratio('folder', 'peak_rss_mib', rss)}"
        f" | {max(r['peak_concurrent_xorbs'] for r in runs)} |"
    )


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    raise SystemExit(main())
