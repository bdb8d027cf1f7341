"""Running the probe against hubsim in-process, fast: the shared setup of the probe's tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hubsim import HubSim, LifecycleTimings, ProtectedInfo, Settings
from hubsim.probe.plan import Kind, Step, Timing
from hubsim.probe.script import Config, Result, run

SCALE = 0.05  # hubsim's time_scale
#: A build of 0.35 s: its BUILDING (0.2 s) and APP_STARTING (0.1 s) span several polls even when
#: the machine is busy, or a watch that sees neither waits out its bound. The stale window (0.5 s)
#: is what a new Space shows as its `queued_stage` after its first commit: the probe's first
#: runtime read must land in it, one round trip after the commit, also on a loaded machine.
LIFECYCLE = LifecycleTimings(stale=10.0, building=4.0, starting=2.0)
#: Waits for that hubsim: polls well inside its shortest phase (50 ms), log reads longer than
#: a keep-alive (1 Hub second = 50 ms), every bound a few builds long.
TIMING = Timing(
    poll=0.01,
    build_max=4.0,
    settle_max=2.0,
    quiet=0.3,
    log_window=0.3,
    log_short=0.1,
    reopen=0.05,
    burst=10,
    static_max=2.0,
    info_reads=200,  # an info lag of 5 Hub seconds is 0.25 s of 10 ms polls
)
TOKEN = "hf_probeRoundTripToken0123456789abcdef"
#: Knobs hubsim counts in real seconds while the classifier reads the Hub's seconds.
REAL_SECONDS = frozenset({"info_lag", "keepalive"})


def set_knob(sim: HubSim, name: str, value: Any) -> None:
    """Set one hubsim knob to a value as the classifier names it."""
    if name == "protected_info":
        value = ProtectedInfo[value]
    elif name in REAL_SECONDS:
        value = value * SCALE
    setattr(sim.settings.variants, name, value)


def has_knob(sim: HubSim, name: str) -> bool:
    return hasattr(sim.settings.variants, name)


@contextmanager
def probed_hub(secrets_seen: list[str] | None = None) -> Iterator[HubSim]:
    """A fast hubsim where the user may create paid Spaces; ``secrets_seen`` collects every
    secret value a Space held when it was deleted (what the cassettes must not contain)."""
    settings = Settings(time_scale=SCALE, lifecycle=LIFECYCLE)
    with HubSim(user="user", tokens={TOKEN: "write"}, settings=settings) as sim:
        sim.set_quota(pro=True)
        set_knob(sim, "keepalive", 1.0)
        if secrets_seen is not None:
            delete = sim.delete_repo

            def spy(repo_type: str, repo_id: str) -> None:
                repo = sim.repo(repo_id, repo_type)
                secrets_seen.extend(repo.secrets.values() if repo else [])
                delete(repo_type, repo_id)

            sim.delete_repo = spy  # type: ignore[method-assign]
        yield sim


def probe(
    sim: HubSim,
    out: Path,
    kinds: tuple[Kind, ...],
    steps: frozenset[Step] | None = None,
    timing: Timing = TIMING,
    owner: str = "user",
) -> Result:
    config = Config(sim.url, TOKEN, owner, kinds, out, timing, steps, SCALE, log=lambda _: None)
    return run(config)
