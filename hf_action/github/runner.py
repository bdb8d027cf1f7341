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

#: Secret values shorter than this are scrubbed only where they stand alone (not inside a longer word).
WHOLE_WORD_BELOW = 8


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


_ZWSP = "\u200b"


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
    ) -> None:
        self.github = github
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
        """Replace secret values with `***`. A value shorter than WHOLE_WORD_BELOW only where it stands
        alone: `abcd` inside a commit sha or a longer word is chance, not the secret."""
        for value in self._masked:
            if len(value) >= WHOLE_WORD_BELOW:
                text = text.replace(value, "***")
            else:
                text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", "***", text)
        return text

    # -- printing ------------------------------------------------------------------------
    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def info(self, message: str = "") -> None:
        for line in self.scrub(message).splitlines() or [""]:
            self._write(neutralize(line))

    def _annotate(self, kind: str, message: str, title: str | None) -> None:
        message = self.scrub(message)
        if self.github:
            props = f" title={_escape_property(self.scrub(title))}" if title else ""
            self._write(f"::{kind}{props}::{_escape_data(message)}")
        else:
            print(
                f"{kind}: {message}",
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
        self._write(f"::group::{self.scrub(title)}" if self.github else f"== {self.scrub(title)}")
        try:
            yield
        finally:
            if self.github:
                self._write("::endgroup::")
            self._group_open = False

    def untrusted_block(self, text: str) -> None:
        """Print text we do not control (build logs): workflow commands in it are disabled."""
        if self.github:
            token = _random.token_hex(16)
            self._write(f"::stop-commands::{token}")
            for line in self.scrub(text).splitlines():
                self._write(line)
            self._write(f"::{token}::")
        else:
            for line in self.scrub(text).splitlines():
                self._write(line)

    # -- files -----------------------------------------------------------------------------
    def set_output(self, name: str, value: str) -> None:
        value = self.scrub(value)
        if self._output_path is None:
            if not self.github:
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
