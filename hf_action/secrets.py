"""Secrets and variables: the `KEY=VALUE` / `KEY<<DELIM` format and reconciling them with the Space.

Secret values are write-only on the Hub, so to avoid re-setting them (and restarting the Space) on every
deploy we store an HMAC of each value, keyed with the deploy token, in the secret's description.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_KEY = 128
MAX_VALUE = 64 * 1024
FINGERPRINT_PREFIX = "hf-deploy:"


class EnvFormatError(ValueError):
    """Raised with a message that never contains a value."""


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
    # Very short strings ("=", "1") would mask unrelated text all over the log.
    return [v for v in dict.fromkeys(values) if len(v) >= 3]


def fingerprint(token: str, key: str, value: str) -> str:
    digest = hmac.new(token.encode(), f"{key}\0{value}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{FINGERPRINT_PREFIX}{digest}"


@dataclass(frozen=True)
class EnvPlan:
    """Which keys need writing; values stay out of it so the plan is safe to print."""

    secrets_to_set: tuple[str, ...]
    secrets_unchanged: tuple[str, ...]
    variables_to_set: tuple[str, ...]
    variables_unchanged: tuple[str, ...]

    @property
    def changes(self) -> bool:
        return bool(self.secrets_to_set or self.variables_to_set)


def plan_env(
    token: str,
    wanted_secrets: dict[str, str],
    wanted_variables: dict[str, str],
    remote_secret_descriptions: dict[str, str | None],
    remote_variables: dict[str, str],
) -> EnvPlan:
    s_set, s_same, v_set, v_same = [], [], [], []
    for key, value in wanted_secrets.items():
        same = remote_secret_descriptions.get(key) == fingerprint(token, key, value)
        (s_same if key in remote_secret_descriptions and same else s_set).append(key)
    for key, value in wanted_variables.items():
        (v_same if remote_variables.get(key) == value else v_set).append(key)
    return EnvPlan(tuple(s_set), tuple(s_same), tuple(v_set), tuple(v_same))


def apply_env(
    plan: EnvPlan,
    token: str,
    wanted_secrets: dict[str, str],
    wanted_variables: dict[str, str],
    add_secret: Callable[[str, str, str], object],
    add_variable: Callable[[str, str], object],
) -> None:
    for key in plan.secrets_to_set:
        add_secret(key, wanted_secrets[key], fingerprint(token, key, wanted_secrets[key]))
    for key in plan.variables_to_set:
        add_variable(key, wanted_variables[key])


def describe_keys(keys: Iterable[str]) -> str:
    return ", ".join(sorted(keys)) or "none"
