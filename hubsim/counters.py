"""Counters for tests and benchmarks (requests per route and per client, bytes, commits, builds,
restarts, requests the API quota refused)."""

from __future__ import annotations

import threading
from collections import Counter


class Counters:
    """Thread-safe counters; ``requests`` is keyed by ``"METHOD /route/template"``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests: Counter[str] = Counter()
            self.clients: Counter[str] = Counter()  # requests per User-Agent
            self.rate_limited: Counter[str] = Counter()  # the API quota's 429s per User-Agent
            self.bytes_received = 0
            self.commits = 0
            self.builds = 0
            self.restarts = 0
            self.factory_reboots = 0
            self.xet_write_tokens = 0
            self.cas_xorb_bytes = 0  # Xet: xorb bytes that reached the CAS (new chunks only)
            self.cas_shard_bytes = 0
            self.cas_fault_requests = 0

    def request(self, key: str, client: str = "") -> None:
        with self._lock:
            self.requests[key] += 1
            self.clients[client] += 1

    def refused(self, client: str) -> None:
        """One request the API quota refused (429), by its client's User-Agent."""
        with self._lock:
            self.rate_limited[client] += 1

    def add_bytes(self, n: int) -> None:
        with self._lock:
            self.bytes_received += n

    def add_named(self, name: str, n: int) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def bump(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "requests": dict(self.requests),
                "clients": dict(self.clients),
                "rate_limited": dict(self.rate_limited),
                "bytes_received": self.bytes_received,
                "commits": self.commits,
                "builds": self.builds,
                "restarts": self.restarts,
                "factory_reboots": self.factory_reboots,
                "xet_write_tokens": self.xet_write_tokens,
                "cas_xorb_bytes": self.cas_xorb_bytes,
                "cas_shard_bytes": self.cas_shard_bytes,
            }
