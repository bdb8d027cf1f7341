"""No-op deploy against its floor, as a process and as the container GitHub runs.

    .venv/bin/python -m bench.noop [--files 2000] [--runs 5] [--image hf-deploy:test] [--keep]

One git repository of `--files` files (small text files and one 1 MB binary, committed, index settled
as after a checkout), deployed once; then, alternating run by run (medians of `--runs`):

- **action**: `entrypoint.py` with the runner's environment (bytecode compiled, as in the image): a no-op;
- **floor**: what any deployer pays for the same no-op: a process that imports huggingface_hub, makes
  the two requests any deployer needs (whoami, the Space's info with its files) and stats every file
  (bench/floor.py);
- **floor, GC held**: the same with garbage collection held as the action's entrypoint holds it
  (`--gc-held`): what both save on the interpreter's collections set apart from the action's own work;
- **container** (with `--image`): `docker run` of the image as the runner runs it (bench/container.py's
  argv: /github mounts, `-e NAME`, host network), the wall time of the `docker run` command.

Results: bench/results-noop.json and the "No-op against its floor" section of bench/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from . import repo as repos
from .harness import PY, ROOT, SPACE, TOKEN, Sim, action_env, compile_action
from .xetlane import build

BENCH = Path(__file__).resolve().parent
SECTION = "## No-op against its floor (`python -m bench.noop`)"


def container_argv(
    image: str, sim: Sim, repo: Path, work: Path
) -> tuple[list[str], dict[str, str]]:
    """`docker run` as the runner runs a container action, and the environment its `-e NAME` read."""
    temp = work / "_temp"
    mounts = {}
    for name, inside in (
        ("_github_home", "/github/home"),
        ("_github_workflow", "/github/workflow"),
        ("_runner_file_commands", "/github/file_commands"),
    ):
        (temp / name).mkdir(parents=True, exist_ok=True)
        mounts[str(temp / name)] = inside
    (temp / "_github_workflow" / "event.json").write_text("{}")
    for name in ("set_output", "step_summary"):
        (temp / "_runner_file_commands" / name).touch()
    mounts[str(repo)] = "/github/workspace"
    mounts[sim.sim.xet.root] = sim.sim.xet.root
    env = {
        "HOME": "/github/home",
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_REPOSITORY": "bench/repo",
        "GITHUB_OUTPUT": "/github/file_commands/set_output",
        "GITHUB_STEP_SUMMARY": "/github/file_commands/step_summary",
        "INPUT_SPACE": SPACE,
        "INPUT_HF-TOKEN": TOKEN,
        "INPUT_PATH": ".",
        "INPUT_WAIT": "false",
        "HF_ENDPOINT": sim.sim.url,
    }
    argv = ["docker", "run", "--rm", "--network", "host", "--workdir", "/github/workspace"]
    argv += [a for name in env for a in ("-e", name)]
    argv += [a for host, inside in mounts.items() for a in ("-v", f"{host}:{inside}")]
    return [*argv, image], {"PATH": os.environ["PATH"], **env}


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system of the child: for `docker run`, only the client's)
    and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[:3]} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return wall, cpu, proc.stdout


def image_size(image: str) -> dict[str, float]:
    def size(ref: str) -> int:
        out = subprocess.run(
            ["docker", "image", "inspect", "-f", "{{.Size}}", ref],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return int(out)

    base = next(
        line.split()[1]
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.upper().startswith("FROM ")
    )
    total, from_base = size(image), size(base)
    return {
        "image_mb": total / 1e6,
        "base_mb": from_base / 1e6,
        "added_mb": (total - from_base) / 1e6,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--image", default="")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = BENCH / "work" / "noop"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = repos.setup_git(work)
    # README.md, app.py, requirements.txt, the small files and models/model.bin.
    repo = build(work, 1, args.files - 4, env)
    files = len(repo.deployable())
    sim = Sim()
    compile_action()
    action = action_env(sim, repo.path, work, env)
    floor_env = {**action, "HF_TOKEN": TOKEN}
    entry = [PY, str(ROOT / "entrypoint.py")]
    floor = [PY, str(BENCH / "floor.py"), SPACE, str(repo.path)]
    floor_gc = [*floor, "--gc-held"]
    try:
        timed(entry, action, repo.path)  # the first deploy
        runs: dict[str, list[float]] = {"action": [], "floor": [], "floor_gc": [], "container": []}
        cpu: dict[str, list[float]] = {"action": [], "floor": [], "floor_gc": []}
        commands = [
            ("action", entry, action),
            ("floor", floor, floor_env),
            ("floor_gc", floor_gc, floor_env),
        ]
        if args.image:
            argv, cenv = container_argv(args.image, sim, repo.path, work)
            commands.append(("container", argv, cenv))
        for _name, argv, e in commands:  # one unmeasured run each: caches warm, the image loaded
            timed(argv, e, repo.path)
        for _ in range(args.runs):
            for name, argv, e in commands:
                sim.reset()
                wall, used, out = timed(argv, e, repo.path)
                if name in cpu:
                    cpu[name].append(round(used, 3))
                if not name.startswith("floor"):
                    assert "Nothing changed" in out, out[-2000:]
                    assert sum(sim.sim.counters.requests.values()) <= 3, sim.sim.counters.requests
                runs[name].append(round(wall, 3))
        result = {
            "files": files,
            "runs": runs,
            "median_s": {k: statistics.median(v) for k, v in runs.items() if v},
            "python": sys.version.split()[0],
        }
        result["ratio_action_floor"] = round(
            result["median_s"]["action"] / result["median_s"]["floor"], 2
        )
        # Runs taken in turn: the ratio of each pair, so a drift of the machine's speed cancels.
        pairs = [a / f for a, f in zip(runs["action"], runs["floor"], strict=True)]
        result["ratio_pairs_median"] = round(statistics.median(pairs), 2)
        result["cpu_s"] = cpu
        result["ratio_cpu"] = round(
            statistics.median(cpu["action"]) / statistics.median(cpu["floor"]), 2
        )
        med = result["median_s"]
        result["ratio_action_floor_gc"] = round(med["action"] / med["floor_gc"], 2)
        result["own_work_ms"] = {  # the action's work above each floor, medians
            "floor": round(1000 * (med["action"] - med["floor"])),
            "floor_gc": round(1000 * (med["action"] - med["floor_gc"])),
        }
        if args.image:
            result["image"] = {"ref": args.image, **image_size(args.image)}
    finally:
        sim.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    (BENCH / "results-noop.json").write_text(json.dumps(result, indent=2) + "\n")
    write_markdown(result)
    print(json.dumps(result, indent=2))
    return 0


def write_markdown(res: dict) -> None:
    med = res["median_s"]
    rows = [
        ("action (process: `entrypoint.py`)", "action"),
        ("floor (import huggingface_hub, whoami + Space info, stat every file)", "floor"),
        ("floor, GC held as the action holds it (`floor.py --gc-held`)", "floor_gc"),
        ("container (`docker run` as the runner runs it)", "container"),
    ]
    lines = [
        SECTION,
        "",
        f"{res['files']:,} files, a no-op deploy (nothing changed), medians of {len(res['runs']['action'])}"
        " runs taken in turn.",
        "",
        "| what | median wall s | runs |",
        "|---|---:|---|",
    ]
    lines += [
        f"| {label} | {med[key]:.3f} | {', '.join(f'{x:.2f}' for x in res['runs'][key])} |"
        for label, key in rows
        if key in med
    ]
    lines += [
        "",
        f"action ÷ floor: **{res['ratio_action_floor']:.2f}×** the medians (target ≤ 1.1×);"
        f" median of the pairs' ratios {res['ratio_pairs_median']:.2f}×; CPU (user + system)"
        f" {res['ratio_cpu']:.2f}× (medians {statistics.median(res['cpu_s']['action']):.3f} s"
        f" vs {statistics.median(res['cpu_s']['floor']):.3f} s).",
        "",
        f"Against the floor with garbage collection held as the action holds it:"
        f" **{res['ratio_action_floor_gc']:.2f}×**; the action's own work above the floors:"
        f" {res['own_work_ms']['floor']} ms and {res['own_work_ms']['floor_gc']} ms.",
    ]
    if "image" in res:
        img = res["image"]
        lines += [
            "",
            f"Image `{img['ref']}`: {img['image_mb']:.0f} MB, of which the Dockerfile adds"
            f" {img['added_mb']:.0f} MB to its base ({img['base_mb']:.0f} MB; target ≤ 80 MB).",
        ]
    text = (BENCH / "results.md").read_text()
    block = "\n".join(lines) + "\n"
    if SECTION in text:
        head, _, rest = text.partition(SECTION)
        nxt = re.search(r"^## ", rest, flags=re.M)
        tail = rest[nxt.start() :] if nxt else ""
        findings = re.search(r"^Findings \(no-op\).*?(?=^## |\Z)", rest, flags=re.M | re.S)
        keep = findings.group(0) if findings and (not nxt or findings.start() < nxt.start()) else ""
        text = head + block + ("\n" + keep if keep else "") + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    (BENCH / "results.md").write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
