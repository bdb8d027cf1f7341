"""python -m bench [--size-gb 1.0 | --quick] [--variants plain,lfs] [--keep]"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import cases, report, watch

BENCH = Path(__file__).resolve().parent


def machine() -> dict:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        mem = f"{int(open('/proc/meminfo').readline().split()[1]) / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import huggingface_hub

    def version(cmd: list[str]) -> str:
        try:
            return (
                subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
            )
        except (OSError, IndexError):
            return "absent"

    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory": mem, "kernel": platform.release(),
        "python": platform.python_version(), "huggingface_hub": huggingface_hub.__version__,
        "git": version(["git", "--version"]),
        "code": version(["git", "-C", str(BENCH.parent), "describe", "--always", "--dirty"]),
        "hf_action_uncommitted_files": len(subprocess.run(["git", "-C", str(BENCH.parent), "status", "--porcelain", "--", "hf_action", "entrypoint.py"], capture_output=True, text=True).stdout.splitlines()), "git_lfs": version(["git", "lfs", "version"]),
    }  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--size-gb", type=float, default=1.0, help="repository size (default 1.0)")
    ap.add_argument("--quick", action="store_true", help="~100 MB repositories, for iterating")
    ap.add_argument(
        "--variants",
        default="plain,lfs",
        help="plain (binaries in git) and/or lfs (git-lfs tracked)",
    )
    ap.add_argument(
        "--work", default=str(BENCH / "work"), help="where the repositories go (git-ignored)"
    )
    ap.add_argument("--out", default=str(BENCH), help="where results.json and results.md go")
    ap.add_argument(
        "--rtt-ms",
        type=float,
        default=0.0,
        help="network round trip added to every request (default 0)",
    )
    ap.add_argument(
        "--stock-latency",
        action="store_true",
        help="leave hubsim's ~44 ms/request Nagle stall in (no TCP_NODELAY)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the repositories after the run")
    args = ap.parse_args()
    size = 0.1 if args.quick else args.size_gb
    work = Path(args.work)
    variants = [v for v in args.variants.split(",") if v]
    if "lfs" in variants and not shutil.which("git-lfs"):
        print(
            "git-lfs is not installed (apt-get install -y git-lfs): skipping the lfs variant",
            file=sys.stderr,
        )
        variants.remove("lfs")

    started = time.time()
    results: dict = {
        "machine": machine(),
        "size_gb": size,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "variants": [],
        "network": {"tcp_nodelay": not args.stock_latency, "rtt_ms": args.rtt_ms},
    }
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    try:
        for variant in variants:
            vwork = work / variant
            results["variants"].append(
                cases.run_variant(
                    variant, size, vwork, log, nodelay=not args.stock_latency, rtt_ms=args.rtt_ms
                )
            )
            if not args.keep:
                shutil.rmtree(vwork, ignore_errors=True)
        log("build watch (fake clock)…")
        results["watch"] = watch.run()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results["seconds"] = round(time.time() - started, 1)
    results["targets"] = report.targets(results)
    out = Path(args.out)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    text = report.render(results)
    path = out / "results.md"
    # The Xet lane (python -m bench.xetlane) writes its own section at the end: keep it.
    before = path.read_text() if path.exists() else ""
    xet = before[before.find("## Xet lane") :] if "## Xet lane" in before else ""
    path.write_text(text.rstrip("\n") + "\n" + ("\n" + xet if xet else ""))
    print()
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
