"""README.md front matter: a pragmatic YAML subset parser (the server must not depend on pyyaml).

Handles ``key: value`` mappings with scalars, inline lists and indented blocks, which is what
Space cards use. Anything it cannot make sense of is reported as a syntax error, which is how
the simulator decides ``CONFIG_ERROR`` and the 400 of ``/api/validate-yaml``.
"""

from __future__ import annotations

import re
from typing import Any

VALID_SDKS = ("gradio", "streamlit", "docker", "static")
_KEY = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_.\-]*)\s*:(?:\s+(.*)|\s*)$")


class FrontMatterError(ValueError):
    """The front matter block is not valid YAML (as far as the subset can tell)."""


def split(readme: str) -> str | None:
    """Return the YAML text between the leading ``---`` fences, or None when there is none."""
    lines = readme.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[1:i])
    raise FrontMatterError("front matter block is not closed with ---")


def _scalar(raw: str) -> Any:
    raw = raw.split(" #", 1)[0].strip()
    if raw == "":
        return None
    if raw[0] in "\"'":
        if len(raw) < 2 or raw[-1] != raw[0]:
            raise FrontMatterError(f"unterminated quoted scalar: {raw}")
        return raw[1:-1]
    if raw[0] in "[{":
        closing = "]" if raw[0] == "[" else "}"
        if raw[-1] != closing:
            raise FrontMatterError(f"unterminated flow collection: {raw}")
        if raw[0] == "[":
            inner = raw[1:-1].strip()
            return [_scalar(x) for x in inner.split(",")] if inner else []
        return raw
    if raw in ("true", "True", "yes"):
        return True
    if raw in ("false", "False", "no"):
        return False
    if raw in ("null", "~"):
        return None
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if re.fullmatch(r"-?\d+\.\d*", raw):
        return float(raw)
    if raw.startswith(("@", "`", "%")) or ": " in raw:
        raise FrontMatterError(f"invalid plain scalar: {raw}")
    return raw


def parse(yaml_text: str) -> dict[str, Any]:
    """Parse the subset into a dict; raise FrontMatterError on anything malformed."""
    data: dict[str, Any] = {}
    current: str | None = None
    for lineno, line in enumerate(yaml_text.splitlines(), 2):
        if "\t" in line[: len(line) - len(line.lstrip())]:
            raise FrontMatterError(f"line {lineno}: tabs are not allowed for indentation")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[0] in " -":
            if current is None:
                raise FrontMatterError(f"line {lineno}: unexpected indentation")
            if stripped.startswith("- "):
                if not isinstance(data[current], list):
                    data[current] = []
                data[current].append(_scalar(stripped[2:]))
            elif not isinstance(data[current], (dict, type(None))):
                raise FrontMatterError(f"line {lineno}: mapping values are not allowed here")
            else:
                m = _KEY.match(stripped)
                if not m:
                    raise FrontMatterError(f"line {lineno}: could not find expected ':'")
                data[current] = data[current] or {}
                data[current][m.group(1)] = _scalar(m.group(2) or "")
            continue
        m = _KEY.match(line)
        if not m:
            raise FrontMatterError(f"line {lineno}: could not find expected ':'")
        current = m.group(1)
        data[current] = _scalar(m.group(2) or "")
    return data


def parse_readme(readme: str) -> dict[str, Any] | None:
    """Front matter of a README as a dict; None when absent. Raises FrontMatterError."""
    block = split(readme)
    return None if block is None else parse(block)


def config_problem(card: dict[str, Any]) -> str | None:
    """Why a syntactically valid Space card cannot be used, or None when it can."""
    sdk = card.get("sdk")
    if sdk not in VALID_SDKS:
        return f"Invalid sdk {sdk!r} in README.md metadata: must be one of {', '.join(VALID_SDKS)}"
    port = card.get("app_port")
    if port is not None and not (
        isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536
    ):
        return f"Invalid app_port {port!r} in README.md metadata: must be an integer 1-65535"
    app_file = card.get("app_file")
    if app_file is not None and not isinstance(app_file, str):
        return f"Invalid app_file {app_file!r} in README.md metadata"
    return None
