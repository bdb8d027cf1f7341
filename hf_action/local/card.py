"""The Space card (README.md front matter): read it, check it, and merge in the keys the deploy needs.

We edit the front matter line by line rather than re-dumping YAML, so the user's comments, key order and
quoting survive; only when a key cannot be edited in place do we fall back to a full dump.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hf_action.errors import CardError
from hf_action.inputs import SDKS

FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)?^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)

#: A card's front matter as YAML gives it: keys to any JSON-like value (a user may write anything).
FrontMatter = dict[str, Any]
#: One key's rule in CARD_RULES (a JSON Schema's properties): "type", "enum", "minimum"... to values.
Rule = dict[str, Any]

CARD_RULES: dict[str, Rule] = {
    "sdk": {"enum": list(SDKS)},
    "app_port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "app_file": {"type": "string", "minLength": 1},
    "sdk_version": {"type": ["string", "number"]},
    "title": {"type": ["string", "number"]},
    "emoji": {"type": "string"},
    "pinned": {"type": "boolean"},
    "tags": {"type": ["array", "string"]},
    "models": {"type": ["array", "string"]},
    "datasets": {"type": ["array", "string"]},
}


@dataclass(frozen=True)
class Card:
    front_matter: FrontMatter
    body: str
    raw_yaml: str | None  # None: the README has no front matter block


def parse_card(text: str, source: str = "README.md") -> Card:
    match = FRONT_MATTER_RE.match(text)
    if not match:
        return Card({}, text, None)
    raw = match.group(1)
    try:
        data = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise CardError(
            f"The front matter of {source} is not valid YAML{where}.",
            "Fix the block between the two '---' lines; the Hub would refuse it with CONFIG_ERROR.",
            title="Invalid Space card",
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CardError(
            f"The front matter of {source} is a {type(data).__name__}, not a mapping of keys.",
            "Write it as 'key: value' lines, e.g. 'sdk: gradio'.",
            title="Invalid Space card",
        )
    _validate(data, source)
    return Card(data, text[match.end() :], raw)


def _validate(data: FrontMatter, source: str) -> None:
    for key in sorted(data, key=str):
        problem = _problem(data[key], CARD_RULES.get(key))
        if problem is not None:
            raise CardError(
                f"The front matter of {source} has an invalid '{key}': {problem}.",
                "Fix the key, or remove it and let the action's inputs set it.",
                title="Invalid Space card",
            )


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# The JSON types of CARD_RULES as JSON Schema reads YAML's values: a bool is not a number, 8.0 is an integer.
_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "number": _is_number,
    "integer": lambda v: _is_number(v) and (isinstance(v, int) or v.is_integer()),
}


def _problem(value: Any, rule: Rule | None) -> str | None:
    """What is wrong with one value against its CARD_RULES rule, worded as jsonschema words it.
    The schema is ten flat keys: reading it here spares every run jsonschema's import (≈ 40 ms, four
    packages); tests/test_card.py checks that both agree."""
    if rule is None:
        return None
    types = [rule["type"]] if isinstance(rule.get("type"), str) else rule.get("type", [])
    if "enum" in rule and value not in rule["enum"]:
        return f"{value!r} is not one of {rule['enum']!r}"
    if types and not any(_JSON_TYPES[t](value) for t in types):
        return f"{value!r} is not of type {', '.join(map(repr, types))}"
    if _is_number(value) and value < rule.get("minimum", value):
        return f"{value!r} is less than the minimum of {rule['minimum']!r}"
    if _is_number(value) and value > rule.get("maximum", value):
        return f"{value!r} is greater than the maximum of {rule['maximum']!r}"
    if isinstance(value, str) and len(value) < rule.get("minLength", 0):
        return f"{value!r} should be non-empty"
    return None


def _scalar(value: object) -> str:
    dumped = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return dumped.removesuffix("\n...").removesuffix("...").strip()


def merge_card(
    text: str | None, wanted: FrontMatter, *, title: str, source: str = "README.md"
) -> str:
    """Return the README with `wanted` keys set in its front matter (text unchanged if nothing differs)."""
    if text is None:
        fm = {
            "title": title,
            "emoji": "🚀",
            "colorFrom": "blue",
            "colorTo": "indigo",
            **wanted,
            "pinned": False,
        }
        body = f"\n# {title}\n\nDeployed from GitHub with hf-deploy.\n"
        return "---\n" + yaml.safe_dump(fm, sort_keys=False, allow_unicode=True) + "---\n" + body
    card = parse_card(text, source)
    missing = {k: v for k, v in wanted.items() if card.front_matter.get(k) != v}
    if not missing:
        return text
    if card.raw_yaml is None:
        return (
            "---\n" + yaml.safe_dump(wanted, sort_keys=False, allow_unicode=True) + "---\n" + text
        )
    newline = "\r\n" if "\r\n" in text[: len(card.raw_yaml) + 8] else "\n"
    new_yaml = _edit_in_place(card.raw_yaml.splitlines(), missing)
    if new_yaml is None or (yaml.safe_load(new_yaml) or {}) != {**card.front_matter, **missing}:
        new_yaml = yaml.safe_dump(
            {**card.front_matter, **missing}, sort_keys=False, allow_unicode=True
        ).rstrip("\n")
    front = "---\n" + new_yaml + "\n---\n"
    return front.replace("\n", newline) + card.body


def _edit_in_place(lines: list[str], missing: FrontMatter) -> str | None:
    """The front matter with each key set on its own line; None when a key spans several lines."""
    for key, value in missing.items():
        # The key may be quoted; a trailing ` # comment` on the line is kept.
        pattern = re.compile(rf"""^(["']?){re.escape(key)}\1\s*:(?!\S)(.*)$""")
        found = next(((i, m) for i, line in enumerate(lines) if (m := pattern.match(line))), None)
        if found is None:
            lines.append(f"{key}: {_scalar(value)}")
        elif _is_single_line(lines, found[0]):
            comment = re.search(r"\s+#[^'\"]*$", found[1].group(2))
            lines[found[0]] = f"{key}: {_scalar(value)}{comment.group(0) if comment else ''}"
        else:
            return None  # multi-line value: rebuild it all
    return "\n".join(lines)


def _is_single_line(lines: list[str], idx: int) -> bool:
    nxt = lines[idx + 1] if idx + 1 < len(lines) else ""
    return not (nxt.startswith((" ", "\t", "-")) and nxt.strip())


def detect_sdk(root: Path, app_file: str | None = None) -> str | None:
    """Guess the SDK from the files, the way a person would."""
    if (root / "Dockerfile").is_file():
        return "docker"
    texts = []
    for name in (app_file or "app.py", "requirements.txt"):
        f = root / name
        if f.is_file() and f.stat().st_size < 1_000_000:
            texts.append(f.read_text("utf-8", errors="replace").lower())
    joined = "\n".join(texts)
    if "streamlit" in joined:
        return "streamlit"
    if "gradio" in joined:
        return "gradio"
    if (root / "index.html").is_file():
        return "static"
    return None


def read_text_card(path: Path, source: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        raise CardError(
            f"{source} is not UTF-8 text.",
            "Save it as UTF-8; the Hub reads the Space card as UTF-8.",
            title="Invalid Space card",
        ) from None
