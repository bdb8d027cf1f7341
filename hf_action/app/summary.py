"""The run's outputs and step summary, rendered from its `Outcome` (pure: the Reporter writes
them): the same values in every way a run can end."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from hf_action.outcome import Outcome
from hf_action.text import counted, human_size, md_cell, md_code, md_inert, md_link

if TYPE_CHECKING:
    from hf_action.app.cleanup import Cleanup  # its module loads the Hub client: cold start


def output_values(o: Outcome) -> dict[str, str]:
    """Every step output action.yml declares, as the outcome sets it."""
    return {
        "space-id": o.space_id,
        "space-url": o.space_url,
        "app-url": o.app_url or "",
        "commit-sha": o.commit_sha or "",
        "commit-url": o.commit_url or "",
        "committed": "true" if o.committed else "false",
        "stage": o.stage or "",
        "changed-files": "\n".join(o.changed_files),
        "preview": "true" if o.preview else "false",
        "deleted": "true" if o.space_deleted else "false",
        "deployment-id": str(o.deployment_id or ""),
        "environment": o.environment or "",
        "deleted-previews": "",  # only operation cleanup-previews deletes previews (app/cleanup.py)
    }


TITLES = {"deploy": "Deploy", "restart": "Restart", "pause": "Pause", "delete": "Delete",
          "rollback": "Rollback"}  # fmt: skip


def summary_markdown(o: Outcome, scrub: Callable[[str], str] = lambda text: text) -> str:
    """The step summary: a verdict, one table, then notes, the failure, the log tail, changed files.
    `scrub` (the runner's) takes secrets out of the text md_inert shows, before its entities would
    hide them from the scrub of the whole summary."""
    verdict = "❌ Failed" if o.failure else ("📝 Dry run" if o.dry_run else "✅ Done")
    title = TITLES.get(o.operation, o.operation)
    lines = [
        f"### {verdict}: {title} {'preview ' if o.preview else ''}{md_code(o.space_id)}",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {md_cell(v)} |" for k, v in _rows(o, scrub)]
    for note in o.notes:  # notes and the failure may quote the Hub or the app: inert
        lines += ["", f"> {md_inert(scrub(note))}"]
    if o.failure:
        lines += ["", f"**{md_inert(scrub(o.failure))}**"]
    return "\n".join(lines + _details(o)) + "\n"


def cleanup_summary_markdown(report: Cleanup) -> str:
    """The step summary: every preview found, its pull request and what happened to it."""
    verb = "would be deleted" if report.dry_run else "deleted"
    lines = [
        f"### 🧹 Preview cleanup of `{report.base_id}`",
        "",
        f"{len(report.deleted)} of {counted(len(report.previews), 'preview Space')} {verb}"
        f" ({report.seconds:.1f}s).",
    ]
    if report.previews:
        lines += [
            "",
            "| Space | Hardware | Pull request | State | Action |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| `{p.space_id}` | {p.hardware or '—'} | #{p.number} | {p.state} | {p.action} |"
            for p in report.previews
        ]
    return "\n".join(lines) + "\n"


def _rows(o: Outcome, scrub: Callable[[str], str]) -> list[tuple[str, str]]:
    app = md_link(md_inert(scrub(o.app_url)), o.app_url) if o.app_url else "—"
    rows = [
        ("Space", md_link(o.space_id, o.space_url)),
        ("App", "—" if o.space_deleted else app),
        ("Stage", md_code(o.stage) if o.stage else "—"),
    ]
    if o.operation in ("deploy", "rollback"):
        commit = md_link(f"`{o.commit_sha[:7]}`", o.commit_url) if o.commit_sha else "—"
        if o.commit_sha and not o.committed and not o.dry_run:
            commit += " (no change, nothing committed)"
        files = f"{len(o.added)} added, {len(o.changed)} changed, {len(o.deleted_files)} deleted"
        if o.restored:
            rows.append(("Rolled back to", f"`{o.restored[:7]}`"))
        rows += [
            ("Commit", commit),
            ("Files", f"{files}, {o.unchanged} unchanged"),
            ("Uploaded", human_size(o.upload_bytes)),
        ]
        if o.runs_on:
            rows.append(("Preview runs on", o.runs_on))
        if o.settings:
            rows.append(("Settings", ", ".join(o.settings)))
        if o.env_keys:
            rows.append(("Secrets & variables set", ", ".join(f"`{k}`" for k in o.env_keys)))
        if o.env_deleted:
            done = "to delete" if o.dry_run else "deleted"
            rows.append((f"Secrets & variables {done}", ", ".join(f"`{k}`" for k in o.env_deleted)))
    if o.smoke:
        rows.append(("Smoke check", o.smoke))
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
    if shown and o.operation in ("deploy", "rollback"):
        more = len(o.changed_files) - len(shown)
        lines += ["", "<details><summary>Changed files</summary>", ""]
        lines += [f"- {md_code(p)}" for p in shown] + ([f"- … and {more} more"] if more else [])
        lines += ["", "</details>"]
    return lines
