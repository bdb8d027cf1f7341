"""hf_xet's upload and file-ingestion concurrency, from the memory this job may use.

hf_xet holds every xorb it has in flight (64 MiB each, a size fixed in release builds) and, per file
it ingests, read blocks and the xorb it is building: at its defaults (up to 64 uploads, 8 files) a
slow or distant storage link lets that reach GiBs. Capping it costs wall time where one stream cannot
fill the link, and the wall time is what the user waits on; the memory is what a small runner or a
container with a limit cannot give. So the bound is the machine's: a quarter of what this job may use
(its cgroup's limit, or what the kernel reports available), never above hf_xet's own defaults, and
files ingested at once no more than the CPUs that hash them. A job's own `HF_XET_*` setting wins."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

MIB = 1 << 20
GIB = 1 << 30

#: hf_xet's defaults (`client.ac_max_upload_concurrency`, `data.max_concurrent_file_ingestion`):
#: the most we ever ask for (tests/test_xetmemory.py checks them against the installed hf_xet).
XET_UPLOADS = 64
XET_FILES = 8

#: The share of the job's memory hf_xet's pipeline may take: the rest is the runner's, the build's,
#: the page cache's.
SHARE = 4  # a quarter (the log line says so)

#: The peak, modelled on measured deploys of the 1 GB bench repository (bench/results.md, "First
#: deploys on two links"): the process with one file's pipeline (Python, huggingface_hub, hf_xet's
#: runtime, the xorb being built and its serialized copy), each xorb in flight, each further file
#: ingested at once. Above every measured peak: a bound, not a guess.
BASE_MIB = 352
UPLOAD_MIB = 72
FILE_MIB = 104
#: Uploads come first: on a distant link they are what fills it (one 25 MB/s stream per xorb: 2 in
#: flight took 24 s for 1 GB, 4 took 16 s, hf_xet's defaults 15 s); files share what 4 leave.
UPLOADS_FIRST = 4

UPLOADS = "HF_XET_CLIENT_AC_MAX_UPLOAD_CONCURRENCY"
FILES = "HF_XET_DATA_MAX_CONCURRENT_FILE_INGESTION"
#: Names hf_xet also reads for the same settings (its aliases; the fixed one sets min, initial and
#: max), and the high-performance switch that overrides both: a job that sets one has chosen.
_UPLOAD_NAMES = (UPLOADS, "HF_XET_FIXED_UPLOAD_CONCURRENCY")
_FILE_NAMES = (FILES, "HF_XET_MAX_CONCURRENT_FILE_INGESTION")
_HIGH_PERFORMANCE = ("HF_XET_HIGH_PERFORMANCE", "HF_XET_HP")

#: cgroup v1 writes "no limit" as the largest page-aligned counter; anything this large is none.
_NO_LIMIT = 1 << 60


class MemorySource(Enum):
    CGROUP = "its cgroup's memory limit"
    AVAILABLE = "MemAvailable in /proc/meminfo"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class JobMemory:
    """What this job may use: the smaller of its cgroup's limit and what the kernel has available."""

    limit: int | None  # bytes; None: nothing readable (not Linux)
    source: MemorySource = MemorySource.UNKNOWN


def job_memory(proc: Path = Path("/proc"), cgroup_fs: Path = Path("/sys/fs/cgroup")) -> JobMemory:
    """The cgroup's limit (v2 `memory.max`, v1 `memory.limit_in_bytes`, the tightest from the job's
    own group up to the root: a parent's limit binds too; in a container the root is its own group)
    and `MemAvailable` (a machine with no limit, or less free than its limit says)."""
    limits = [(n, MemorySource.CGROUP) for n in _cgroup_limits(proc / "self" / "cgroup", cgroup_fs)]
    if (available := _mem_available(proc / "meminfo")) is not None:
        limits.append((available, MemorySource.AVAILABLE))
    if not limits:
        return JobMemory(None)
    limit, source = min(limits, key=lambda pair: pair[0])
    return JobMemory(limit, source)


def _cgroup_limits(self_cgroup: Path, cgroup_fs: Path) -> list[int]:
    """The limits set on the job's memory cgroup and its ancestors, v2 (`0::/path`) or v1
    (`N:...memory...:/path`, mounted at `<fs>/memory`). A group not visible here is skipped."""
    try:
        lines = self_cgroup.read_text().splitlines()
    except OSError:
        return []
    found: list[int] = []
    for line in lines:
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if hierarchy == "0" and not controllers:
            root, name = cgroup_fs, "memory.max"
        elif "memory" in controllers.split(","):
            root, name = cgroup_fs / "memory", "memory.limit_in_bytes"
        else:
            continue
        group = root / path.strip().lstrip("/")
        for folder in (group, *group.parents):
            if (limit := _limit(folder / name)) is not None:
                found.append(limit)
            if folder == root:
                break
    return found


def _limit(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    if not text.isdigit() or int(text) >= _NO_LIMIT:  # "max" (v2), or v1's "none"
        return None
    return int(text)


def _mem_available(meminfo: Path) -> int | None:
    try:
        lines = meminfo.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        name, _, value = line.partition(":")
        if name == "MemAvailable" and (kb := value.split()) and kb[0].isdigit():
            return int(kb[0]) * 1024
    return None


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity: a runner pinned to some cores)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def peak_mib(uploads: int, files: int) -> int:
    """The modelled peak of a deploy with `uploads` xorbs in flight and `files` ingested at once."""
    return BASE_MIB + UPLOAD_MIB * uploads + FILE_MIB * (files - 1)


@dataclass(frozen=True)
class XetConcurrency:
    """What hf_xet is given, and why: the settings to write and the line that names them."""

    uploads: int | None  # None: hf_xet decides (the job set it, or the memory is unknown)
    files: int | None
    memory: JobMemory
    job_set: tuple[str, ...] = ()  # the job's own settings, which win

    @property
    def settings(self) -> dict[str, str]:
        """The process settings for hf_xet: only those the job left to us."""
        chosen = {UPLOADS: self.uploads, FILES: self.files}
        return {name: str(n) for name, n in chosen.items() if n is not None}

    def line(self) -> str:
        """One log line: what hf_xet may hold at once, and from what."""
        own = f" (set by the job: {', '.join(self.job_set)})" if self.job_set else ""
        mem = self.memory
        if mem.limit is None:
            return f"hf_xet: its own defaults{own}; this job's memory could not be read."
        uploads = (
            f"up to {self.uploads} xorb upload{'s' * (self.uploads != 1)} in flight"
            if self.uploads is not None
            else "its own upload concurrency"
        )
        files = (
            f"{self.files} file{'s' * (self.files != 1)} ingested at once"
            if self.files is not None
            else "its own file concurrency"
        )
        peak = ""
        if self.uploads is not None and self.files is not None:
            peak = f", about {peak_mib(self.uploads, self.files)} MiB at most"
        return (
            f"hf_xet: {uploads} and {files}{peak}{own}; sized to a quarter of the"
            f" {mem.limit / GIB:.1f} GiB this job may use ({mem.source.value})."
        )


def xet_concurrency(env: Mapping[str, str], memory: JobMemory, cpus: int) -> XetConcurrency:
    """The most uploads and files whose modelled peak fits the share, at least one of each, at most
    hf_xet's defaults; files no more than the CPUs (one ingestion hashes on one core) and taking
    only what `UPLOADS_FIRST` uploads leave."""
    job_set = tuple(n for n in (*_HIGH_PERFORMANCE, *_UPLOAD_NAMES, *_FILE_NAMES) if env.get(n))
    if memory.limit is None:
        return XetConcurrency(None, None, memory, job_set)
    if _high_performance(env):  # it overrides both: leave them to it
        return XetConcurrency(None, None, memory, job_set)
    budget = memory.limit // SHARE // MIB
    spare = (budget - peak_mib(UPLOADS_FIRST, 1)) // FILE_MIB
    files = max(1, min(XET_FILES, max(cpus, 1), 1 + spare))
    uploads = max(1, min(XET_UPLOADS, (budget - peak_mib(0, files)) // UPLOAD_MIB))
    return XetConcurrency(
        None if any(env.get(n) for n in _UPLOAD_NAMES) else uploads,
        None if any(env.get(n) for n in _FILE_NAMES) else files,
        memory,
        job_set,
    )


def _high_performance(env: Mapping[str, str]) -> bool:
    """hf_xet's reading: the first of its two names that is set decides, true as it spells true."""
    for name in _HIGH_PERFORMANCE:
        if name in env:
            return env[name].strip().lower() in {"1", "true", "yes", "y", "on"}
    return False
