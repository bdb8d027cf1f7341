"""What never reaches a cassette: tokens, cookies, Authorization, secret values, e-mail addresses.

The recorder redacts each interaction as it records it, in memory, so nothing unredacted is
ever written (not even to a temporary file).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

MASK = "<redacted>"
#: Header values never kept, whatever they hold.
SECRET_HEADERS = frozenset(
    {"authorization", "cookie", "set-cookie", "proxy-authorization", "x-xet-access-token"}
)
#: Anything shaped like a Hub token, even one the probe did not know about.
TOKEN_SHAPE = re.compile(r"\bhf_[A-Za-z0-9_]{16,}")
JSON_SECRET_KEYS = frozenset({"email", "token"})
SECRET_PREFIX = "probe-secret-"  # noqa: S105 - starts the values the probe sets, never written


class Redactor:
    """Masks the known secret values and every token-shaped string."""

    def __init__(self, values: Iterable[str]) -> None:
        self.values = sorted({v for v in values if v}, key=len, reverse=True)

    def add(self, value: str) -> None:
        if value and value not in self.values:
            self.values = sorted([*self.values, value], key=len, reverse=True)

    def text(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, MASK)
        return TOKEN_SHAPE.sub(MASK, text)

    def headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
        """VCR's shape (name -> values); secret headers keep their name, not their value."""
        out: dict[str, list[str]] = {}
        for name, value in headers:
            kept = MASK if name.lower() in SECRET_HEADERS else self.text(value)
            out.setdefault(name, []).append(kept)
        return out

    def body(self, text: str) -> str:
        """A JSON body with secret keys masked (e-mail in whoami); any body with values masked."""
        try:
            data = json.loads(text)
        except ValueError:
            return self.text(text)
        masked = _mask_keys(data)
        if masked == data:  # keep the Hub's own bytes where no key needs masking
            return self.text(text)
        return self.text(json.dumps(masked, separators=(",", ":")))


def _mask_keys(data: object) -> object:
    if isinstance(data, Mapping):
        return {
            k: MASK if k in JSON_SECRET_KEYS and isinstance(v, str) else _mask_keys(v)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_mask_keys(v) for v in data]
    return data


def leftovers(text: str) -> list[str]:
    """What in a written cassette looks unredacted: a token's shape, a probe secret's value, a
    credential header with a value. For a check before a cassette is committed."""
    found = [f"a token ({m.group(0)[:5]}…)" for m in TOKEN_SHAPE.finditer(text)]
    found += ["a probe secret value"] * text.count(SECRET_PREFIX)
    for name in sorted(SECRET_HEADERS):
        for m in re.finditer(rf"(?im)^\s*{re.escape(name)}:\s*\n\s*-\s*(.+)$", text):
            if m.group(1).strip().strip("'\"") != MASK:
                found.append(f"a {name} header value")
    return found
