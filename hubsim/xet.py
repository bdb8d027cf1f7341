"""Xet storage of one simulator: a ``local://`` CAS the real ``hf_xet`` client writes into.

Why a store per issued token: hf_xet locks a ``local://`` store (an exclusive ``flock`` on its
``global_dedup_lookup.redb``) for as long as a process keeps an upload or download open there, so
one store shared by the simulator and a client, or by two clients, fails or deadlocks. Each write
token therefore gets its own directory. Xorbs and shards are immutable, content-addressed files:
everything received before is hard-linked into the new store (no copy), and the dedup index
(the redb file) is copied from the newest store no process holds, so chunk-level dedup against
earlier uploads works as on the Hub (through hf_xet's global dedup queries).

What reached the CAS is learnt by reading the stores: new ``xorbs/default.<hash>`` files are the
bytes sent, and each shard's file-info section gives a file's Xet hash, its size and (metadata
extension) its sha256, which is what the NDJSON commit names in ``lfsFile`` entries.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import struct
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .counters import Counters

_XORB = re.compile(r"^default\.[0-9a-f]{64}(\.tagset)?$")
_SHARD = re.compile(r"^[0-9a-f]{64}\.mdb(\.tagset)?$")
_BOOKEND = b"\xff" * 32
_WITH_VERIFICATION = 1 << 31
_WITH_METADATA_EXT = 1 << 30
TOKEN_TTL = 3600


def merkle_hex(raw: bytes) -> str:
    """Hex of a Xet hash as hf_xet prints it: four little-endian u64 words, each shown big-endian."""
    return "".join(raw[i : i + 8][::-1].hex() for i in range(0, 32, 8))


@dataclass(frozen=True)
class XetFile:
    """One file recorded in a shard: its Xet (merkle) hash, size, sha256 and the store it came in."""

    xet_hash: str
    size: int
    sha256: str
    store: str


def parse_shard(data: bytes, store: str) -> list[XetFile]:
    """File-info section of an MDB shard (hub-docs ``docs/xet/shard.md``): one entry per file."""
    if len(data) < 48:
        return []
    off, out = 48, []
    while off + 48 <= len(data):
        file_hash = data[off : off + 32]
        if file_hash == _BOOKEND:
            break
        flags, n = struct.unpack_from("<II", data, off + 32)
        off += 48
        size = sum(struct.unpack_from("<I", data, off + 48 * i + 36)[0] for i in range(n))
        off += 48 * n
        if flags & _WITH_VERIFICATION:
            off += 48 * n
        sha256 = ""
        if flags & _WITH_METADATA_EXT:
            sha256 = merkle_hex(data[off : off + 32])
            off += 48
        out.append(XetFile(merkle_hex(file_hash), size, sha256, store))
    return out


def _cas_dir(store: str) -> str:
    """Where hf_xet's LocalClient keeps xorbs, shards and the redb for ``local://<store>``."""
    return os.path.join(store, "xet", "xorbs")


def _is_free(path: str) -> bool:
    """True when no process holds the redb lock (hf_xet takes an exclusive flock)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


class XetCas:
    """The simulator's Xet side: token stores, what reached the CAS, and reading files back."""

    def __init__(self, root: str, counters: Counters) -> None:
        self.root = root
        self.counters = counters
        self.objects = os.path.join(root, "objects")
        for sub in ("xorbs", "shards"):
            os.makedirs(os.path.join(self.objects, sub), exist_ok=True)
        self.stores: list[str] = []
        self.files: dict[str, XetFile] = {}  # sha256 -> file
        self.tokens: dict[str, str] = {}  # access token -> store
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ stores
    def new_store(self) -> str:
        """A fresh ``local://`` store seeded with everything received so far (hard links)."""
        with self._lock:
            self.ingest()
            store = tempfile.mkdtemp(prefix=f"store-{len(self.stores):04d}-", dir=self.root)
            cas = _cas_dir(store)
            for sub in ("xorbs", "shards"):
                os.makedirs(os.path.join(cas, sub))
                src = os.path.join(self.objects, sub)
                for name in os.listdir(src):
                    os.link(os.path.join(src, name), os.path.join(cas, sub, name))
            index = self._latest_free_index()
            if index is not None:
                shutil.copyfile(index, os.path.join(cas, "global_dedup_lookup.redb"))
            self.stores.append(store)
            return store

    def _latest_free_index(self) -> str | None:
        for store in reversed(self.stores):
            path = os.path.join(_cas_dir(store), "global_dedup_lookup.redb")
            if os.path.exists(path) and _is_free(path):
                return path
        return None

    def issue_token(self) -> dict[str, object]:
        """Body of a token answer: ``{"accessToken", "exp", "casUrl"}`` (hf_xet's refresh contract)."""
        store = self.new_store()
        token = "xet_" + secrets.token_urlsafe(24)
        self.tokens[token] = store
        return {
            "accessToken": token,
            "exp": int(time.time()) + TOKEN_TTL,
            "casUrl": self.cas_url(store),
        }

    def cas_url(self, store: str) -> str:
        return f"local://{store}"

    # ------------------------------------------------------------------ what reached the CAS
    def ingest(self) -> None:
        """Adopt new xorbs and shards from every store: count their bytes, index shard files."""
        with self._lock:
            for store in self.stores:
                cas = _cas_dir(store)
                for sub, pattern, counter in (
                    ("xorbs", _XORB, "cas_xorb_bytes"),
                    ("shards", _SHARD, "cas_shard_bytes"),
                ):
                    self._adopt(store, os.path.join(cas, sub), sub, pattern, counter)

    def _adopt(self, store: str, src: str, sub: str, pattern: re.Pattern, counter: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            names = os.listdir(src)
            for name in names:
                dest = os.path.join(self.objects, sub, name)
                if not pattern.match(name) or os.path.exists(dest):
                    continue
                path = os.path.join(src, name)
                with contextlib.suppress(FileExistsError):
                    os.link(path, dest)
                if name.endswith(".tagset"):
                    continue
                self.counters.add_named(counter, os.path.getsize(path))
                if sub == "shards":
                    with open(path, "rb") as fh:
                        for f in parse_shard(fh.read(), store):
                            if f.sha256:
                                self.files[f.sha256] = f

    def lookup(self, sha256: str, size: int | None) -> XetFile | None:
        """The Xet file with this sha256 (and size), if a client really uploaded it."""
        with self._lock:
            found = self.files.get(sha256)
            if found is None:
                self.ingest()
                found = self.files.get(sha256)
        if found is None or (size is not None and found.size != size):
            return None
        return found


class XetBlobs:
    """Reads Xet files back with hf_xet (in a private store), cached as plain files on disk."""

    def __init__(self, cas: XetCas) -> None:
        self.cas = cas
        self.directory = os.path.join(cas.root, "materialized")
        os.makedirs(self.directory, exist_ok=True)
        self._lock = threading.Lock()

    def _path(self, sha256: str) -> str:
        path = os.path.join(self.directory, sha256)
        with self._lock:
            if not os.path.exists(path):
                self._download(self.cas.files[sha256], path)
        return path

    def _download(self, f: XetFile, dest: str) -> None:
        import hf_xet

        reader = tempfile.mkdtemp(prefix="read-", dir=self.cas.root)
        cas = _cas_dir(reader)
        for sub in ("xorbs", "shards"):
            os.makedirs(os.path.join(cas, sub))
            src = os.path.join(self.cas.objects, sub)
            for name in os.listdir(src):
                os.link(os.path.join(src, name), os.path.join(cas, sub, name))
        shutil.copyfile(
            os.path.join(_cas_dir(f.store), "global_dedup_lookup.redb"),
            os.path.join(cas, "global_dedup_lookup.redb"),
        )
        session = hf_xet.XetSession()
        with session.new_file_download_group(endpoint=f"local://{reader}") as group:
            group.start_download_file(hf_xet.XetFileInfo(f.xet_hash, f.size), dest + ".part")
        del group, session
        os.replace(dest + ".part", dest)
        shutil.rmtree(reader, ignore_errors=True)

    def has(self, key: str) -> bool:
        return key in self.cas.files

    def get(self, key: str) -> bytes:
        with open(self._path(key), "rb") as fh:
            return fh.read()

    def head(self, key: str, n: int) -> bytes:
        with open(self._path(key), "rb") as fh:
            return fh.read(n)
