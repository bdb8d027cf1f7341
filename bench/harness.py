"""Run one approach as a subprocess against its own hubsim and measure it.

Every approach gets its own HubSim instance (same code, same settings) so the LFS objects one approach
uploaded cannot make another one's uploads free (hubsim's LFS store is shared by all repos of an instance).
"""

from __future__ import annotations

import functools
import json
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from hubsim import HubSim, LifecycleTimings, Settings

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
TOKEN = "hf_bench_write_token"
SPACE = "user/bench"


@dataclass
class Measure:
    approach: str
    wall_s: float
    exit: int
    requests: dict[str, int]
    n_requests: int
    bytes_uploaded: int
    commits: int
    read_bytes: (
        int  # /proc/self/io read_bytes: from the block device (0 when the page cache has it)
    )
    rchar: int  # /proc/self/io rchar: bytes read through read() (files, pipes, sockets)
    peak_rss_mb: float
    first_request_s: float | None  # process start -> first request seen by the simulator
    cas_bytes: int = 0  # Xet: xorb bytes that reached the CAS
    timeline: list = field(
        default_factory=list
    )  # [seconds since Popen, "METHOD /route"] of the first 40 requests
    wall_runs: list = field(default_factory=list)  # every run's wall s when a case is repeated
    stdout_tail: str = ""
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return self.__dict__.copy()


class Sim:
    """A HubSim with a request-timestamp hook (wraps the instance's counters.request, hubsim untouched)."""

    def __init__(self, *, nodelay: bool = True, rtt_ms: float = 0.0, xet: bool = True) -> None:
        # Xet as in production; False: classic LFS (the clients then run with HF_HUB_DISABLE_XET=1).
        self.xet = xet
        self.sim = HubSim(
            user="user", tokens={TOKEN: "write"}, settings=Settings(time_scale=1.0, xet=xet)
        ).start()
        self.sim.settings.lifecycle = LifecycleTimings(stale=1.0, building=2.0, starting=1.0)
        self.stamps: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        original = self.sim.counters.request
        delay = rtt_ms / 1000.0

        def hooked(key: str, client: str = "") -> None:
            with self._lock:
                self.stamps.append((time.time(), key))
            original(key, client)
            if delay:
                time.sleep(delay)  # a modelled network round trip, paid by every request

        if nodelay:
            # http.server writes the headers and the body in two sends; with Nagle on, the body waits for
            # the client's delayed ACK: ~44 ms per request on loopback, an artifact no real Hub has.
            server = self.sim._server
            accept = server.get_request

            def get_request():
                sock, addr = accept()
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock, addr

            server.get_request = get_request  # type: ignore[method-assign]

        self.sim.counters.request = hooked  # type: ignore[method-assign]

    def reset(self) -> None:
        self.sim.counters.reset()
        with self._lock:
            self.stamps.clear()

    def close(self) -> None:
        import shutil

        self.sim.stop()
        shutil.rmtree(self.sim._blob_dir, ignore_errors=True)


def action_env(sim: Sim, repo: Path, work: Path, git_env: dict[str, str]) -> dict[str, str]:
    base = {
        k: v
        for k, v in git_env.items()
        if not k.startswith(("INPUT_", "GITHUB_", "HF_", "RUNNER_"))
    }
    out_dir = work / "runner"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "output").write_text("")
    (out_dir / "summary").write_text("")
    return {
        **base,
        "INPUT_SPACE": SPACE,
        "INPUT_HF-TOKEN": TOKEN,
        "INPUT_PATH": ".",
        "INPUT_WAIT": "false",
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_OUTPUT": str(out_dir / "output"),
        "GITHUB_STEP_SUMMARY": str(out_dir / "summary"),
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_REPOSITORY": "bench/repo",
        "HF_ENDPOINT": sim.sim.url,
        **({} if sim.xet else {"HF_HUB_DISABLE_XET": "1"}),
        "HF_HOME": str(work / "hf_home"),
    }


def baseline_env(sim: Sim, work: Path, git_env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in git_env.items() if not k.startswith(("HF_",))}
    return {
        **base,
        "HF_ENDPOINT": sim.sim.url,
        "HF_TOKEN": TOKEN,
        **({} if sim.xet else {"HF_HUB_DISABLE_XET": "1"}),
        "HF_HOME": str(work / "hf_home"),
    }


def run(
    approach: str,
    argv: list[str],
    env: dict[str, str],
    sim: Sim | None,
    work: Path,
    *,
    cwd: Path,
    pre: list[str] | None = None,
    wrap: list[str] | None = None,
) -> Measure:
    """argv: probe mode and its arguments. `pre`: interpreter options (e.g. -X importtime);
    `wrap`: a command that execs the rest (e.g. into a memory cgroup)."""
    if sim is not None:
        sim.reset()
    probe_out = work / f"probe-{approach}.json"
    log = work / f"log-{approach}.txt"
    cmd = [*(wrap or []), PY, *(pre or []), str(BENCH / "probe.py"), str(probe_out), *argv]
    with open(log, "wb") as fh:
        t0 = time.time()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT)
        proc.wait()
        wall = time.time() - t0
    probe = (
        json.loads(probe_out.read_text())
        if probe_out.exists()
        else {"io": {}, "peak_rss_kb": 0, "exit": proc.returncode}
    )
    text = log.read_text(errors="replace")
    if sim is not None:
        sim.sim.xet.ingest()  # what reached the Xet CAS, even without a commit
    counters = (
        sim.sim.counters.snapshot()
        if sim is not None
        else {"requests": {}, "bytes_received": 0, "commits": 0}
    )
    first = (sim.stamps[0][0] - t0) if sim is not None and sim.stamps else None
    return Measure(
        approach=approach,
        wall_s=round(wall, 3),
        exit=proc.returncode,
        requests=dict(sorted(counters["requests"].items())),
        n_requests=sum(counters["requests"].values()),
        # HTTP request bodies plus what reached the Xet CAS (xorbs: new chunks only, and shards).
        bytes_uploaded=counters["bytes_received"]
        + counters.get("cas_xorb_bytes", 0)
        + counters.get("cas_shard_bytes", 0),
        cas_bytes=counters.get("cas_xorb_bytes", 0),
        commits=counters["commits"],
        read_bytes=probe["io"].get("read_bytes", 0),
        rchar=probe["io"].get("rchar", 0),
        peak_rss_mb=round(probe["peak_rss_kb"] / 1024, 1),
        first_request_s=round(first, 3) if first is not None else None,
        timeline=[[round(t - t0, 3), k] for t, k in (sim.stamps[:40] if sim is not None else [])],
        stdout_tail="\n".join(text.splitlines()[-15:]),
        errors=[ln for ln in text.splitlines() if ln.startswith("::error")],
    )


@functools.cache
def compile_action() -> None:
    """As the image does (Dockerfile: compileall after COPY): the action starts from bytecode, not source.
    The runner's PYTHONDONTWRITEBYTECODE would otherwise make every run compile hf_action/ again."""
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "hf_action")], check=True)


def run_action(
    sim: Sim,
    repo: Path,
    work: Path,
    git_env: dict[str, str],
    *,
    pre: list[str] | None = None,
    name: str = "action",
) -> Measure:
    compile_action()
    env = action_env(sim, repo, work, git_env)
    return run(name, ["script", str(ROOT / "entrypoint.py")], env, sim, work, cwd=repo, pre=pre)


def run_baseline(kind: str, sim: Sim, repo: Path, work: Path, git_env: dict[str, str]) -> Measure:
    env = baseline_env(sim, work, git_env)
    return run(
        kind,
        ["script", str(BENCH / "baselines.py"), kind, str(repo), SPACE],
        env,
        sim,
        work,
        cwd=repo,
    )


def run_floor(files: list[Path], work: Path, git_env: dict[str, str], repo: Path) -> Measure:
    listing = work / "floor-files.txt"
    listing.write_bytes(b"\0".join(str(p).encode() for p in files))
    argv = ["exec", "sh", "-c", f"xargs -0 sha256sum < '{listing}' > /dev/null"]
    m = run("sha256sum", argv, dict(git_env), None, work, cwd=repo)
    # rchar also counts xargs reading the file list; negligible, left in.
    return m
