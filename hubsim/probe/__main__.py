"""``python -m hubsim.probe --endpoint URL --token-env NAME --owner OWNER [--paid] [--yes]``.

Prints the plan and the request budget first; ``--plan`` stops there (no network at all);
without ``--yes`` it refuses; ``--cleanup`` deletes the probe's leftovers, and nothing else.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from .plan import Kind, Step, Timing, build_plan, kinds_for, render
from .safety import Refused, confirm

ROOT = Path(__file__).resolve().parents[2]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m hubsim.probe",
        description="Record what the real Hub does where hubsim's variants guess (see "
        "docs/development.md). Creates and deletes scratch Spaces.",
    )
    p.add_argument("--endpoint", required=True, help="the Hub, e.g. https://huggingface.co")
    p.add_argument("--owner", required=True, help="user or org whose namespace gets the Spaces")
    p.add_argument("--token-env", default="HF_TOKEN", help="variable holding a write token")
    p.add_argument("--paid", action="store_true", help="also a Gradio and a Docker Space (PRO)")
    p.add_argument("--yes", action="store_true", help="confirm the endpoint, owner and cost")
    p.add_argument("--plan", action="store_true", help="print the sequence and budget; no network")
    p.add_argument("--cleanup", action="store_true", help="delete leftovers of earlier runs")
    p.add_argument("--out", type=Path, help="cassette folder (default tests/fixtures/probe/<date>)")
    p.add_argument("--steps", help="comma-separated subset of: " + ", ".join(s.value for s in Step))
    p.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="the Hub's speed (hubsim --time-scale): waits are scaled, durations read back",
    )
    return p.parse_args(argv)


def steps_of(text: str | None) -> frozenset[Step] | None:
    if not text:
        return None
    try:
        return frozenset(Step(s.strip()) for s in text.split(","))
    except ValueError as err:
        raise Refused(f"--steps: {err}; the steps are {', '.join(s.value for s in Step)}") from None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return _main(args)
    except Refused as err:
        print(f"probe: {err}", file=sys.stderr)
        return 2


def _main(args: argparse.Namespace) -> int:
    if args.cleanup:
        return _cleanup(args)
    kinds = kinds_for(args.paid)
    timing = Timing().scaled(args.time_scale)
    plan = build_plan(kinds, timing, steps_of(args.steps))
    print(render(plan, args.endpoint, args.owner, timing), flush=True)
    if args.plan:
        return 0
    confirm(args.yes, args.endpoint, args.owner)
    return _run(args, kinds, timing, _token(args))


def _token(args: argparse.Namespace) -> str:
    token = os.environ.get(args.token_env, "")
    if not token:
        raise Refused(f"no token: set {args.token_env} (or pass --token-env NAME) to a write token")
    return token


def _cleanup(args: argparse.Namespace) -> int:
    from .cleanup import BUDGET, cleanup
    from .safety import PREFIX

    print(
        f"cleanup of {args.owner} on {args.endpoint}: list its Spaces named {PREFIX}<sdk>-<6 hex>"
        f" and delete them; request budget: {BUDGET} at most",
        flush=True,
    )
    if args.plan:
        return 0
    confirm(args.yes, args.endpoint, args.owner, "delete the probe's Spaces")
    return cleanup(args.endpoint, _token(args), args.owner)


def _run(args: argparse.Namespace, kinds: tuple[Kind, ...], timing: Timing, token: str) -> int:
    from .classify import classify_dirs, table
    from .script import Config, run

    out = args.out or ROOT / "tests" / "fixtures" / "probe" / datetime.now(UTC).strftime("%Y-%m-%d")
    config = Config(
        args.endpoint, token, args.owner, kinds, out, timing, steps_of(args.steps), args.time_scale
    )
    result = run(config)
    print(f"probe: {result.requests} requests; cassettes in {out}")
    print(table(classify_dirs([out])))
    left = [s.repo_id for s in result.spaces if s.created and not s.deleted]
    if left:
        print(f"probe: not deleted: {', '.join(left)}: run again with --cleanup", file=sys.stderr)
    return 1 if result.error or left else 0


if __name__ == "__main__":
    sys.exit(main())
