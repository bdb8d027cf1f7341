"""The targets (met or missed, with figures) and the printed table (markdown, also bench/results.md)."""

from __future__ import annotations

MB = 1e6
METRICS = (
    ("wall s", lambda m: m["wall_s"], "{:.2f}"),
    ("HTTP requests", lambda m: m["n_requests"], "{:d}"),
    ("MB uploaded", lambda m: m["bytes_uploaded"] / MB, "{:.2f}"),
    ("commits", lambda m: m["commits"], "{:d}"),
    ("MB read (rchar)", lambda m: m["rchar"] / MB, "{:.1f}"),
    ("MB read from disk (read_bytes)", lambda m: m["read_bytes"] / MB, "{:.1f}"),
    ("peak RSS MB", lambda m: m["peak_rss_mb"], "{:.1f}"),
)
NO_FLOOR = {"HTTP requests", "MB uploaded", "commits"}


def _case(variant: dict, name: str) -> dict | None:
    return next((c for c in variant["cases"] if c["case"] == name), None)


def _ratio(a, b) -> str:
    if b in (None, 0) or a is None:
        return "–" if a in (None, 0) or b is None else "∞"
    return f"{a / b:.2f}"


def targets(results: dict) -> list[dict]:
    out: list[dict] = []

    def add(variant: str, name: str, ok: bool, figure: str) -> None:
        out.append({"variant": variant, "target": name, "met": bool(ok), "figure": figure})

    for v in results["variants"]:
        name = v["variant"]
        actions = [c["measures"]["action"] for c in v["cases"] if "action" in c["measures"]]
        noop = _case(v, "noop")
        if noop:
            a, f = noop["measures"]["action"], noop["measures"]["folder"]
            add(
                name, "noop: 0 bytes uploaded", a["bytes_uploaded"] == 0, f"{a['bytes_uploaded']} B"
            )
            add(name, "noop: no commit", a["commits"] == 0, f"{a['commits']} commits")
            add(name, "noop: <= 6 requests", a["n_requests"] <= 6, f"{a['n_requests']}: {_reqs(a)}")
            add(name, "noop: wall <= 0.2 x upload_folder", a["wall_s"] <= 0.2 * f["wall_s"],
                f"{a['wall_s']:.2f}s vs {f['wall_s']:.2f}s = {a['wall_s'] / f['wall_s']:.2f}x; read {a['rchar'] / MB:.0f} MB")  # fmt: skip
        for case in ("small", "large"):
            c = _case(v, case)
            if not c:
                continue
            a, limit = c["measures"]["action"], 1.05 * c["changed_size"] + 4096
            add(name, f"{case} change: bytes <= 1.05 x size + 4 KB", a["bytes_uploaded"] <= limit,
                f"{a['bytes_uploaded']} B vs limit {limit:.0f} B (file {c['changed_size']} B)")  # fmt: skip
            add(name, f"{case} change: one commit", a["commits"] == 1, f"{a['commits']} commits")
            add(
                name,
                f"{case} change: <= 8 requests",
                a["n_requests"] <= 8,
                f"{a['n_requests']}: {_reqs(a)}",
            )
        first = _case(v, "first")
        if first:
            a, f = first["measures"]["action"], first["measures"]["folder"]
            add(name, "first deploy: wall <= 1.1 x upload_folder", a["wall_s"] <= 1.1 * f["wall_s"],
                f"{a['wall_s']:.2f}s vs {f['wall_s']:.2f}s = {a['wall_s'] / f['wall_s']:.2f}x")  # fmt: skip
        peak = max(m["peak_rss_mb"] for m in actions)
        add(name, "peak memory < 200 MB", peak < 200, f"max {peak:.1f} MB over the action's runs")
        colds = [m["first_request_s"] for m in actions if m["first_request_s"] is not None]
        if colds:
            add(name, "cold start < 1 s (process start -> first Hub request)", max(colds) < 1.0,
                f"median {sorted(colds)[len(colds) // 2]:.3f}s, max {max(colds):.3f}s over {len(colds)} runs")  # fmt: skip
        if noop and "import_check" in noop:
            ic = noop["import_check"]
            add(
                name,
                "push deploy does not import github (PyGithub)",
                not ic["github_imported"],
                f"github modules: {ic['github_modules'] or 'none'}",
            )
        for c in v["cases"]:
            for approach, verdict in c.get("verify", {}).items():
                if approach == "action":
                    add(
                        name, f"{c['case']}: Space equals the local files", verdict == "ok", verdict
                    )
        pn, pc = _case(v, "lfs-pointers-noop"), _case(v, "lfs-pointer-changed")
        if pn:
            a = pn["measures"]["action"]
            add(name, "LFS pointers, unchanged: no upload, no error", a["exit"] == 0 and a["bytes_uploaded"] == 0 and a["commits"] == 0,
                f"exit {a['exit']}, {a['bytes_uploaded']} B, {a['commits']} commits, {a['n_requests']} requests, read {a['rchar'] / MB:.1f} MB")  # fmt: skip
        if pc:
            a = pc["measures"]["action"]
            clear = a["exit"] == 1 and any("LFS" in e for e in a["errors"])
            add(
                name,
                "LFS pointer changed: clear ::error::",
                clear and a["commits"] == 0,
                f"exit {a['exit']}: {(a['errors'] or ['no ::error::'])[0][:220]}",
            )
    w = results.get("watch")
    for shape, ws in (w.get("shapes") or {"": w}).items() if w else ():
        a, b, tag = ws["action"], ws["fixed_10s"], f" (runtime {shape})" if shape else ""
        add("watch", f"build watch{tag}: RUNNING noticed within 2 s (median)", a["notice_delay_s"]["median"] <= 2.0,
            f"median {a['notice_delay_s']['median']}s (p90 {a['notice_delay_s']['p90']}s, max {a['notice_delay_s']['max']}s) vs fixed 10 s poll median {b['notice_delay_s']['median']}s")  # fmt: skip
        add("watch", f"build watch{tag}: <= 100 runtime requests over a 5-minute build", a["requests_300s_build"] <= 100,
            f"{a['requests_300s_build']} (+{a.get('log_requests_300s_build', 0)} log reads; max {a['requests']['max']} over 240-360 s builds) vs fixed 10 s poll {b['requests_300s_build']}")  # fmt: skip
    return out


def _reqs(m: dict) -> str:
    return ", ".join(f"{k} ×{n}" for k, n in m["requests"].items())


def render(results: dict) -> str:
    mc = results["machine"]
    lines = [
        f"# hf-deploy benchmark ({results['size_gb']:g} GB repositories, {results['started']}, {results['seconds']:.0f} s)",
        "",
        f"Machine: {mc['cpu']}, {mc['cores']} cores, {mc['memory']} RAM, Linux {mc['kernel']}; Python {mc['python']}, "
        f"huggingface_hub {mc['huggingface_hub']}, {mc['git']}, {mc['git_lfs']}; code {mc.get('code')} ({mc.get('hf_action_uncommitted_files', 0)} uncommitted files in hf_action/). Hub: hubsim on 127.0.0.1, one instance per approach"
        + _network(results.get("network") or {})
        + ".",
        "",
        "Ratios are action ÷ baseline (below 1 = the action is cheaper). per-file = one `upload_file` (one commit) per file; "
        'folder = `upload_folder(delete_patterns="*")`; sha256sum = hashing every file once (the floor).',
    ]
    for v in results["variants"]:
        lines += [
            "",
            f"## {v['variant']}: {v['files']} files, {v['bytes'] / MB:.0f} MB"
            + (
                " (large files tracked with git-lfs)"
                if v["variant"] == "lfs"
                else " (large files are plain git blobs)"
            ),
            "",
        ]
        lines.append(
            "| case | metric | action | per-file | folder | sha256sum | ÷ per-file | ÷ folder | ÷ sha256sum |"
        )
        lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for c in v["cases"]:
            ms = c["measures"]
            for label, get, fmt in METRICS:
                vals = {}
                for k in ("action", "perfile", "folder", "sha256sum"):
                    if k in ms and not (k == "sha256sum" and label in NO_FLOOR):
                        vals[k] = get(ms[k])
                cells = [
                    fmt.format(vals[k]) if k in vals else ""
                    for k in ("action", "perfile", "folder", "sha256sum")
                ]
                a = vals.get("action")
                ratios = [
                    _ratio(a, vals.get(k)) if k in vals else ""
                    for k in ("perfile", "folder", "sha256sum")
                ]
                lines.append(
                    f"| {c['case'] if label == 'wall s' else ''} | {label} | "
                    + " | ".join(cells + ratios)
                    + " |"
                )
        lines += ["", "Action requests by endpoint:", ""]
        for c in v["cases"]:
            a = c["measures"]["action"]
            extra = (
                f"; exit {a['exit']}" + (f": {a['errors'][0][:160]}" if a["errors"] else "")
                if a["exit"]
                else ""
            )
            lines.append(f"- **{c['case']}** ({a['n_requests']}): {_reqs(a)}{extra}")
    w = results.get("watch")
    if w:
        lines += ["", "## Build watch", "", w["model"] + f"; {len(w['builds_s'])} builds of {min(w['builds_s']):.0f}-{max(w['builds_s']):.0f} s.", "",
                  "| runtime | poller | median notice delay s | mean | p90 | max | runtime requests (median / max) | requests, 300 s build | log reads, 300 s build | 0.3 s build: notice s / requests |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        for shape, ws in (w.get("shapes") or {"sha": w}).items():
            for k, label in (
                ("action", "action (1 s ×5, 2 s ×3, 3 s, then 3.5 s)"),
                ("fixed_10s", "fixed 10 s poll"),
            ):
                d, short = ws[k]["notice_delay_s"], ws.get("short_build") if k == "action" else None
                quick = (
                    f"{short['notice_delay_s']} / {short['requests']}+{short['log_requests']}"
                    if short
                    else ""
                )
                lines.append(
                    f"| {shape} | {label} | {d['median']} | {d['mean']} | {d['p90']} | {d['max']} | {ws[k]['requests']['median']} / {ws[k]['requests']['max']} | {ws[k]['requests_300s_build']} | {ws[k].get('log_requests_300s_build', 0)} | {quick} |"
                )
    lines += ["", "## Targets", "", "| variant | target | met | figure |", "|---|---|---|---|"]
    for t in results["targets"]:
        lines.append(
            f"| {t['variant']} | {t['target']} | {'✅' if t['met'] else '❌ MISSED'} | {t['figure'].replace('|', '/')} |"
        )
    return "\n".join(lines) + "\n"


def _network(net: dict) -> str:
    nodelay = (
        "TCP_NODELAY on (no Nagle/delayed-ACK stall)"
        if net.get("tcp_nodelay", True)
        else "stock sockets (~44 ms Nagle/delayed-ACK stall per request)"
    )
    return f", {nodelay}, {net.get('rtt_ms', 0):g} ms added per request"
