"""CLI: ``python -m hubsim --port PORT [--host H] [--user NAME] [--token TOKEN]...``.

Prints exactly one line ``hubsim listening on URL`` once connections are accepted and exits 0
on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .hub import HubSim
from .settings import LifecycleTimings, Settings, Variants, assign


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m hubsim", description="Local Hugging Face Hub simulator for Spaces"
    )
    p.add_argument("--port", type=int, default=0, help="port to bind (0 = any free port)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--user", default="user", help="name of the simulated user")
    p.add_argument(
        "--token", action="append", default=[], help="write token of --user (repeatable)"
    )
    p.add_argument(
        "--read-token", action="append", default=[], help="read-only token of --user (repeatable)"
    )
    p.add_argument(
        "--org", action="append", default=[], help="organisation the user can write to (repeatable)"
    )
    p.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="multiplier applied to every lifecycle duration",
    )
    p.add_argument(
        "--stale",
        type=float,
        default=1.0,
        help="seconds the previous stage is still reported after a commit",
    )
    p.add_argument("--building", type=float, default=2.0, help="seconds spent in BUILDING")
    p.add_argument("--starting", type=float, default=1.0, help="seconds spent in APP_STARTING")
    p.add_argument(
        "--page-size", type=int, default=1000, help="items per page of tree/commit listings"
    )
    p.add_argument("--pro", action="store_true", help="user may request paid hardware (no 402)")
    p.add_argument(
        "--classic-lfs",
        action="store_true",
        help="no Xet: token endpoints refuse (clients need HF_HUB_DISABLE_XET=1)",
    )
    p.add_argument(
        "--runtime-sha",
        action="store_true",
        help="runtime JSON names the commit of the build shown (production omits it)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KNOB=VALUE",
        help="any knob of hubsim.settings, e.g. variants.log_stream=keepalive (repeatable)",
    )
    return p.parse_args(argv)


def settings_of(args: argparse.Namespace) -> Settings:
    """The flags' settings, then each ``--set`` in order."""
    settings = Settings(
        time_scale=args.time_scale,
        lifecycle=LifecycleTimings(
            stale=args.stale, building=args.building, starting=args.starting
        ),
        page_size=args.page_size,
        xet=not args.classic_lfs,
        variants=Variants(sha="shown" if args.runtime_sha else "absent"),
    )
    for assignment in args.set:
        assign(settings, assignment)
    return settings


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tokens = {t: "write" for t in args.token} | {t: "read" for t in args.read_token}
    if not tokens:
        tokens = {"hf_write_token": "write"}
    try:
        settings = settings_of(args)
    except ValueError as exc:
        print(f"hubsim: --set {exc}", file=sys.stderr)
        return 2
    sim = HubSim(user=args.user, tokens=tokens, settings=settings, host=args.host, port=args.port)
    for org in args.org:
        sim.add_org(org, {args.user: "write"})
    if args.pro:
        sim.set_quota(pro=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    sim.start()
    print(f"hubsim listening on {sim.url}", flush=True)
    while not done.wait(0.5):
        pass
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
