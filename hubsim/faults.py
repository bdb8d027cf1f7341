"""Fault injection: fail the next N matching requests, optionally after the change was applied."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class FaultRule:
    """One armed fault. ``path`` is a regex searched in the URL path (no query string); ``query``,
    when set, one searched in the query string too (e.g. the watch's ``expand=runtime``)."""

    method: str | None
    path: str
    status: int | None
    times: int
    retry_after: int | None = None
    drop: bool = False
    after_apply: bool = False
    #: Run before the request is handled normally (no fault status): e.g. another writer's commit.
    before: Callable[[], None] | None = None
    message: str | None = None  # the error text, instead of the status's usual one
    #: 429 as the Hub sends it: `RateLimit: "api";r=0;t=N` + `RateLimit-Policy`, no Retry-After
    ratelimit: int | None = None
    query: str | None = None
    hits: int = 0
    _regex: re.Pattern = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._regex = re.compile(self.path)

    def matches(self, method: str, path: str, query: str = "") -> bool:
        if self.query is not None and not re.search(self.query, query):
            return False
        return (self.method is None or self.method.upper() == method.upper()) and bool(
            self._regex.search(path)
        )


class Faults:
    """Thread-safe list of armed faults; each match consumes one of its ``times``."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(
        self,
        method: str | None = None,
        path: str = ".*",
        status: int | None = 500,
        times: int = 1,
        retry_after: int | None = None,
        drop: bool = False,
        after_apply: bool = False,
        before: Callable[[], None] | None = None,
        message: str | None = None,
        ratelimit: int | None = None,
        query: str | None = None,
    ) -> FaultRule:
        """`before`: instead of failing, call it and then answer the request normally."""
        if before is not None:
            status = None
        elif not drop and status is None:
            raise ValueError("a fault needs a status, drop=True or before=")
        rule = FaultRule(
            method,
            path,
            None if drop else status,
            times,
            retry_after,
            drop,
            after_apply,
            before,
            message,
            ratelimit,
            query,
        )
        with self._lock:
            self._rules.append(rule)
        return rule

    def take(self, method: str, path: str, query: str = "") -> FaultRule | None:
        """Return and consume the first armed rule matching this request."""
        with self._lock:
            for rule in self._rules:
                if rule.times > 0 and rule.matches(method, path, query):
                    rule.times -= 1
                    rule.hits += 1
                    return rule
        return None

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def pending(self) -> list[FaultRule]:
        with self._lock:
            return [r for r in self._rules if r.times > 0]
