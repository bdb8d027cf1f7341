"""What the run tells the world: step outputs, the step summary, and sizes a person can read."""

from __future__ import annotations

from hf_action.github.runner import Runner
from hf_action.outcome import Outcome
from hf_action.text import human_size, md_cell, md_link


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
        "deployment-id": str(o.deployment_id or ""),
        "environment": o.environment or "",
        "deleted-previews": "",  # only operation cleanup-previews deletes previews (app/cleanup.py)
    }
    for name, value in values.items():
        runner.set_output(name, value)


def summary_markdown(o: Outcome) -> str:
    """The step summary: a verdict, one table, then notes, the failure, the log tail, changed files."""
    verdict = "❌ Failed" if o.failure else ("📝 Dry run" if o.dry_run else "✅ Done")
    title = {"deploy": "Deploy", "restart": "Restart", "pause": "Pause", "delete": "Delete"}.get(
        o.operation, o.operation
    )
    lines = [
        f"### {verdict}: {title} {'preview ' if o.preview else ''}`{o.space_id}`",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {md_cell(v)} |" for k, v in _rows(o)]
    for note in o.notes:
        lines += ["", f"> {note}"]
    if o.failure:
        lines += ["", f"**{o.failure}**"]
    return "\n".join(lines + _details(o)) + "\n"


def _rows(o: Outcome) -> list[tuple[str, str]]:
    rows = [
        ("Space", md_link(o.space_id, o.space_url)),
        ("App", md_link(o.app_url, o.app_url) if o.app_url and not o.space_deleted else "—"),
        ("Stage", f"`{o.stage}`" if o.stage else "—"),
    ]
    if o.operation == "deploy":
        commit = md_link(f"`{o.commit_sha[:7]}`", o.commit_url) if o.commit_sha else "—"
        if o.commit_sha and not o.committed and not o.dry_run:
            commit += " (no change, nothing committed)"
        files = f"{len(o.added)} added, {len(o.changed)} changed, {len(o.deleted_files)} deleted"
        rows += [
            ("Commit", commit),
            ("Files", f"{files}, {o.unchanged} unchanged"),
            ("Uploaded", human_size(o.upload_bytes)),
        ]
        if o.settings:
            rows.append(("Settings", ", ".join(o.settings)))
        if o.env_keys:
            rows.append(("Secrets & variables set", ", ".join(f"`{k}`" for k in o.env_keys)))
        if o.env_deleted:
            done = "to delete" if o.dry_run else "deleted"
            rows.append((f"Secrets & variables {done}", ", ".join(f"`{k}`" for k in o.env_deleted)))
    if o.space_deleted:
        rows.append(("Deleted", "yes"))
    rows.append(("Duration", f"{o.seconds:.1f} s"))
    return rows


def _details(o: Outcome) -> list[str]:
    """Folded blocks: the build log's tail (fenced so it cannot format), the first 50 changed files."""
    lines: list[str] = []
    if o.log_tail:
        fence = "~~~~"
        lines += ["", "<details><summary>Log tail</summary>", "", fence]
        lines += [o.log_tail.replace(fence, "~~~ ~"), fence, "", "</details>"]
    shown = o.changed_files[:50]
    if shown and o.operation == "deploy":
        more = len(o.changed_files) - len(shown)
        lines += ["", "<details><summary>Changed files</summary>", ""]
        lines += [f"- `{p}`" for p in shown] + ([f"- … and {more} more"] if more else [])
        lines += ["", "</details>"]
    return lines
