"""What the run tells the world: step outputs, the step summary, and sizes a person can read."""

from __future__ import annotations

from hf_action.github.runner import Runner
from hf_action.outcome import Outcome
from hf_action.text import human_size


def write_outputs(runner: Runner, o: Outcome) -> None:
    values = {
        "space-id": o.space_id,
        "space-url": o.space_url,
        "app-url": o.app_url or "",
        "commit-sha": o.commit_sha or "",
        "commit-url": o.commit_url or "",
        "stage": o.stage or "",
        "changed-files": "\n".join(o.changed_files),
        "preview": "true" if o.preview else "false",
        "deleted": "true" if o.space_deleted else "false",
    }
    for name, value in values.items():
        runner.set_output(name, value)


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _link(text: str, url: str | None) -> str:
    return f"[{text}]({url})" if url else text


def summary_markdown(o: Outcome) -> str:
    verdict = "❌ Failed" if o.failure else ("📝 Dry run" if o.dry_run else "✅ Done")
    title = {"deploy": "Deploy", "restart": "Restart", "pause": "Pause", "delete": "Delete"}.get(
        o.operation, o.operation
    )
    rows = [
        ("Space", _link(o.space_id, o.space_url)),
        ("App", _link(o.app_url, o.app_url) if o.app_url and not o.space_deleted else "—"),
        ("Stage", f"`{o.stage}`" if o.stage else "—"),
    ]
    if o.operation == "deploy":
        commit = _link(f"`{o.commit_sha[:7]}`", o.commit_url) if o.commit_sha else "—"
        if o.commit_sha and not o.committed and not o.dry_run:
            commit += " (no change, nothing committed)"
        rows += [
            ("Commit", commit),
            (
                "Files",
                f"{len(o.added)} added, {len(o.changed)} changed, {len(o.deleted_files)} deleted, {o.unchanged} unchanged",
            ),
            ("Uploaded", human_size(o.upload_bytes)),
        ]
        if o.settings:
            rows.append(("Settings", ", ".join(o.settings)))
        if o.env_keys:
            rows.append(("Secrets & variables set", ", ".join(f"`{k}`" for k in o.env_keys)))
    if o.space_deleted:
        rows.append(("Deleted", "yes"))
    rows.append(("Duration", f"{o.seconds:.1f} s"))
    lines = [
        f"### {verdict}: {title} {'preview ' if o.preview else ''}`{o.space_id}`",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {_cell(v)} |" for k, v in rows]
    for note in o.notes:
        lines += ["", f"> {note}"]
    if o.failure:
        lines += ["", f"**{o.failure}**"]
    if o.log_tail:
        fence = "~~~~"
        lines += [
            "",
            "<details><summary>Log tail</summary>",
            "",
            fence,
            o.log_tail.replace(fence, "~~~ ~"),
            fence,
            "",
            "</details>",
        ]
    shown = o.changed_files[:50]
    if shown and o.operation == "deploy":
        more = len(o.changed_files) - len(shown)
        lines += ["", "<details><summary>Changed files</summary>", ""]
        lines += (
            [f"- `{p}`" for p in shown]
            + ([f"- … and {more} more"] if more else [])
            + ["", "</details>"]
        )
    return "\n".join(lines) + "\n"
