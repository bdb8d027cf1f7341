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


# Markdown's active characters (HTML's too) as numeric entities: a tag, a heading, a code span, a
# link or an image needs one of them, and an entity renders as the character, never as syntax. `_`
# and `*` stay: they are in names, URLs and the redaction's `***`, and at most emphasise.
_ACTIVE = str.maketrans({c: f"&#{ord(c)};" for c in "\\`[]<>#!|~&"})
# What GitHub links without any syntax (GFM's autolink extension, mentions): any `scheme://`
# (`HTTPS://` too), `www.` in any case, the `@` of an e-mail or a mention; a zero-width space after
# its first character breaks each.
_AUTOLINK = re.compile(r"(?i)://|www\.|@")
_ZWSP = "\u200b"


def md_inert(text: str) -> str:
    """Text we did not write (an app's answer, the Hub's message, a log line) as one line of Markdown
    that renders as that text: no HTML, heading, emphasis, link, autolink, mention or image."""
    inert = one_line(text).translate(_ACTIVE)
    return _AUTOLINK.sub(lambda m: m[0][0] + _ZWSP + m[0][1:], inert)


def md_code(text: str) -> str:
    """`text` on one line as a code span no backtick in it can close: its fence is one backtick longer
    than the longest run inside (CommonMark), spaced when the text starts or ends with one."""
    text = one_line(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"
