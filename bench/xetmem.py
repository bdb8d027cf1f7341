"""Peak RSS of one hf_xet upload (huggingface_hub `create_commit` of one random file), per hf_xet setting.

    .venv/bin/python -m bench.xetmem [--cas local|http] [--mbps 100] [--size-mb 300] [--runs 3] \
        [NAME=VALUE ...]          # extra environment for the client, e.g. HF_XET_CLIENT_AC_MAX_UPLOAD_CONCURRENCY=1

Each run: a fresh hubsim (Xet on) and a client subprocess that creates the Space and commits the file;
the client reports its VmHWM and the commit's wall time. `--cas local` is what the bench lanes use: the
token names a `local://` store, so hf_xet's LocalClient writes xorbs to disk (it also copies each xorb
into a new buffer to append the footer: memory a remote upload does not use). `--cas http` answers the
token with the URL of the small HTTP CAS below instead, so hf_xet runs its RemoteClient as against the
Hub's CAS; `--mbps` makes all uploads share a link of that many MB/s (0: loopback speed).

The HTTP CAS: xorb grants and /v2/shards answer 404 (hf_xet falls back to direct `POST /v1/xorbs` and
`POST /v1/shards`), dedup queries answer 404 (nothing known: first uploads only). Xorbs and shards are
streamed into the token's hubsim store under LocalClient's names, so hubsim's commit check finds the file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MB = 1 << 20
WORK = Path(__file__).resolve().parent / "work" / "xetmem"


class HttpCas:
    """A minimal CAS for hf_xet's RemoteClient, backed by a HubSim's per-token stores."""

    def __init__(
        self, hub, mbps: float = 0.0, *, rtt_ms: float = 0.0, stream_mbps: float = 0.0
    ) -> None:
        self.xet = hub.xet
        self.mbps = mbps
        self.rtt = rtt_ms / 1000.0  # paid once by every request, before its answer
        self.stream_mbps = stream_mbps  # one request's body at most this fast (0: no cap)
        self.requests: list[str] = []
        self.inflight = self.peak_inflight = 0
        self._lock = threading.Lock()
        self._link_free = time.monotonic()
        cas = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                cas.requests.append("GET " + self.path)
                self._reply(404, {"error": "not found"})

            def do_POST(self) -> None:
                cas.requests.append("POST " + self.path)
                cas.handle_post(self)

            def _reply(self, code: int, body: dict) -> None:
                if cas.rtt:
                    time.sleep(
                        cas.rtt
                    )  # the round trip: the answer leaves one RTT after the request
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        accept = self.server.get_request

        def get_request():
            sock, addr = accept()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock, addr

        self.server.get_request = get_request  # type: ignore[method-assign]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.xet.cas_url = lambda store: self.url  # the token answer names this CAS

    def _pace(self, n: int) -> None:
        """All uploads share one link of `mbps` MB/s: each piece occupies it for n / rate seconds."""
        if self.mbps <= 0:
            return
        with self._lock:
            self._link_free = max(self._link_free, time.monotonic()) + n / (self.mbps * MB)
            wait = self._link_free - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def _drain(self, h, out=None, digest=None) -> None:
        left = int(h.headers.get("Content-Length") or 0)
        start, sent = time.monotonic(), 0
        while left:
            piece = h.rfile.read(min(left, MB))
            if not piece:
                break
            left -= len(piece)
            sent += len(piece)
            self._pace(len(piece))
            if self.stream_mbps > 0:  # one stream (one TCP connection's window per RTT) caps it
                wait = start + sent / (self.stream_mbps * MB) - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            if out is not None:
                out.write(piece)
            if digest is not None:
                digest.update(piece)

    def handle_post(self, h) -> None:
        token = (h.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        store = self.xet.tokens.get(token)
        if store is None:
            self._drain(h)
            return h._reply(401, {"error": "unknown token"})
        cas = os.path.join(
            store, "xet", "xorbs"
        )  # where LocalClient keeps them (hubsim reads there)
        xorb = re.fullmatch(r"/v1/xorbs/([^/]+)/([0-9a-f]{64})", h.path)
        if xorb:
            dest = os.path.join(cas, "xorbs", f"{xorb.group(1)}.{xorb.group(2)}")
            with self._lock:
                self.inflight += 1
                self.peak_inflight = max(self.peak_inflight, self.inflight)
            try:
                with open(dest + ".part", "wb") as out:
                    self._drain(h, out)
            finally:
                with self._lock:
                    self.inflight -= 1
            os.replace(dest + ".part", dest)
            return h._reply(200, {"was_inserted": True})
        if h.path == "/v1/shards":
            digest, part = hashlib.sha256(), os.path.join(cas, "shards", f".{token}.part")
            with open(part, "wb") as out:
                self._drain(h, out, digest)
            os.replace(part, os.path.join(cas, "shards", digest.hexdigest() + ".mdb"))
            return h._reply(200, {"result": 1})
        self._drain(h)
        if h.path.startswith("/v1/telemetry"):
            return h._reply(200, {})
        h._reply(404, {"error": "not found"})  # /v1/xorb-grants, /v2/shards: hf_xet falls back

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def client(endpoint: str, token: str, path: str) -> None:
    """The measured process: create the Space, commit the file, print VmHWM and the commit's time."""
    from huggingface_hub import CommitOperationAdd, HfApi

    api = HfApi(endpoint=endpoint, token=token)
    api.create_repo("user/bench", repo_type="space", space_sdk="gradio", exist_ok=True)
    t0 = time.time()
    api.create_commit(
        "user/bench",
        repo_type="space",
        operations=[CommitOperationAdd("model.bin", path)],
        commit_message="upload",
    )
    took = time.time() - t0
    with open("/proc/self/status") as fh:
        hwm = next(int(ln.split()[1]) for ln in fh if ln.startswith("VmHWM:"))
    print(json.dumps({"hwm_mb": round(hwm / 1024, 1), "commit_s": round(took, 2)}))


def run_once(cas: str, mbps: float, data: Path, extra: dict[str, str]) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.harness import TOKEN, Sim

    sim = Sim(xet=True)
    http = HttpCas(sim.sim, mbps) if cas == "http" else None
    home = WORK / f"hf_home-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_HOME=str(home), HF_HUB_DISABLE_PROGRESS_BARS="1", **extra)
    try:
        cmd = [sys.executable, "-m", "bench.xetmem", "--client", sim.sim.url, TOKEN, str(data)]
        proc = subprocess.run(
            cmd, env=env, capture_output=True, text=True, cwd=WORK.parent.parent.parent
        )
        sim.sim.xet.ingest()
        counters = sim.sim.counters.snapshot()
        out = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {}
        out.update(
            exit=proc.returncode,
            commits=counters["commits"],
            cas_mb=round(counters.get("cas_xorb_bytes", 0) / MB, 1),
        )
        if http is not None:
            out["xorb_posts"] = sum(1 for r in http.requests if r.startswith("POST /v1/xorbs/"))
            out["peak_concurrent_xorbs"] = http.peak_inflight
        if proc.returncode:
            out["stderr"] = proc.stderr[-2000:]
        return out
    finally:
        if http is not None:
            http.close()
        sim.close()
        shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    if sys.argv[1:2] == ["--client"]:
        client(*sys.argv[2:5])
        return 0
    ap = argparse.ArgumentParser(prog="python -m bench.xetmem", description=__doc__)
    ap.add_argument("--cas", choices=("local", "http"), default="local")
    ap.add_argument(
        "--mbps", type=float, default=0.0, help="http CAS link, MB/s shared (0: loopback)"
    )
    ap.add_argument("--size-mb", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("env", nargs="*", help="NAME=VALUE for the client's environment")
    args = ap.parse_args()
    extra = dict(item.split("=", 1) for item in args.env)
    WORK.mkdir(parents=True, exist_ok=True)
    data = WORK / f"random-{args.size_mb}mb.bin"
    if not data.exists() or data.stat().st_size != args.size_mb * MB:
        with open(data, "wb") as fh:
            for _ in range(args.size_mb):
                fh.write(os.urandom(MB))
    label = " ".join(args.env) or "defaults"
    for _ in range(args.runs):
        res = run_once(args.cas, args.mbps, data, extra)
        print(
            f"{args.cas}{f' {args.mbps:g} MB/s' if args.mbps else ''} {label}: {json.dumps(res)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
