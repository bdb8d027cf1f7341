"""The probe's scripted sequence, its waits and its request budget: known before any request.

Every wait is bounded by a time and every loop by a request count, so the budget printed by
``--plan`` is an upper bound the recorder then enforces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum


class Kind(StrEnum):
    """A scratch Space's SDK. Static is free on every plan; Gradio and Docker need PRO (2026)."""

    STATIC = "static"
    GRADIO = "gradio"
    DOCKER = "docker"

    @property
    def builds(self) -> bool:
        return self is not Kind.STATIC


class Step(StrEnum):
    """One scripted step on one Space, in the order they run."""

    CREATE = "create"
    FIRST_BUILD = "first-build"
    REBUILD = "rebuild"
    COMMIT_DURING_BUILD = "commit-during-build"
    VARIABLE = "variable"
    SECRET = "secret"  # noqa: S105 - the step's name, not a secret
    HARDWARE = "hardware"
    VISIBILITY = "visibility"
    RESTART = "restart"
    PAUSE = "pause"
    BURST = "burst"
    DELETE = "delete"


STEP_TEXT = {
    Step.CREATE: "create the Space (refused if the name exists); read its runtime",
    Step.FIRST_BUILD: "commit the app; poll runtime and info, stream build and run logs to the end",
    Step.REBUILD: "commit a change to the running Space; watch the rebuild the same way",
    Step.COMMIT_DURING_BUILD: "commit, and commit again once the build shows; watch to the end",
    Step.VARIABLE: "add a variable; watch whether and how the Space restarts",
    Step.SECRET: "add a secret (a random value, redacted); watch the same way",
    Step.HARDWARE: "request cpu-upgrade, watch, then cpu-basic again, watch",
    Step.VISIBILITY: "protected, public, private, public again; read the info after each",
    Step.RESTART: "restart; watch",
    Step.PAUSE: "pause; read the runtime a few times",
    Step.BURST: "read the runtime until the RateLimit header's remaining count moves",
    Step.DELETE: "delete the Space (also after a failure; only what this run created)",
}
#: Steps a Space of a kind skips: a static Space never builds and has no hardware.
BUILT_ONLY = frozenset({Step.COMMIT_DURING_BUILD, Step.HARDWARE})


@dataclass(frozen=True)
class Timing:
    """Seconds. The defaults are for the real Hub; tests against hubsim pass shorter ones."""

    poll: float = 3.0  # between runtime reads
    build_max: float = 900.0  # a build to a verdict (the first one includes the queue)
    settle_max: float = 300.0  # a settings change to RUNNING again
    quiet: float = 45.0  # no restart within this after a change: it restarts nothing
    log_window: float = 45.0  # how long one log stream is read (longer than a keep-alive)
    log_short: float = 5.0  # a log snapshot at the end of a step
    reopen: float = 15.0  # a log stream that ended is opened again after this
    burst: int = 60  # at most this many reads in the burst
    info_reads: int = 20  # Space info reads per watch, until it names the head
    static_max: float = 60.0  # a static Space serves a commit at once: any watch of one

    def scaled(self, factor: float) -> Timing:
        """Every duration times ``factor`` (the request counts stay)."""
        fields: tuple[str, ...] = ("poll", "build_max", "settle_max", "quiet", "log_window")
        fields += ("log_short", "reopen", "static_max")
        return replace(self, **{f: getattr(self, f) * factor for f in fields})

    def polls(self, seconds: float) -> int:
        return math.ceil(seconds / self.poll) + 1

    def reopens(self, seconds: float) -> int:
        """Log streams opened while watching for ``seconds`` (two kinds)."""
        return 2 * (math.ceil(seconds / max(self.reopen, self.log_window / 4)) + 1)

    def pace(self) -> int:
        """Requests in any 5 minutes at most: polls, info reads, log streams, the burst."""
        return 2 * self.polls(300) + self.reopens(300) + self.burst


@dataclass(frozen=True)
class Planned:
    """One step on one Space with its request cap and its longest duration."""

    kind: Kind
    step: Step
    requests: int
    seconds: float


def _watch(t: Timing, seconds: float) -> tuple[int, float]:
    """A watch: the runtime per poll, the info until it names the head, the log streams, and a
    snapshot of both logs at the end."""
    requests = t.polls(seconds) + t.info_reads + t.reopens(seconds) + 2
    return requests, seconds + t.log_window + 2 * t.log_short


def step_cost(t: Timing, kind: Kind, step: Step) -> tuple[int, float]:
    """(requests at most, seconds at most) of one step."""
    build = t.build_max if kind.builds else t.static_max
    settle = t.settle_max if kind.builds else t.static_max
    costs: dict[Step, tuple[int, float]] = {
        Step.CREATE: (3, 5.0),
        Step.FIRST_BUILD: _add((1, 0.0), _watch(t, build)),
        Step.REBUILD: _add((1, 0.0), _watch(t, build)),
        Step.COMMIT_DURING_BUILD: _add((2 + t.polls(build), build), _watch(t, build)),
        Step.VARIABLE: _add((1, 0.0), _watch(t, settle)),
        Step.SECRET: _add((1, 0.0), _watch(t, settle)),
        Step.HARDWARE: _add((2, 0.0), _add(_watch(t, build), _watch(t, build))),
        Step.VISIBILITY: (8, 10.0),
        Step.RESTART: _add((1, 0.0), _watch(t, settle)),
        Step.PAUSE: (4, 3 * t.poll),
        Step.BURST: (t.burst, t.burst * 0.5),
        Step.DELETE: (1, 2.0),
    }
    return costs[step]


def _add(a: tuple[int, float], b: tuple[int, float]) -> tuple[int, float]:
    return a[0] + b[0], a[1] + b[1]


def kinds_for(paid: bool) -> tuple[Kind, ...]:
    return (Kind.STATIC, Kind.GRADIO, Kind.DOCKER) if paid else (Kind.STATIC,)


def build_plan(
    kinds: tuple[Kind, ...], timing: Timing, steps: frozenset[Step] | None = None
) -> list[Planned]:
    """The sequence for these Spaces; ``steps`` keeps a subset (create and delete always run).
    The burst runs once, on the first Space; hardware changes only on Gradio (the cheapest)."""
    out = []
    for i, kind in enumerate(kinds):
        for step in Step:
            if steps is not None and step not in steps | {Step.CREATE, Step.DELETE}:
                continue
            if step in BUILT_ONLY and not kind.builds:
                continue
            if (step is Step.BURST and i) or (step is Step.HARDWARE and kind is not Kind.GRADIO):
                continue
            requests, seconds = step_cost(timing, kind, step)
            out.append(Planned(kind, step, requests, seconds))
    return out


PREFLIGHT_REQUESTS = 1  # whoami; plus one existence check per Space (counted in CREATE)


def budget(plan: list[Planned]) -> int:
    return PREFLIGHT_REQUESTS + sum(p.requests for p in plan)


def render(plan: list[Planned], endpoint: str, owner: str, timing: Timing) -> str:
    """What ``--plan`` prints (and every run prints first)."""
    kinds = list(dict.fromkeys(p.kind for p in plan))
    paid = any(k.builds for k in kinds)
    minutes = sum(p.seconds for p in plan) / 60
    lines = [
        f"probe of {endpoint} as {owner}: {len(kinds)} scratch Space(s), "
        f"{', '.join(k.value for k in kinds)}",
        f"plan needed: {'PRO (Gradio and Docker Spaces, cpu-upgrade for minutes)' if paid else 'any (static Spaces are free)'}",
        f"request budget: {budget(plan)} at most, {timing.pace()} in any 5 minutes at most "
        f"(the Hub allows 1,000 per 5 minutes on a free account)",
        f"time: {minutes:.0f} minutes at most",
        "sequence:",
        "  whoami: the token works and may write to the owner",
    ]
    for p in plan:
        lines.append(
            f"  {p.kind.value:<7} {p.step.value:<20} <= {p.requests:>4} requests  {STEP_TEXT[p.step]}"
        )
    return "\n".join(lines)
