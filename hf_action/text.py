"""Small text helpers shared by the log, the step summary and the PR comment."""

from __future__ import annotations


def human_size(n: int) -> str:
    """Bytes as a person reads them: "512 B", "3.4 MB"."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"
