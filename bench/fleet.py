"""A fleet on one token: N actions at once, each deploying its own Space, against one hubsim whose
API quota (per user, fixed windows) they share, as a monorepo matrix or a burst of preview pushes
does on the Hub (1,000 requests per 5 minutes on a free account).

Each run is the real entrypoint as the runner runs it (tests/action_runner.step_variables: the
`INPUT_*` variables, the step's files), in its own process and workspace (a Gradio app, so the
Space builds and the watch polls). Printed per run: the requests it made (hubsim counts them by
the User-Agent's `origin/<run>`, huggingface_hub's HF_HUB_USER_AGENT_ORIGIN), the 429s the quota
answered it, the seconds from its Space's final state (RUNNING) to the run's end, and its exit
code; then the fleet's totals.

`--scale` shortens every time of the setup alike (hubsim's lifecycle and quota window, the
action's polls and backoff: HF_DEPLOY_POLL_SCALE, HF_DEPLOY_BACKOFF_SCALE), so a figure at scale s
reads as the same fleet at scale 1 in seconds divided by s; the machine's load is not scaled
(process start-up, the requests themselves), so a small scale on a loaded machine favours the
fleet less than a real one.

    python -m bench.fleet --runs 8 [--quota 40 --window 30 --build 20 --scale 1]
    python -m bench.fleet --runs 1 --quota 1000 --window 300 --spent 150   # a spent quota
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from hubsim import HubSim, LifecycleTimings, Settings
from tests.action_runner import step_variables

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "hf_fleet_write_token"


@dataclass
class Run:
    name: str
    exit: int
    requests: int
    refused: int  # 429s the quota answered this run
    final_to_end: float | None  # seconds from its Space's RUNNING to the run's end
    wall: float


def _origin(i: int) -> str:
    return f"hf-deploy-fleet-{i:02d}"


def _start(i: int, sim: HubSim, work: Path, scale: float) -> subprocess.Popen[str]:
    workspace = work / f"run-{i}" / "workspace"
    shutil.copytree(ROOT / "examples" / "gradio-hello", workspace)
    files = {}
    for name in ("output", "summary"):
        path = workspace.parent / name
        path.touch()
        files[f"GITHUB_{'OUTPUT' if name == 'output' else 'STEP_SUMMARY'}"] = str(path)
    event = workspace.parent / "event.json"
    event.write_text("{}")
    env = {
        "HF_DEPLOY_POLL_SCALE": str(scale),
        "HF_DEPLOY_BACKOFF_SCALE": str(scale),
        "HF_HUB_USER_AGENT_ORIGIN": _origin(i),
        "HF_HOME": str(workspace.parent / "hf-home"),
        "PYTHONPATH": str(ROOT),
    }
    inputs = {"space": f"user/fleet-{i:02d}", "hf-token": TOKEN}
    base = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "HF_"))}
    base.update(
        step_variables(
            inputs, env, workspace=str(workspace), event_name="push", event_path=str(event),
            files=files, hub_url=sim.url,
        )
    )  # fmt: skip
    return subprocess.Popen(
        [sys.executable, str(ROOT / "entrypoint.py")], env=base, cwd=workspace, text=True,
        stdout=(workspace.parent / "stdout.txt").open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def _count(counter: dict[str, int], i: int) -> int:
    return sum(n for agent, n in counter.items() if f"origin/{_origin(i)}" in agent)


def fleet(
    runs: int, quota: int, window: float, build: float, scale: float, spent: float | None = None
) -> dict:
    """`spent`: other jobs used the whole quota, the window resets that many seconds from the
    start (times `scale`)."""
    settings = Settings(
        time_scale=scale,
        lifecycle=LifecycleTimings(stale=1.0, building=build, starting=5.0),
        api_quota=quota,
        api_window=window,
    )
    sim = HubSim(user="user", tokens={TOKEN: "write"}, settings=settings).start()
    if spent is not None:
        sim.spend_api(quota, spent)
    work = Path(tempfile.mkdtemp(prefix="hf-deploy-fleet-"))
    try:
        started = time.monotonic()
        procs = [_start(i, sim, work, scale) for i in range(runs)]
        ended: dict[int, float] = {}
        while len(ended) < runs:
            for i, proc in enumerate(procs):
                if i not in ended and proc.poll() is not None:
                    ended[i] = time.monotonic()
            time.sleep(0.02)
        counters = sim.counters.snapshot()
        results = []
        for i, proc in enumerate(procs):
            repo = sim.repo(f"user/fleet-{i:02d}")
            build = repo.space.build if repo is not None and repo.space is not None else None
            final = None if build is None else round(ended[i] - build.start_end, 2)
            results.append(
                Run(
                    f"fleet-{i:02d}",
                    proc.returncode,
                    _count(counters["clients"], i),
                    _count(counters["rate_limited"], i),
                    final,
                    round(ended[i] - started, 2),
                )
            )
        return {
            "runs": [asdict(r) for r in results],
            "total": {
                "runs": runs,
                "green": sum(r.exit == 0 for r in results),
                "requests": sum(counters["clients"].values()),
                "refused_429": sum(counters["rate_limited"].values()),
                "commits": counters["commits"],
                "max_final_to_end": max((r.final_to_end or 0.0) for r in results),
                "wall": round(time.monotonic() - started, 2),
            },
            "setup": {"quota": quota, "window": window, "build": build, "scale": scale, "spent": spent,
                      "load": os.getloadavg(), "cpus": os.cpu_count()},
        }  # fmt: skip
    finally:
        sim.stop()
        if not os.environ.get("FLEET_KEEP"):
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--quota", type=int, default=40, help="requests per window, per user")
    parser.add_argument("--window", type=float, default=30.0, help="seconds (times --scale)")
    parser.add_argument(
        "--build", type=float, default=20.0, help="a build's seconds (times --scale)"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="on every time of the setup")
    parser.add_argument(
        "--spent", type=float, help="the quota is used up, its reset this many seconds away"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = fleet(args.runs, args.quota, args.window, args.build, args.scale, args.spent)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'run':10} {'exit':>4} {'requests':>8} {'429s':>5} {'final->end s':>12} {'wall s':>7}")
    for r in result["runs"]:
        final = "-" if r["final_to_end"] is None else f"{r['final_to_end']:.2f}"
        print(
            f"{r['name']:10} {r['exit']:>4} {r['requests']:>8} {r['refused']:>5}"
            f" {final:>12} {r['wall']:>7.2f}"
        )
    t, s = result["total"], result["setup"]
    print(
        f"fleet: {t['green']}/{t['runs']} green, {t['requests']} requests, {t['refused_429']} refused"
        f" with 429, {t['commits']} commits, final->end at most {t['max_final_to_end']:.2f}s, {t['wall']:.1f}s in all"
        f" (quota {s['quota']} per {s['window']:.0f}s, scale {s['scale']}, load"
        f" {s['load'][0]:.1f} on {s['cpus']} CPUs)"
    )


if __name__ == "__main__":
    main()
