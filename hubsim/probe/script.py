"""The scripted sequence itself: each step's requests and bounded waits on one scratch Space.

A step only asks and records; it never judges what the Hub answered (the classifier does, from
the cassettes), except to know when a wait may end.
"""

from __future__ import annotations

import base64
import json
import secrets
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2

from .plan import Kind, Step, Timing, budget, build_plan
from .record import Answer, BudgetSpent, Recorder
from .redact import SECRET_PREFIX
from .safety import Refused, scratch_name

BUILD_STAGES = frozenset({"BUILDING", "RUNNING_BUILDING", "APP_STARTING", "RUNNING_APP_STARTING"})
SETTLED = frozenset(
    {"RUNNING", "BUILD_ERROR", "RUNTIME_ERROR", "CONFIG_ERROR", "NO_APP_FILE", "PAUSED"}
    | {"SLEEPING", "STOPPED"}
)
VISIBILITY_ROUND_TRIP = ("protected", "public", "private", "public")
PAUSE_READS = 3
SNAPSHOT = "snapshot"  # the log reads that end a watch: what the logs say once it settled
RATELIMIT_ABSENT_READS = 5  # a Hub that sends no RateLimit header: stop the burst after these


@dataclass
class Config:
    """One probe run. ``time_scale`` says how fast the Hub under test runs (1 for the real Hub,
    hubsim's own for hubsim) so the classifier reads durations in the Hub's seconds."""

    endpoint: str
    token: str
    owner: str
    kinds: tuple[Kind, ...]
    out: Path
    timing: Timing = field(default_factory=Timing)
    steps: frozenset[Step] | None = None
    time_scale: float = 1.0
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)


@dataclass
class Space:
    kind: Kind
    repo_id: str
    commits: list[str] = field(default_factory=list)
    created: bool = False
    deleted: bool = False
    skip: str | None = None  # why the rest of its steps do not run

    @property
    def tape(self) -> str:
        return self.kind.value


class StepFailed(Exception):
    """The Hub refused a step this Space cannot go on without; the next Space still runs."""


@dataclass
class Result:
    cassettes: list[Path]
    spaces: list[Space]
    requests: int
    error: str | None


def run(config: Config, transport: httpx2.BaseTransport | None = None) -> Result:
    """Run the plan; whatever happens, delete what this run created and write the cassettes."""
    plan = build_plan(config.kinds, config.timing, config.steps)
    spaces = {k: Space(k, f"{config.owner}/{scratch_name(k)}") for k in config.kinds}
    rec = Recorder(
        config.endpoint,
        config.token,
        budget(plan),
        reserve=len(spaces),
        transport=transport,
        pace=config.timing.pace(),
    )
    probe = Probe(rec, config)
    error = None
    try:
        probe.preflight()
        for planned in plan:
            space = spaces[planned.kind]
            if space.skip is None or planned.step is Step.DELETE:
                probe.step(space, planned.step)
    except (BudgetSpent, Refused) as err:
        error = str(err)
        config.log(f"probe: stopped: {error}")
    finally:
        for space in spaces.values():
            probe.delete(space)
        written = rec.write(
            config.out, probe.meta(), {s.tape: probe.tape_meta(s) for s in spaces.values()}
        )
        rec.close()
    return Result(written, list(spaces.values()), rec.used, error)


class Probe:
    """The steps, on one recorder."""

    def __init__(self, rec: Recorder, config: Config) -> None:
        self.rec, self.config, self.t = rec, config, config.timing
        self.started = datetime.now(UTC)

    def meta(self) -> dict[str, Any]:
        from huggingface_hub import __version__ as hub_version

        return {
            "recorded": self.started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endpoint": self.config.endpoint,
            "time_scale": self.config.time_scale,
            "timing": {k: getattr(self.t, k) for k in self.t.__dataclass_fields__},
            "huggingface_hub": hub_version,
        }

    @staticmethod
    def tape_meta(space: Space) -> dict[str, Any]:
        return {"kind": space.kind.value, "space": space.repo_id, "commits": space.commits}

    # ------------------------------------------------------------------ plumbing
    def call(self, space: Space, step: Step, method: str, path: str, **kw: Any) -> Answer:
        return self.rec.call(space.tape, step.value, method, path, **kw)

    def wait(self, seconds: float) -> None:
        threading.Event().wait(max(seconds, 0.0))

    def preflight(self) -> None:
        """The token works and may write to the owner's namespace, before anything is created."""
        a = self.rec.call("account", "preflight", "GET", "/api/whoami-v2")
        who = a.json() if a.status == 200 else None
        if not isinstance(who, dict):
            raise Refused(f"the token was refused (whoami: HTTP {a.status}); check --token-env")
        names = {who.get("name")} | {o.get("name") for o in who.get("orgs") or []}
        if self.config.owner not in names:
            raise Refused(
                f"the token's user may not create Spaces in {self.config.owner!r} "
                f"(it is {who.get('name')!r}); pass --owner with that user or one of its orgs"
            )

    def step(self, space: Space, step: Step) -> None:
        self.config.log(f"probe: {space.repo_id}: {step.value}")
        try:
            getattr(self, "step_" + step.name.lower())(space, step)
        except StepFailed as err:
            space.skip = str(err)
            self.config.log(f"probe: {space.repo_id}: skipping the rest: {err}")

    # ------------------------------------------------------------------ steps
    def step_create(self, space: Space, step: Step) -> None:
        a = self.call(space, step, "GET", f"/api/spaces/{space.repo_id}")
        if a.status != 404:
            raise Refused(
                f"{space.repo_id} answers HTTP {a.status}: the probe never touches a Space it "
                f"did not create"
            )
        namespace, name = space.repo_id.split("/")
        body = {"type": "space", "name": name, "organization": namespace, "private": False}
        a = self.call(
            space, step, "POST", "/api/repos/create", body={**body, "sdk": space.kind.value}
        )
        if a.status == 409:
            raise Refused(f"{space.repo_id} exists: the probe never touches it")
        if a.status != 200:
            raise StepFailed(
                f"create answered HTTP {a.status} (a paid plan for {space.kind.value}?)"
            )
        space.created = True
        self.call(space, step, "GET", f"/api/spaces/{space.repo_id}/runtime")

    def step_first_build(self, space: Space, step: Step) -> None:
        self.commit(space, step)
        self.watch(space, step, build=True)

    step_rebuild = step_first_build

    def step_commit_during_build(self, space: Space, step: Step) -> None:
        self.commit(space, step)
        deadline = self.rec.now() + self.t.build_max
        while self.rec.now() < deadline:
            if self.runtime(space, step) in BUILD_STAGES:
                break
            self.wait(self.t.poll)
        self.commit(space, step)
        self.watch(space, step, build=True)

    def step_variable(self, space: Space, step: Step) -> None:
        item = {"key": "PROBE_VARIABLE", "value": secrets.token_hex(4)}
        self.call(space, step, "POST", f"/api/spaces/{space.repo_id}/variables", body=item)
        self.watch(space, step, build=False)

    def step_secret(self, space: Space, step: Step) -> None:
        value = SECRET_PREFIX + secrets.token_hex(16)
        self.rec.redactor.add(value)  # before it is sent: nothing recorded can hold it
        item = {"key": "PROBE_SECRET", "value": value}
        self.call(space, step, "POST", f"/api/spaces/{space.repo_id}/secrets", body=item)
        self.watch(space, step, build=False)

    def step_hardware(self, space: Space, step: Step) -> None:
        for flavor in ("cpu-upgrade", "cpu-basic"):
            a = self.call(
                space,
                step,
                "POST",
                f"/api/spaces/{space.repo_id}/hardware",
                body={"flavor": flavor},
            )
            if a.status != 200:
                return  # not allowed on this plan: recorded, nothing changed
            self.watch(space, step, build=False, longest=self.t.build_max)

    def step_visibility(self, space: Space, step: Step) -> None:
        for visibility in VISIBILITY_ROUND_TRIP:
            self.call(
                space,
                step,
                "PUT",
                f"/api/spaces/{space.repo_id}/settings",
                body={"visibility": visibility},
            )
            self.call(space, step, "GET", f"/api/spaces/{space.repo_id}")

    def step_restart(self, space: Space, step: Step) -> None:
        self.call(space, step, "POST", f"/api/spaces/{space.repo_id}/restart")
        self.watch(space, step, build=False)

    def step_pause(self, space: Space, step: Step) -> None:
        self.call(space, step, "POST", f"/api/spaces/{space.repo_id}/pause")
        for _ in range(PAUSE_READS):
            self.wait(self.t.poll)
            self.runtime(space, step)

    def step_burst(self, space: Space, step: Step) -> None:
        """Reads without a pause until the remaining count the Hub announces changes."""
        first: str | None = None
        for i in range(self.t.burst):
            a = self.call(space, step, "GET", f"/api/spaces/{space.repo_id}/runtime")
            left = remaining(a.headers.get("ratelimit"))
            if a.status == 429 or (first is not None and left is not None and left != first):
                return
            first = first or left
            if first is None and i + 1 >= RATELIMIT_ABSENT_READS:
                return

    def step_delete(self, space: Space, step: Step) -> None:
        self.delete(space)

    def delete(self, space: Space) -> None:
        """Delete the Space if, and only if, this run created it (once)."""
        if not space.created or space.deleted:
            return
        namespace, name = space.repo_id.split("/")
        body = {"type": "space", "name": name, "organization": namespace}
        try:
            a = self.call(
                space, Step.DELETE, "DELETE", "/api/repos/delete", body=body, essential=True
            )
        except BudgetSpent:
            a = None
        space.deleted = a is not None and a.status == 200
        if not space.deleted:
            self.config.log(
                f"probe: could not delete {space.repo_id}: run again with --cleanup to remove it"
            )

    # ------------------------------------------------------------------ observing
    def commit(self, space: Space, step: Step) -> None:
        n = len(space.commits) + 1
        path, text = app_file(space.kind, n)
        lines = [
            {"key": "header", "value": {"summary": f"hf-deploy probe {n}", "description": ""}},
            {
                "key": "file",
                "value": {
                    "path": path,
                    "encoding": "base64",
                    "content": base64.b64encode(text.encode()).decode(),
                },
            },
        ]
        a = self.call(
            space,
            step,
            "POST",
            f"/api/spaces/{space.repo_id}/commit/main",
            content="\n".join(json.dumps(x) for x in lines).encode(),
            content_type="application/x-ndjson",
        )
        oid = (a.json() or {}).get("commitOid") if a.status == 200 else None
        if not oid:
            raise StepFailed(f"the commit answered HTTP {a.status}")
        space.commits.append(oid)

    def runtime(self, space: Space, step: Step) -> str | None:
        a = self.call(space, step, "GET", f"/api/spaces/{space.repo_id}/runtime")
        body = a.json() if a.status == 200 else None
        return body.get("stage") if isinstance(body, dict) else None

    def info_sha(self, space: Space, step: Step) -> str | None:
        a = self.call(space, step, "GET", f"/api/spaces/{space.repo_id}")
        body = a.json() if a.status == 200 else None
        return body.get("sha") if isinstance(body, dict) else None

    def watch(self, space: Space, step: Step, *, build: bool, longest: float | None = None) -> None:
        """Poll the runtime (and the info until it names the head) with both log streams open,
        until the change settled or the bound; then a snapshot of both logs."""
        if not space.kind.builds:
            longest = self.t.static_max
        longest = longest or (self.t.build_max if build else self.t.settle_max)
        self.runtime(space, step)  # at once: the stage right after the change, before the logs
        logs = LogWatch(self, space, step, longest)
        logs.start()
        try:
            self._poll_until_settled(space, step, build, longest)
        finally:
            logs.stop()
        for kind in ("build", "run"):
            path = self.logs_path(space, kind)
            self.rec.stream(space.tape, step.value, path, self.t.log_short, note=SNAPSHOT)

    def _poll_until_settled(self, space: Space, step: Step, build: bool, longest: float) -> None:
        start = self.rec.now()
        head = space.commits[-1] if space.commits else None
        info_behind, moved, info_reads = head is not None, False, 0
        while self.rec.now() - start < longest:
            stage = self.runtime(space, step)
            if info_behind and info_reads < self.t.info_reads:
                info_reads += 1
                info_behind = self.info_sha(space, step) != head
            if stage is not None:
                moved = moved or stage in BUILD_STAGES or (not build and stage != "RUNNING")
            static = not space.kind.builds and stage == "RUNNING"
            settled = stage in SETTLED and (moved or static)
            quiet = not build and not moved and self.rec.now() - start >= self.t.quiet
            if (settled or quiet) and (not info_behind or info_reads >= self.t.info_reads):
                return
            self.wait(self.t.poll)

    @staticmethod
    def logs_path(space: Space, kind: str) -> str:
        return f"/api/spaces/{space.repo_id}/logs/{kind}"


class LogWatch:
    """Both log streams read in the background during a watch: each is opened again when it
    ends (after ``reopen`` s) or when its window is over, a bounded number of times."""

    def __init__(self, probe: Probe, space: Space, step: Step, longest: float) -> None:
        self.probe, self.space, self.step = probe, space, step
        self.opens = probe.t.reopens(longest) // 2
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._read, args=(k,), daemon=True, name=f"probe-log-{k}")
            for k in ("build", "run")
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        """The reads in flight finish within their window (bounded); then the threads end."""
        self.stopping.set()
        t = self.probe.t
        for thread in self.threads:
            thread.join(t.log_window * 2 + 30)

    def _read(self, kind: str) -> None:
        rec, t = self.probe.rec, self.probe.t
        path = Probe.logs_path(self.space, kind)
        for _ in range(self.opens):
            try:
                a = rec.stream(self.space.tape, self.step.value, path, t.log_window)
            except BudgetSpent:
                return
            if self.stopping.wait(t.reopen if a.ended != "window" else 0.0):
                return


def remaining(header: str | None) -> str | None:
    """The ``r`` of ``RateLimit: "api";r=<left>;t=<s>`` (as a string: only its change counts)."""
    if not header:
        return None
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "r":
            return value
    return None


def app_file(kind: Kind, n: int) -> tuple[str, str]:
    """The one file a commit changes: the app itself, so every commit builds."""
    if kind is Kind.STATIC:
        return (
            "index.html",
            f"<!doctype html>\n<html><body><h1>hf-deploy probe {n}</h1></body></html>\n",
        )
    if kind is Kind.GRADIO:
        return "app.py", (
            "import gradio as gr\n\n"
            f'print("hf-deploy probe {n}", flush=True)\n'
            'gr.Interface(lambda text: text, "text", "text").launch()\n'
        )
    return "Dockerfile", (
        "FROM python:3.12-slim\n"
        f'RUN echo "hf-deploy probe {n}"\n'
        'CMD ["python", "-m", "http.server", "7860"]\n'
    )
