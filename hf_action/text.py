"""Small text helpers shared by the log, the step summary and the PR comment."""

from __future__ import annotations

import re


def human_size(n: int) -> str:
    """Bytes as a person reads them: "512 B", "3.4 MB"."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 file", "2 files": a count as a person writes it (log lines read "1 files" otherwise)."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def one_line(value: str) -> str:
    """Any run of whitespace (newlines included) as one space."""
    return " ".join(value.split())


def md_cell(value: str) -> str:
    """A Markdown table cell: one line, and a `|` that does not end the cell."""
    return one_line(value).replace("|", "\\|")


def md_link(text: str, url: str | None) -> str:
    """`[text](url)` for an http(s) URL that cannot break out of the link; other URLs give the text."""
    if not url or not re.match(r"^https?://", url):
        return text
    safe = (
        url.replace(" ", "%20")
        .replace("(", "%28")
        .replace(")", "%29")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace("`", "%60")
    )
    return f"[{text}]({md_cell(safe)})"
