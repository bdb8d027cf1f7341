"""Every workflow of the README and docs/ as the runner would run its hf-deploy steps: the blocks
parsed, GitHub's expressions (`${{ }}` and `if:`) evaluated over the contexts a test gives (secrets,
inputs, the event, matrix values, earlier steps' outputs and outcome), each step of this action run
against hubsim with its `with:` and the defaults the runner fills in (`${{ github.token }}`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from tests.action_runner import ROOT, ActionResult

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
USES = "org/hf-deploy@"


@dataclass(frozen=True)
class Recipe:
    page: str
    name: str  # the workflow's name, with "(2)", "(3)" for a name the page already used
    workflow: dict[str, Any]

    @property
    def on(self) -> dict[str, Any]:
        on = self.workflow.get("on", self.workflow.get(True))  # YAML 1.1 reads `on` as True
        return on if isinstance(on, dict) else {on: None}

    @property
    def id(self) -> str:
        return f"{self.page}:{self.name}"


def recipes() -> list[Recipe]:
    """Every workflow (a yaml block with `jobs:`) of the README and docs/, in page order."""
    found = []
    for page in PAGES:
        text, seen = page.read_text(encoding="utf-8"), []
        for block in re.findall(r"^```ya?ml[^\n]*\n(.*?)^```", text, flags=re.M | re.S):
            if re.search(r"^jobs:", block, flags=re.M):
                workflow = yaml.safe_load(block)
                seen.append(workflow["name"])
                n = seen.count(workflow["name"])
                name = workflow["name"] + (f" ({n})" if n > 1 else "")
                found.append(Recipe(page.relative_to(ROOT).as_posix(), name, workflow))
    return found


def action_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(USES)]


# --- GitHub's expressions -------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>\|\||&&|==|!=|!|\(|\))"
    r"|(?P<name>[A-Za-z_][\w\-]*(?:\.[A-Za-z_][\w\-]*)*(?:\(\))?))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m and m.end() > pos, f"cannot read the expression {text!r} at {text[pos:]!r}"
        kind = m.lastgroup or ""
        out.append((kind, m[kind]))
        pos = m.end()
    return out


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", 0)


def _same(a: Any, b: Any) -> bool:
    """GitHub compares strings without case; the recipes compare strings and booleans only."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return str("" if a is None else a).lower() == str("" if b is None else b).lower()


class _Parser:
    """or := and ('||' and)*; and := cmp ('&&' cmp)*; cmp := unary (('=='|'!=') unary)?;
    unary := '!' unary | '(' or ')' | literal | context.path | function()"""

    def __init__(self, text: str, contexts: dict[str, Any]) -> None:
        self.tokens, self.pos, self.contexts = _tokens(text), 0, contexts

    def parse(self) -> Any:
        value = self._or()
        assert self.pos == len(self.tokens), f"unread: {self.tokens[self.pos :]}"
        return value

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def _or(self) -> Any:
        value = self._and()
        while self._peek() == "||":
            self.pos += 1
            right = self._and()
            value = value if _truthy(value) else right
        return value

    def _and(self) -> Any:
        value = self._cmp()
        while self._peek() == "&&":
            self.pos += 1
            right = self._cmp()
            value = right if _truthy(value) else value
        return value

    def _cmp(self) -> Any:
        value = self._unary()
        if self._peek() in ("==", "!="):
            op = self.tokens[self.pos][1]
            self.pos += 1
            same = _same(value, self._unary())
            return same if op == "==" else not same
        return value

    def _unary(self) -> Any:
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if text == "!":
            return not _truthy(self._unary())
        if text == "(":
            value = self._or()
            assert self._peek() == ")", "unclosed ("
            self.pos += 1
            return value
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text)
        return self._name(text)

    def _name(self, text: str) -> Any:
        literals = {"true": True, "false": False, "null": None}
        if text in literals:
            return literals[text]
        if text.endswith("()"):
            return self.contexts["functions"][text[:-2]]()
        value: Any = self.contexts
        for part in text.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value


def evaluate(expression: str, contexts: dict[str, Any]) -> Any:
    return _Parser(expression, contexts).parse()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def substitute(value: Any, contexts: dict[str, Any]) -> str:
    """A `with:` value as the runner passes it: every `${{ }}` replaced by its value, as text."""
    if not isinstance(value, str):
        return _text(value)
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: _text(evaluate(m[1], contexts)), value)


def condition(text: str | bool | None, contexts: dict[str, Any]) -> bool:
    """An `if:` as the runner reads it: bare or in `${{ }}`, `success()` when none is given, and
    `success()` added when the condition calls none of the status functions."""
    if text is None:
        return _truthy(contexts["functions"]["success"]())
    expression = str(text).strip()
    expression = expression[3:-2] if expression.startswith("${{") else expression
    if not re.search(r"\b(success|failure|always|cancelled)\(\)", expression):
        expression = f"success() && ({expression})"
    return _truthy(evaluate(expression, contexts))


# --- running a job --------------------------------------------------------------------------------


@dataclass
class JobRun:
    """What the runner would have done with one job: each hf-deploy step's result, by step id or
    position, and which steps it skipped."""

    results: dict[str, ActionResult] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    ran: bool = True

    @property
    def failed(self) -> bool:
        return any(r.returncode != 0 for r in self.results.values())


RunStep = Callable[[str, dict[str, str]], ActionResult]  # (step id, its inputs)


def run_job(job: dict[str, Any], contexts: dict[str, Any], run_step: RunStep) -> JobRun:
    """Runs the job's hf-deploy steps in order, each when its `if:` holds, with its inputs."""
    done = JobRun()
    steps: dict[str, Any] = {}
    contexts = {
        **contexts, "steps": steps,
        "functions": {"success": lambda: not done.failed, "failure": lambda: done.failed,
                      "always": lambda: True, "cancelled": lambda: False},
    }  # fmt: skip
    if "if" in job and not condition(job["if"], contexts):
        done.ran = False
        return done
    for n, step in enumerate(action_steps(job)):
        key = step.get("id") or step.get("name") or str(n)
        if not condition(step.get("if"), contexts):
            done.skipped.append(key)
            continue
        inputs = {name: substitute(v, contexts) for name, v in (step.get("with") or {}).items()}
        for name, spec in ACTION["inputs"].items():  # the runner evaluates the defaults it can
            default = str(spec.get("default", ""))
            if name not in inputs and "${{" in default:
                inputs[name] = substitute(default, contexts)
        result = run_step(key, inputs)
        done.results[key] = result
        steps[key] = {"outputs": result.outputs,
                      "outcome": "success" if result.returncode == 0 else "failure"}  # fmt: skip
    return done


def dispatch_inputs(recipe: Recipe, **given: Any) -> dict[str, Any]:
    """A workflow_dispatch's `inputs` context: each declared input's default, then `given`."""
    declared = ((recipe.on.get("workflow_dispatch") or {}).get("inputs")) or {}
    return {**{name: spec.get("default") for name, spec in declared.items()}, **given}


def placeholder_owner(space: str) -> str:
    """The docs' owners as hubsim's: `my-name` the token's user, `my-org` an org it writes to."""
    return re.sub(r"^my-name/", "user/", re.sub(r"^my-org/", "acme/", space))
