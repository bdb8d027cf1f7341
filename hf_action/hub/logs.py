"""A Space's build and run logs: read from the Hub's event stream, bounded by time, and the lines
the build watch judges by (the build log's `Build Queued` header, the run log's `Application
Startup`), parsed from any number of lines read."""

from __future__ import annotations

import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx2

from hf_action.hub.proof import Header, LogState

LOG_TAIL = 40  # lines of a log shown with a failure
Line = tuple[str, float | None]  # a log line's text and its Hub time (None: the event had none)
_QUEUED = re.compile(
    r"===== Build Queued at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?: / Commit SHA: ([0-9a-f]{7,40}))? ====="
)
_STARTUP = re.compile(r"===== Application Startup at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) =====")


def hub_time(text: str) -> float:
    """``YYYY-MM-DD HH:MM:SS`` (log headers, UTC) or ISO 8601 (event timestamps) -> epoch."""
    parsed = datetime.fromisoformat(text.strip())  # Python 3.11 reads a "Z" suffix itself
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def parse_header(first: Line | None) -> Header | LogState | None:
    """The build log's first line as a `Header`; None for an empty log; LogState.UNREAD if unknown."""
    if first is None:
        return None
    m = _QUEUED.search(first[0])
    if not m:
        return LogState.UNREAD
    return Header(m.group(2)[:7] if m.group(2) else None, first[1] or hub_time(m.group(1)))


def startup(lines: Iterable[Line]) -> float | LogState | None:
    """When the app shown started: the newest ``Application Startup`` among `lines` (a run log may
    keep the lines of the containers before it); None for no lines; LogState.UNREAD when lines
    came but none is a start."""
    newest: float | LogState | None = None
    for text, at in lines:
        m = _STARTUP.search(text)
        started = (at or hub_time(m.group(1))) if m else None
        if started is not None and (not isinstance(newest, float) or started > newest):
            newest = started
        elif newest is None:
            newest = LogState.UNREAD
    return newest


class LogSource(Protocol):
    def first_line(self, build: bool) -> Line | None: ...
    def log_lines(self, build: bool) -> list[Line]: ...
    def tail(self, build: bool) -> str: ...


def read_or_unread(logs: LogSource, build: bool, parse: Callable[[Line | None], Any]) -> Any:
    """`parse` of a log's first line; ``LogState.UNREAD`` when the log cannot be read."""
    try:
        return parse(logs.first_line(build))
    except Exception:  # a log we cannot read is no evidence either way
        return LogState.UNREAD


def read_startup(logs: LogSource) -> float | LogState | None:
    """When the app shown started: the newest start among the run log's lines a bounded read
    gets (a container restarted without a build may append to the earlier containers' lines);
    ``LogState.UNREAD`` when the log cannot be read."""
    try:
        return startup(logs.log_lines(False))
    except Exception:  # a log we cannot read is no evidence either way
        return LogState.UNREAD


def safe_tail(logs: LogSource, build: bool) -> str:
    """The last LOG_TAIL lines of a log, or why it could not be read: shown beside a failure, a
    log must never hide it."""
    try:
        text = logs.tail(build)
    except Exception as exc:
        return f"(could not fetch the {'build' if build else 'run'} log: {type(exc).__name__})"
    return "\n".join(text.splitlines()[-LOG_TAIL:])


class SpaceLogs:
    """A Space's logs over the Hub's server-sent events.

    Not `HfApi.fetch_space_logs`: its no-follow read stops at the first event stamped after the
    response's ``Date`` + 1 s (a failed build's last lines are lost when the logs' clock runs
    ahead) and ends only on a read timeout, which keep-alive events never let fire. A read here
    ends when the stream ends, after ``quiet`` seconds without a log line (keep-alives do not
    count), ``read_timeout`` seconds of silence or ``budget`` seconds in all, on our own clock."""

    def __init__(
        self,
        api: Any,
        space_id: str,
        read_timeout: float = 3.0,
        *,
        quiet: float = 2.0,
        budget: float = 8.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api, self.space_id, self.read_timeout = api, space_id, read_timeout
        self.quiet, self.budget, self.clock = quiet, budget, clock

    def first_line(self, build: bool) -> Line | None:
        """The log's first event, None for an empty log."""
        events = self.lines(build, first=True)
        return events[0] if events else None

    def log_lines(self, build: bool) -> list[Line]:
        return self.lines(build, first=False)

    def tail(self, build: bool) -> str:
        return "\n".join(text for text, _ in self.lines(build, first=False))

    def lines(self, build: bool, *, first: bool) -> list[Line]:
        """The log's events (the last 200), or only its first with `first`."""
        from huggingface_hub import get_session, hf_raise_for_status
        from huggingface_hub.utils import build_hf_headers

        url = f"{self.api.endpoint}/api/spaces/{self.space_id}/logs/{'build' if build else 'run'}"
        headers = build_hf_headers(token=self.api.token)
        timeout = httpx2.Timeout(10.0, read=self.read_timeout)
        events: deque[Line] = deque(maxlen=200)
        started = last = self.clock()
        try:
            with get_session().stream("GET", url, headers=headers, timeout=timeout) as response:
                hf_raise_for_status(response)
                for line in response.iter_lines():
                    now = self.clock()
                    if line.startswith("data: {"):
                        events.append(_event(line))
                        last = now
                        if first:
                            break
                    elif now - last >= self.quiet:
                        break  # keep-alives only: nothing more is written now
                    if now - started >= self.budget:
                        break
        except httpx2.ReadTimeout:
            pass  # silent for read_timeout: nothing more is written now
        return list(events)


def _event(line: str) -> Line:
    event = json.loads(line[len("data: ") :])
    stamp = event.get("timestamp")
    return event.get("data", "").rstrip("\n"), hub_time(stamp) if stamp else None


def logs_before(
    api: Any, space_id: str, clock: Callable[[], float] = time.monotonic
) -> tuple[Header | LogState | None, float | LogState | None]:
    """The build log's header and the run log's start shown now, read before a change that
    restarts the Space without a commit: the watch tells the restart from them. `clock`: the
    watch's, which bounds the reads."""
    logs = SpaceLogs(api, space_id, clock=clock)
    return read_or_unread(logs, True, parse_header), read_startup(logs)
