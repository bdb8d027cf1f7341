"""The GitHub runner's I/O: workflow commands on stdout, outputs and summary files.

Everything the action prints goes through `Runner`, so masking and escaping happen in one place.
"""

from __future__ import annotations

import contextlib
import re
import secrets as _random
import sys
from collections.abc import Iterator
from typing import TextIO

from hf_action.envblock import maskable_parts
from hf_action.text import one_line

#: Secret values shorter than this are scrubbed only where they stand alone (not inside a longer word).
WHOLE_WORD_BELOW = 8


def scrub_values(text: str, values: list[str]) -> str:
    """Replace each value (longest first) with `***`. One shorter than WHOLE_WORD_BELOW only where it
    stands alone, not touching a letter, a digit, `_` or `-`: `2025` inside a commit sha, a longer word
    or a date (`2025-06-01`) is chance, not the secret."""
    for value in sorted(values, key=len, reverse=True):
        if len(value) >= WHOLE_WORD_BELOW:
            text = text.replace(value, "***")
        else:
            text = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", "***", text, flags=re.ASCII)
    return text


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


_ZWSP = "\u200b"
#: Before each line relayed from the Hub or the app: a problem matcher's pattern that starts at the
#: line's start (a Python traceback's `  File "…", line …`) cannot match it.
RELAY = "│ "
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(line: str) -> str:
    """A line without terminal escape sequences or control characters (a tab stays): text we did
    not write cannot move the cursor, retitle a terminal or hide what follows it."""
    return _CONTROL.sub("", _ANSI.sub("", line))


def neutralize(line: str) -> str:
    """Make text we print (file names, Hub messages) unable to act as a workflow command: the runner
    reads `::cmd::` at the start of a trimmed line and the legacy `##[cmd]` anywhere in it."""
    line = line.replace("##[", f"#{_ZWSP}#[")
    stripped = line.lstrip()
    if stripped.startswith("::"):
        line = line[: len(line) - len(stripped)] + f":{_ZWSP}:" + stripped[2:]
    return line


class Runner:
    """Speaks the runner's protocol when `github` is true, plain text otherwise (the CLI)."""

    def __init__(
        self,
        *,
        github: bool,
        stream: TextIO | None = None,
        output_file: str | None = None,
        summary_file: str | None = None,
        docs_base: str | None = None,
    ) -> None:
        self.github = github
        self.docs_base = docs_base  # GitHubContext.docs_base: the hints' docs/x.md as links
        self.stream = stream or sys.stdout
        self._output_path = output_file or None  # the runner's files (github/context.py names them)
        self._summary_path = summary_file or None
        self._masked: list[str] = []
        self._group_open = False

    # -- masking -------------------------------------------------------------------------
    def mask(self, value: str | None) -> None:
        """Register a secret: the runner hides it, and we scrub it from our own text too. Values (and
        lines) shorter than MIN_MASKED are left alone: masking `1` would turn every `1` into `***`."""
        for part in maskable_parts(value or ""):
            if part in self._masked:
                continue
            self._masked.append(part)
            self._masked.sort(key=len, reverse=True)
            if self.github and "\n" not in part:
                self._write(f"::add-mask::{_escape_data(part)}")

    def scrub(self, text: str) -> str:
        """Replace secret values with `***` (`scrub_values`)."""
        return scrub_values(text, self._masked)

    # -- printing ------------------------------------------------------------------------
    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def info(self, message: str = "") -> None:
        for line in self.scrub(message).splitlines() or [""]:
            self._write(neutralize(printable(line)))

    def _annotate(self, kind: str, message: str, title: str | None) -> None:
        message = self.scrub(link_docs(message, self.docs_base))
        if self.github:
            props = f" title={_escape_property(self.scrub(title))}" if title else ""
            self._write(f"::{kind}{props}::{_escape_data(message)}")
        else:
            print(
                "\n".join(printable(line) for line in f"{kind}: {message}".splitlines()),
                file=sys.stderr if kind == "error" else self.stream,
                flush=True,
            )

    def error(self, message: str, title: str | None = None) -> None:
        self._annotate("error", message, title)

    def warning(self, message: str, title: str | None = None) -> None:
        self._annotate("warning", message, title)

    def notice(self, message: str, title: str | None = None) -> None:
        self._annotate("notice", message, title)

    @contextlib.contextmanager
    def group(self, title: str) -> Iterator[None]:
        """A collapsed section in the log; nested groups are flattened (the runner has no nesting)."""
        if self._group_open:
            yield
            return
        self._group_open = True
        title = printable(one_line(self.scrub(title)))  # may name the Hub's host or the app's URL
        self._write(f"::group::{_escape_data(title)}" if self.github else f"== {title}")
        try:
            yield
        finally:
            if self.github:
                self._write("::endgroup::")
            self._group_open = False

    def untrusted_block(self, text: str) -> None:
        """Print text we do not control (build logs, an app's answer): workflow commands in it are
        disabled, each line starts with RELAY and keeps no control character."""
        lines = [RELAY + printable(line) for line in self.scrub(text).splitlines()]
        if not self.github:
            for line in lines:
                self._write(line)
            return
        token = _random.token_hex(16)
        self._write(f"::stop-commands::{token}")
        for line in lines:
            self._write(line)
        self._write(f"::{token}::")

    # -- files -----------------------------------------------------------------------------
    def set_output(self, name: str, value: str) -> None:
        value = self.scrub(value)
        if self._output_path is None:
            if not self.github:  # on a terminal: the Hub's values (the app's URL) kept printable
                value = "\n".join(printable(line) for line in value.split("\n"))
                if "\n" in value:
                    self._write(f"{name}<<EOF\n{value}\nEOF")
                else:
                    self._write(f"{name}={value}")
            return
        delimiter = f"ghadelimiter_{_random.token_hex(12)}"
        with open(self._output_path, "a", encoding="utf-8") as fh:
            fh.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")

    def add_summary(self, markdown: str) -> None:
        if self._summary_path is None:
            return
        with open(self._summary_path, "a", encoding="utf-8") as fh:
            fh.write(self.scrub(markdown) + "\n")


_DOCS_PAGE = re.compile(r"(?<![\w/.-])docs/([a-z0-9-]+\.md(?:#[\w-]+)?)")


def link_docs(message: str, docs_base: str | None) -> str:
    """A job log shows a bare `docs/keyless.md` as text: with the action's docs known, it is the
    absolute URL of that page at the ref the workflow uses."""
    return _DOCS_PAGE.sub(lambda m: f"{docs_base}/{m[1]}", message) if docs_base else message
