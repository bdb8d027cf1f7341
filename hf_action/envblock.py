"""The `KEY=VALUE` / `KEY<<DELIM` format of the `secrets` and `variables` inputs: parsing and masking.

Pure text in, dicts out; every error message names keys, never values (they may be secrets).
"""

from __future__ import annotations

import re

from hf_action.errors import EnvFormatError

KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_KEY = 128
MAX_VALUE = 64 * 1024
#: Shorter secret values (`1`, `on`, `dev`) are not masked: hiding every such string would corrupt the
#: log (a commit sha, a URL, a duration) while protecting nothing anyone could not guess.
MIN_MASKED = 4


def parse_env_block(text: str | None, *, kind: str) -> dict[str, str]:
    """Parse dotenv-like lines: `KEY=VALUE`, `KEY<<EOF` ... `EOF`, `# comments`, blank lines."""
    result: dict[str, str] = {}
    if not text:
        return result
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        i += 1
        if not line or line.startswith("#"):
            continue
        heredoc = re.match(r"^([^=\s<]+)\s*<<\s*([A-Za-z0-9_\-]+)$", line)
        if heredoc:
            key, delim = heredoc.group(1), heredoc.group(2)
            body: list[str] = []
            while i < len(lines) and lines[i].strip() != delim:
                body.append(lines[i])
                i += 1
            if i >= len(lines):
                raise EnvFormatError(
                    f"{kind} '{_safe_key(key)}' opens '<<{delim}' but no line '{delim}' closes it"
                )
            i += 1
            value = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            key = key.strip()
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
        else:
            raise EnvFormatError(
                f"line {i} of {kind}s is not KEY=VALUE or KEY<<DELIMITER (write one {kind} per line)"
            )
        _check_key(key, kind)
        if key in result:
            raise EnvFormatError(f"{kind} '{key}' is given twice")
        if len(value.encode("utf-8")) > MAX_VALUE:
            raise EnvFormatError(f"{kind} '{key}' is larger than {MAX_VALUE // 1024} KiB")
        result[key] = value
    return result


def _safe_key(key: str) -> str:
    return key if KEY_RE.match(key) and len(key) <= MAX_KEY else "<invalid name>"


def _check_key(key: str, kind: str) -> None:
    if not key:
        raise EnvFormatError(f"a {kind} has an empty name")
    if len(key) > MAX_KEY or not KEY_RE.match(key):
        raise EnvFormatError(
            f"{kind} name {key[:40]!r} is invalid: use letters, digits and '_', not starting with a digit"
            if "=" not in key and "\n" not in key
            else f"a {kind} name is invalid"
        )


def values_to_mask(text: str | None) -> list[str]:
    """Best-effort values of a secrets block, for masking *before* it is validated: heredoc bodies line
    by line, the part after `=` elsewhere, and any other line whole (it may be a value pasted alone)."""
    if not text:
        return []
    values: list[str] = []
    delimiter = None
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if delimiter is not None:
            if stripped == delimiter:
                delimiter = None
            else:
                values.append(stripped)
            continue
        heredoc = re.match(r"^[^=\s<]+\s*<<\s*(\S+)$", stripped)
        if not stripped or stripped.startswith("#"):
            continue
        if heredoc:
            delimiter = heredoc.group(1)
        elif "=" in stripped:
            value = stripped.split("=", 1)[1].strip()
            values += [value, value.strip("\"'")]
        else:
            values.append(stripped)
    return [v for v in dict.fromkeys(values) if len(v) >= MIN_MASKED]


def maskable_parts(value: str) -> list[str]:
    """What to mask of one secret value: the value, and each line of a multi-line one (an app may print
    it line by line), leaving out what is shorter than MIN_MASKED."""
    lines = [line.strip() for line in value.splitlines()] if "\n" in value else []
    return [p for p in dict.fromkeys([value.strip(), *lines]) if len(p) >= MIN_MASKED]


def short_keys(values: dict[str, str]) -> list[str]:
    """Keys whose value is too short to be masked (empty values hide nothing and are left out)."""
    return [key for key, value in values.items() if value.strip() and not maskable_parts(value)]
