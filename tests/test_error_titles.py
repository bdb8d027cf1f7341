"""Every error and warning the action can print has its entry in docs/troubleshooting.md: the
title of its annotation (what the job log shows in bold) is a row of the page's title table. The
titles are read from the code: every error made (`ActionError` and its kinds) and every
`runner.error`/`runner.warning` call, by an AST scan of hf_action/; the few titles computed at run
time (a 402's advice, a stage the watch ends on) are listed by calling the code that makes them."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from hf_action.errors import EventError, InputError, SmokeFailed
from hf_action.hub.billing import Asked, Gate
from hf_action.hub.explain import _ADVICE, stage_failed, superseded, timed_out
from hf_action.hub.stages import FAILED, HALTED
from hf_action.hub.watch import SUPERSEDED
from tests.action_runner import ROOT

TROUBLESHOOTING = ROOT / "docs" / "troubleshooting.md"
ANY = "…"  # a title's variable part: `{x}` in the code, `<x>` in the docs

#: Errors whose constructor sets the title: an instance tells it.
DEFAULT_TITLES = {
    "InputError": InputError("<input>", "m").title,
    "EventError": EventError("m").title,
    "SmokeFailed": SmokeFailed("m", "", "h").title,
}


def _stage_titles() -> set[str]:
    """BuildFailed's title is `Space <stage>`: each stage the watch ends on."""
    made = [stage_failed(stage.value, None, "") for stage in FAILED | HALTED]
    made += [
        timed_out("RUNNING", "BUILDING", 1.0, "", ""),
        superseded("a", "", "", "b", SUPERSEDED),
    ]
    return {e.title or "" for e in made}


#: Titles the scan cannot read (a name bound at run time), by where they are made: the code that
#: computes them lists them. A new such site fails the test until it is listed here.
COMPUTED: dict[tuple[str, str], Callable[[], set[str]]] = {
    ("hf_action/hub/explain.py", "title"): lambda: {
        _ADVICE[gate](Asked(sdk="gradio", hardware="cpu-basic", creating=True))[2] for gate in Gate
    },
    ("hf_action/hub/explain.py", "<stage>"): _stage_titles,
    ("hf_action/app/report.py", "exc.title"): set,  # an ActionError's: each is scanned where made
    ("hf_action/app/cli.py", "exc.title"): set,
}


def _norm(title: str) -> str:
    return re.sub(r"\{[^}]*\}|<[^>]*>", ANY, title)


def _text(node: ast.expr | None, consts: dict[str, str]) -> str | None:
    """A title's text: a literal, an f-string (its fields as …), a module constant; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = [v.value if isinstance(v, ast.Constant) else ANY for v in node.values]
        return "".join(str(p) for p in parts)
    if isinstance(node, ast.Name) and node.id in consts:
        return consts[node.id]
    return None


def _sites() -> Iterator[tuple[str, str, str | None, str]]:
    """(module, what prints it, its title or None, the title's expression) for every error made
    and every error or warning annotation written."""
    for path in sorted((ROOT / "hf_action").rglob("*.py")):
        module = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        consts = {
            t.id: n.value.value
            for n in tree.body
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
            for t in n.targets
            if isinstance(t, ast.Name) and isinstance(n.value.value, str)
        }
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            func = call.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            keywords = {k.arg: k.value for k in call.keywords}
            if name in DEFAULT_TITLES:
                yield module, name, DEFAULT_TITLES[name], name
            elif name in ("ActionError", "CardError", "BuildFailed"):
                node = keywords.get("title")
                if node is None and name == "BuildFailed":  # `Space <stage>`
                    stage = _text(call.args[1], consts)
                    yield module, name, f"Space {stage}" if stage else None, "<stage>"
                else:
                    yield module, name, _text(node, consts), ast.unparse(node) if node else ""
            elif isinstance(func, ast.Attribute) and name in ("error", "warning"):
                node = keywords.get("title") or (call.args[1] if len(call.args) > 1 else None)
                yield (
                    module,
                    f"runner.{name}",
                    _text(node, consts),
                    ast.unparse(node) if node else "",
                )


def code_titles() -> set[str]:
    titles: set[str] = set()
    for module, _, title, expr in _sites():
        titles |= {title} if title is not None else COMPUTED[(module, expr)]()
    return {_norm(t) for t in titles}


def doc_titles() -> dict[str, str]:
    """The title table: `| **<title>** | what it means and the fix |`, by normalised title."""
    text = TROUBLESHOOTING.read_text(encoding="utf-8")
    table = text[text.index("## Every error and warning by title") :]
    return {_norm(t): row for t, row in re.findall(r"^\| \*\*(.+?)\*\* \| (.+) \|$", table, re.M)}


def test_every_error_and_warning_has_a_title():
    """An annotation without a title has nothing to look up; a title the scan cannot read must
    be listed (COMPUTED) by the code that computes it."""
    untitled = [(m, what) for m, what, title, expr in _sites() if title is None and not expr]
    assert untitled == []
    unread = {(m, expr) for m, _, title, expr in _sites() if title is None and expr}
    assert unread <= set(COMPUTED), unread - set(COMPUTED)


def test_every_title_the_code_prints_has_its_entry():
    missing = sorted(code_titles() - set(doc_titles()))
    assert missing == [], f"no entry in docs/troubleshooting.md's title table: {missing}"


def test_the_title_table_lists_only_titles_the_code_prints():
    stale = sorted(set(doc_titles()) - code_titles())
    assert stale == [], f"titles no code prints: {stale}"


def test_each_entry_says_what_to_do():
    """A row is more than its title: it says what happened and the fix (or links the section)."""
    thin = [t for t, row in doc_titles().items() if len(row.split()) < 8 and "](#" not in row]
    assert thin == []
