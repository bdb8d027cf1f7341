"""Cassettes read back for the classifier: the probe's own, and plain VCR cassettes (such as
huggingface_hub's production recordings), which lack the timing and the step names."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

BUILD_STAGES = frozenset({"BUILDING", "RUNNING_BUILDING", "APP_STARTING", "RUNNING_APP_STARTING"})
STARTED_STAGES = frozenset({"APP_STARTING", "RUNNING_APP_STARTING", "RUNNING"})
BUILT_SDKS = frozenset({"gradio", "docker", "streamlit"})
STARTUP = "===== Application Startup at"
RUNTIME_ANSWERS = re.compile(
    r"^/api/spaces/[^/]+/[^/]+/(runtime|hardware|pause|restart|sleeptime)$"
)
INFO = re.compile(r"^/api/spaces/[^/]+/[^/]+$")


@dataclass
class Ix:
    """One interaction, normalised. ``t0``/``t1``: seconds since the run started (None in a
    plain VCR cassette); ``date``: the answer's ``Date`` header (the API's clock), epoch."""

    index: int
    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: str
    request_body: Any
    step: str | None = None
    note: str | None = None
    t0: float | None = None
    t1: float | None = None
    date: float | None = None
    stream: dict[str, Any] | None = None
    data: Any = field(default=None)

    @property
    def stage(self) -> str | None:
        """The runtime stage, when this answer is a runtime (reads and the POSTs that return it)."""
        if self.status == 200 and RUNTIME_ANSWERS.match(self.path) and isinstance(self.data, dict):
            return self.data.get("stage")
        return None

    @property
    def is_runtime_read(self) -> bool:
        return self.method == "GET" and self.path.endswith("/runtime") and self.stage is not None

    @property
    def commit_oid(self) -> str | None:
        if self.method == "POST" and "/commit/" in self.path and isinstance(self.data, dict):
            return self.data.get("commitOid")
        return None

    @property
    def info_sha(self) -> str | None:
        if self.method == "GET" and INFO.match(self.path) and isinstance(self.data, dict):
            return self.data.get("sha")
        return None

    def log_kind(self) -> str | None:
        if self.status == 200 and "/logs/" in self.path:
            return self.path.rsplit("/", 1)[1]
        return None

    def log_lines(self) -> list[tuple[str, str | None]]:
        """(line, timestamp) of each data event (a probe stream's events, else the raw body)."""
        raw = [e["line"] for e in self.stream["events"]] if self.stream else self.body.splitlines()
        out = []
        for line in raw:
            if line.startswith("data:"):
                try:
                    event = json.loads(line[5:].strip())
                except ValueError:
                    continue
                if isinstance(event, dict) and event.get("data"):
                    out.append((str(event["data"]).rstrip("\n"), event.get("timestamp")))
        return out


@dataclass
class Tape:
    """One cassette: one Space's interactions, oldest first."""

    name: str
    path: Path
    kind: str | None
    time_scale: float
    interactions: list[Ix]

    @property
    def builds(self) -> bool:
        return self.kind in BUILT_SDKS

    def source(self, ix: Ix | None = None) -> str:
        return f"{self.path.parent.name}/{self.path.name}" + (f"#{ix.index}" if ix else "")


def load(path: Path) -> Tape:
    doc = yaml.safe_load(path.read_text())
    meta = doc.get("probe") or {}
    ixs = [_ix(i, raw) for i, raw in enumerate(doc.get("interactions") or [])]
    kind = meta.get("kind") or _created_sdk(ixs)
    return Tape(path.stem, path, kind, float(meta.get("time_scale") or 1.0), ixs)


def load_dirs(dirs: list[Path]) -> list[Tape]:
    return [load(p) for d in dirs for p in sorted(Path(d).glob("*.yaml"))]


def _created_sdk(ixs: list[Ix]) -> str | None:
    for ix in ixs:
        if ix.path == "/api/repos/create" and isinstance(ix.request_body, dict):
            return ix.request_body.get("sdk")
    return None


def _ix(index: int, raw: dict[str, Any]) -> Ix:
    req, resp, probe = raw["request"], raw.get("response") or {}, raw.get("probe") or {}
    headers = {
        k.lower(): (v[0] if isinstance(v, list) else v)
        for k, v in (resp.get("headers") or {}).items()
    }
    body = (resp.get("body") or {}).get("string") or ""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    ix = Ix(
        index,
        req["method"],
        urlsplit(req["uri"]).path,
        (resp.get("status") or {}).get("code", 0),
        headers,
        body,
        _json(req.get("body")),
        probe.get("step"),
        probe.get("note"),
        probe.get("t0"),
        probe.get("t1"),
        _date(headers.get("date")),
        probe.get("stream"),
    )
    ix.data = _json(body) if not ix.stream else None
    return ix


def _json(text: Any) -> Any:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
