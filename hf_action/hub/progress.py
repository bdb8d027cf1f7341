"""Upload progress a person can read in a CI log: a line every few seconds, never a progress bar.

huggingface_hub streams LFS uploads through the shared HTTP client; the retry transport hands each
streamed request body to `tracker()`, which counts the bytes as they leave. Xet uploads bypass that
client (hf_xet speaks to the CAS itself): huggingface_hub hands hf_xet's progress reports to a reporter
object it builds only when its progress bars are on, so while tracking we let it build ours instead.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Protocol

import httpx2

from hf_action.text import human_size

_current: UploadProgress | None = None


class UploadProgress:
    def __init__(
        self,
        total_bytes: int,
        say: Callable[[str], None],
        *,
        every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total_bytes
        self.sent = 0
        self.say = say
        self.every = every
        self.clock = clock
        self.started = clock()
        self.last = self.started
        self.new: int | None = None  # Xet: bytes actually sent after chunk dedup
        self.shown = ""
        self._exact: int | None = None  # LFS: the bytes the Hub asked us to PUT, once it said

    def expect(self, n: int) -> None:
        """The Hub's LFS batch answer names the files it wants: their bytes replace the estimate
        (which counted small files too, though they travel inside the commit request)."""
        self._exact = (self._exact or 0) + n
        self.total = self._exact

    def add(self, n: int) -> None:
        self.sent += n
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self._say(self.line(now))

    def update(self, done: int, total: int, new: int) -> None:
        """Xet reports running totals: file bytes processed of `total`, `new` bytes sent to the CAS."""
        self.sent, self.new = done, new
        self.total = total or self.total
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self._say(self.line(now))

    def finish(self) -> None:
        """The final figures, unless the last line already showed them."""
        self._say(self.line(self.clock()))

    def _say(self, line: str) -> None:
        if line != self.shown:
            self.shown = line
            self.say(line)

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-6)
        rate = self.sent / elapsed
        pct = f" ({100 * self.sent / self.total:.0f}%)" if self.total else ""
        left = (
            f", about {(self.total - self.sent) / rate:.0f}s left"
            if rate > 0 and self.total > self.sent
            else ""
        )
        new = f"; {human_size(self.new)} new after dedup" if self.new is not None else ""
        return f"  uploaded {human_size(self.sent)} of {human_size(self.total)}{pct} at {human_size(int(rate))}/s{left}{new}"


class _CountingStream(httpx2.SyncByteStream):
    def __init__(self, inner: httpx2.SyncByteStream, progress: UploadProgress) -> None:
        self.inner = inner
        self.progress = progress

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.progress.add(len(chunk))
            yield chunk

    def close(self) -> None:
        self.inner.close()


def track(request: httpx2.Request) -> None:
    """Count the body of a streamed upload (an LFS PUT) while an upload is being tracked."""
    if (
        _current is not None
        and request.method == "PUT"
        and isinstance(request.stream, httpx2.SyncByteStream)
        and not isinstance(request.stream, httpx2.ByteStream)
    ):
        request.stream = _CountingStream(request.stream, _current)


def observe(response: httpx2.Response) -> None:
    """Response hook: an LFS batch answer says which objects will be uploaded, and how large."""
    request = response.request
    if (
        _current is None
        or request.method != "POST"
        or not request.url.path.endswith("/objects/batch")
    ):
        return
    response.read()
    try:
        objects = response.json().get("objects") or []
    except ValueError:
        return
    _current.expect(
        sum(o.get("size") or 0 for o in objects if "upload" in (o.get("actions") or {}))
    )


class _XetTotals(Protocol):
    """The totals hf_xet reports with each progress update (its PyTotalProgressUpdate)."""

    total_bytes_completed: int
    total_bytes: int
    total_transfer_bytes_completed: int


class _XetReporter:
    """Stands in for huggingface_hub's tqdm reporter of Xet uploads; hf_xet calls it every 100 ms."""

    def __init__(self, *_args: object, **_kwargs: object) -> None:  # huggingface_hub's arguments
        self.progress = _current

    def update_progress(self, group: _XetTotals, items: object = None) -> None:
        if self.progress is not None:
            self.progress.update(
                group.total_bytes_completed, group.total_bytes, group.total_transfer_bytes_completed
            )

    def reset_for_next_commit(self) -> None:
        pass

    def close(self) -> None:
        if (
            self.progress is not None and self.progress.sent
        ):  # huggingface_hub closes us on errors too
            self.progress.finish()


@contextlib.contextmanager
def _xet_reports() -> Iterator[None]:
    """huggingface_hub gives hf_xet a progress callback only when its bars are on (we turn them off
    for the log) and then draws tqdm bars: during the upload it sees them on and builds our reporter."""
    import huggingface_hub.utils as hf_utils
    from huggingface_hub.utils import _xet_progress_reporting as reporting

    saved_check, saved_reporter = (
        hf_utils.are_progress_bars_disabled,
        reporting.XetUploadProgressReporter,
    )
    hf_utils.are_progress_bars_disabled = lambda name=None: False
    reporting.XetUploadProgressReporter = _XetReporter  # type: ignore[assignment,misc]  # our stand-in, not a subclass
    try:
        yield
    finally:
        hf_utils.are_progress_bars_disabled = saved_check
        reporting.XetUploadProgressReporter = saved_reporter  # type: ignore[misc]  # the class we swapped, back


@contextlib.contextmanager
def tracking(progress: UploadProgress) -> Iterator[UploadProgress]:
    global _current
    _current = progress
    try:
        with _xet_reports() if progress.total else contextlib.nullcontext():
            yield progress
    finally:
        _current = None
