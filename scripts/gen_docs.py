"""The input and output tables of README.md and docs/inputs.md, generated from action.yml, the one
source of the interface (what the Marketplace and editors show): a name, its default and its
description there are all a table says. README.md gets each description's first sentence, for a
glance; docs/inputs.md the whole description. `docs/<page>.md` in a description becomes a link from
the page it lands on. Run: bash scripts/gen-docs (writes), --check (fails on a difference; the suite
runs it as tests/test_docs_generated.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"README.md": "docs/", "docs/inputs.md": ""}  # page -> how it reaches docs/<page>.md
BEGIN = (
    "<!-- {table}: generated from action.yml by scripts/gen-docs; edit action.yml, then run it -->"
)
END = "<!-- end of {table} -->"
DOC_MENTION = re.compile(r"docs/([a-z0-9-]+\.md)(#[a-z0-9-]+)?")
SENTENCE_END = re.compile(r"(?<!e\.g)(?<!i\.e)\.(?=\s|$)")
DEFAULT = re.compile(r"Default: (.+?)\.(?=\s|$)")


def summary(description: str) -> str:
    """The first sentence (an 'e.g.' does not end one)."""
    end = SENTENCE_END.search(description)
    return description[: end.end()] if end else description


def default(spec: dict[str, str]) -> str:
    """The declared default, else the one the description names ('Default: ...'), else none."""
    if "default" in spec:
        return f"`{spec['default']}`"
    said = DEFAULT.search(spec["description"])
    return said[1] if said else "—"


def _cell(text: str, docs_prefix: str) -> str:
    def link(m: re.Match[str]) -> str:
        page, anchor = m[1], m[2] or ""
        return f"[{page}]({docs_prefix}{page}{anchor})"

    one_line = " ".join(text.split())
    return DOC_MENTION.sub(link, one_line).replace("|", "\\|")


def tables(action: dict, page: str) -> dict[str, str]:
    """Each generated table of `page`, by name, without its markers."""
    prefix, short = PAGES[page], page == "README.md"
    text = summary if short else (lambda d: d)
    inputs = ["| Input | Default | Description |", "|---|---|---|"] + [
        f"| `{name}` | {default(spec)} | {_cell(text(spec['description']), prefix)} |"
        for name, spec in action["inputs"].items()
    ]
    outputs = ["| Output | Description |", "|---|---|"] + [
        f"| `{name}` | {_cell(text(spec['description']), prefix)} |"
        for name, spec in action["outputs"].items()
    ]
    return {"inputs": "\n".join(inputs), "outputs": "\n".join(outputs)}


def render(page: str, current: str, action: dict) -> str:
    """`current` with each generated table replaced by the one action.yml gives."""
    for table, body in tables(action, page).items():
        begin, end = BEGIN.format(table=table), END.format(table=table)
        pattern = re.compile(re.escape(begin) + r"\n.*?\n" + re.escape(end), re.S)
        if not pattern.search(current):
            raise SystemExit(f"{page}: no '{begin}' ... '{end}' block for the {table} table")
        block = f"{begin}\n{body}\n{end}"
        current = pattern.sub(lambda _, block=block: block, current, count=1)
    return current


def main(argv: list[str]) -> int:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    stale = []
    for page in PAGES:
        path = ROOT / page
        current = path.read_text(encoding="utf-8")
        wanted = render(page, current, action)
        if wanted != current:
            stale.append(page)
            if "--check" not in argv:
                path.write_text(wanted, encoding="utf-8")
    if stale and "--check" in argv:
        print(f"out of date with action.yml: {', '.join(stale)}; run: bash scripts/gen-docs")
        return 1
    for page in stale:
        print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
