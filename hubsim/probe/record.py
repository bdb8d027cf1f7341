"""Every request and answer of a probe run, with timing, redacted as it is recorded.

The probe speaks plain HTTP through httpx2 with huggingface_hub's own headers (the client the
action runs), so what it records is what that client would see, and a cassette holds the raw
answer (no client-side parsing in between). Each Space gets one cassette (VCR's yaml shape, so
tools that read huggingface_hub's cassettes read these), plus a ``probe`` key per interaction
with its step and times, and for a log stream each event with its arrival time.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import yaml
from huggingface_hub.utils import build_hf_headers

from .redact import Redactor

CASSETTE_VERSION = 1
PACE_WINDOW = 300.0  # the Hub's rate-limit window: 5 minutes


class BudgetSpent(Exception):
    """The run reached the request budget it printed; it stops (deletes still run)."""


@dataclass
class Answer:
    """One answer as the probe's steps use it (status 0: no answer, the error is recorded)."""

    status: int
    headers: httpx2.Headers
    text: str
    t0: float
    t1: float
    events: list[dict[str, Any]] = field(default_factory=list)
    ended: str | None = None  # a stream: "server", "window" or "error: <type>"

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None


class Recorder:
    """An HTTP client that records each exchange into a named cassette ("tape")."""

    def __init__(
        self,
        endpoint: str,
        token: str,
        budget: int,
        *,
        reserve: int = 0,
        transport: httpx2.BaseTransport | None = None,
        pace: int | None = None,
        pace_window: float = PACE_WINDOW,
    ) -> None:
        headers = build_hf_headers(token=token, library_name="hf-deploy-probe", library_version="1")
        self.client = httpx2.Client(
            base_url=endpoint.rstrip("/"),
            headers=headers,
            timeout=httpx2.Timeout(30.0),
            transport=transport,
        )
        self.redactor = Redactor([token])
        self.tapes: dict[str, list[dict[str, Any]]] = {}
        self.budget, self.reserve, self.used = budget, reserve, 0
        self.pace, self.pace_window, self.sent = pace, pace_window, deque[float]()
        self.lock = threading.Lock()
        self.start = time.monotonic()

    def now(self) -> float:
        """Seconds since the run started (the cassettes' time axis)."""
        return time.monotonic() - self.start

    def close(self) -> None:
        self.client.close()

    def _spend(self, essential: bool) -> None:
        """Count one request (only deletes may use the reserve kept for them), and wait while
        the last ``pace_window`` seconds already hold ``pace`` requests."""
        with self.lock:
            limit = self.budget if essential else self.budget - self.reserve
            if self.used >= limit:
                raise BudgetSpent(f"request budget of {self.budget} reached")
            self.used += 1
            while self.pace is not None and len(self.sent) >= self.pace:
                wait = self.sent[0] + self.pace_window - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                self.sent.popleft()
            self.sent.append(time.monotonic())

    def call(
        self,
        tape: str,
        step: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        params: dict[str, str] | None = None,
        essential: bool = False,
    ) -> Answer:
        self._spend(essential)
        headers = {"Content-Type": content_type} if content_type else None
        request = self.client.build_request(
            method, path, json=body, content=content, params=params, headers=headers
        )
        t0 = self.now()
        try:
            response = self.client.send(request)
        except httpx2.HTTPError as err:
            self._record(tape, step, request, None, t0, error=type(err).__name__)
            return Answer(0, httpx2.Headers(), "", t0, self.now())
        finally:
            self.client.cookies.clear()  # a cookie the Hub sets is never sent back
        answer = Answer(response.status_code, response.headers, response.text, t0, self.now())
        self._record(tape, step, request, response, t0, answer=answer)
        return answer

    def stream(
        self, tape: str, step: str, path: str, window: float, *, note: str | None = None
    ) -> Answer:
        """Read a server-sent-events stream for at most about ``window`` seconds, recording each
        line with its arrival time and whether the server ended the stream or the probe did."""
        self._spend(False)
        timeout = httpx2.Timeout(30.0, read=max(window, 0.01))
        request = self.client.build_request("GET", path, timeout=timeout)
        t0, events, ended = self.now(), [], "server"
        response = None
        try:
            response = self.client.send(request, stream=True)
            for line in response.iter_lines():
                if line:  # blank lines only separate events
                    events.append(_event(line, self.now() - t0))
                if self.now() - t0 >= window:
                    ended = "window"
                    break
        except httpx2.ReadTimeout:
            ended = "window"
        except httpx2.HTTPError as err:
            ended = "error: " + type(err).__name__
        finally:
            if response is not None:
                response.close()
            self.client.cookies.clear()
        if response is None:
            self._record(tape, step, request, None, t0, error=ended)
            return Answer(0, httpx2.Headers(), "", t0, self.now())
        text = "\n".join(e["line"] for e in events)
        answer = Answer(response.status_code, response.headers, text, t0, self.now(), events, ended)
        self._record(tape, step, request, response, t0, answer=answer, stream=ended, note=note)
        return answer

    def _record(
        self,
        tape: str,
        step: str,
        request: httpx2.Request,
        response: httpx2.Response | None,
        t0: float,
        *,
        answer: Answer | None = None,
        error: str | None = None,
        stream: str | None = None,
        note: str | None = None,
    ) -> None:
        red = self.redactor
        raw = request.content.decode("utf-8", "replace") if request.content else None
        entry: dict[str, Any] = {
            "request": {
                "method": request.method,
                "uri": red.text(str(request.url)),
                "body": red.body(raw) if raw else None,
                "headers": red.headers(request.headers.multi_items()),
            },
            "response": None,
            "probe": {"step": step, "t0": round(t0, 4), "t1": round(self.now(), 4)},
        }
        if response is not None and answer is not None:
            entry["response"] = {
                "status": {"code": response.status_code, "message": response.reason_phrase},
                "headers": red.headers(response.headers.multi_items()),
                "body": {"string": red.body(answer.text) if answer.text else ""},
            }
        if error is not None:
            entry["probe"]["error"] = error
        if note is not None:
            entry["probe"]["note"] = note
        if stream is not None and answer is not None:
            events = [{**e, "line": red.text(e["line"])} for e in answer.events]
            entry["probe"]["stream"] = {"ended": stream, "events": events}
        with self.lock:
            self.tapes.setdefault(tape, []).append(entry)

    def write(
        self, directory: Path, meta: dict[str, Any], tape_meta: dict[str, dict[str, Any]]
    ) -> list[Path]:
        """One yaml cassette per tape; everything in them passed the redactor."""
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        with self.lock:
            tapes = {k: list(v) for k, v in self.tapes.items()}
        for name, interactions in tapes.items():
            head = {**meta, **tape_meta.get(name, {}), "version": CASSETTE_VERSION}
            doc = {"probe": _redact_meta(self.redactor, head), "interactions": interactions}
            path = directory / f"{name}.yaml"
            tmp = path.with_suffix(".yaml.tmp")
            tmp.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
            os.replace(tmp, path)
            written.append(path)
        return written


def _event(line: str, t: float) -> dict[str, Any]:
    """One SSE line: an event (``data:``), a comment (``:``) or another field."""
    kind = "data" if line.startswith("data:") else "comment" if line.startswith(":") else "field"
    return {"t": round(t, 4), "kind": kind, "line": line}


def _redact_meta(red: Redactor, meta: dict[str, Any]) -> dict[str, Any]:
    return {k: red.text(v) if isinstance(v, str) else v for k, v in meta.items()}
