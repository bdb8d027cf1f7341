"""One task on a thread of its own, its result read later: the run's reads that overlap other work
(the deploy's files, the Space's info, the TLS context) instead of waiting in line before it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def in_background(task: Callable[[], T], name: str) -> Future[T]:
    """Started now; the thread ends with the task (the pool is shut down at once, not waited for).
    The task's error, if any, is raised by `Future.result()`, where the caller reads it."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
    try:
        return pool.submit(task)
    finally:
        pool.shutdown(wait=False)
