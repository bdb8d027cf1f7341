"""The shape of hf_action/ that docs/architecture.md describes, checked so it cannot rot: short functions,
no import cycle, one errors module. (The layers themselves: `lint-imports`, run by scripts/test.)"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import hf_action

PACKAGE = Path(hf_action.__file__).parent
MAX_FUNCTION_LINES = 60


def _sources() -> dict[str, ast.Module]:
    """Module name -> parsed source, for every module of the package."""
    trees = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        trees[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return trees


def test_no_function_is_longer_than_60_lines():
    long = []
    for module, tree in _sources().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                length = node.end_lineno - first + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{module}.{node.name}: {length} lines")
    assert not long, "split these functions (docs/architecture.md): " + "; ".join(long)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The package's modules that `module` imports at run time, at any depth of its code."""
    found: set[str] = set()
    package = module if module in known and _is_package(module) else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in known and name != module}


def _is_package(module: str) -> bool:
    return (PACKAGE.parent / module.replace(".", "/") / "__init__.py").exists()


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_import_cycle_in_the_package():
    trees = _sources()
    known = set(trees)
    # A package's __init__ is not an edge of a cycle through its children: leave packages out.
    graph = {
        m: {i for i in _imports(m, t, known) if not _is_package(i)}
        for m, t in trees.items()
        if not _is_package(m)
    }
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_exceptions_are_defined_only_in_errors_py():
    elsewhere = []
    for info in pkgutil.walk_packages(hf_action.__path__, "hf_action."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == info.name
                and info.name != "hf_action.errors"
            ):
                elsewhere.append(f"{info.name}.{name}")
    assert not elsewhere, "define exceptions in hf_action/errors.py: " + ", ".join(elsewhere)


def test_every_module_has_its_line_in_docs_architecture():
    """docs/architecture.md says each module's job: a new module needs its line there."""
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [
        path.relative_to(PACKAGE.parent).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "__init__.py" or path.parent == PACKAGE
        if f"`{path.relative_to(PACKAGE.parent).as_posix()}`" not in page
    ]
    assert not missing, "add a line to docs/architecture.md for: " + ", ".join(missing)


# Imports inside functions, for the two reasons docs/architecture.md gives: huggingface_hub reads
# HF_ENDPOINT when imported, and a run that stops before the Hub should not load what it does not use.
LAZY_LIBRARIES = {"huggingface_hub", "github", "httpx2", "hf_xet", "pathspec"}
NO_OP_PATH = {
    "hf_action.app.action",
    "hf_action.app.deploy",  # the build wait, secrets and variables: not for a no-op
    "hf_action.app.plan_log",  # secrets and variables: not for a no-op
    "hf_action.app.record",  # the plan: not for a run that stops before the Hub
    # The PR comment, the Deployment and the newer-run check: PyGithub, not for a push.
    "hf_action.app.newer_run",
    "hf_action.app.pr_comment",
    "hf_action.app.run_deployment",
    "hf_action.hub.keyless",
}  # imported by every run, even a no-op


def test_imports_inside_functions_only_for_start_up_cost():
    stray = []
    for module, tree in _sources().items():
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module or ""]
                else:
                    continue
                for name in names:
                    library = name.split(".")[0]
                    ours = library == "hf_action" and module in NO_OP_PATH
                    if library not in LAZY_LIBRARIES and not ours:
                        stray.append(f"{module}.{func.name} imports {name}")
    assert not stray, "import these at the top of the module: " + "; ".join(stray)


def test_hub_steps_are_named_with_hub_step_not_explain():
    """docs/architecture.md: a Hub failure inside a step becomes one ActionError through the
    `hub_step(...)` context manager (hub/client.py); `explain` is its helper, called nowhere else."""
    direct = []
    for module, tree in _sources().items():
        if module == "hf_action.hub.client":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and any(a.name == "explain" for a in node.names):
                direct.append(f"{module} imports explain (line {node.lineno})")
    assert not direct, "use `with hub_step(action, space_id):` instead: " + "; ".join(direct)


def _stem(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


def test_no_two_modules_differ_only_by_a_plural():
    """`preview.py` beside `app/previews.py` is one name for two jobs: a reader opens the wrong one."""
    by_stem: dict[str, list[str]] = {}
    for module in _sources():
        leaf = module.rpartition(".")[2]
        by_stem.setdefault(_stem(leaf), []).append(module)
    alike = [sorted(m) for m in by_stem.values() if len({x.rpartition(".")[2] for x in m}) > 1]
    assert not alike, f"rename one of each: {alike}"


def test_no_two_classes_share_a_name():
    seen: dict[str, list[str]] = {}
    for module, tree in _sources().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                seen.setdefault(node.name, []).append(module)
    twice = {name: where for name, where in seen.items() if len(where) > 1}
    assert not twice, f"one name, two classes: {twice}"


def test_no_function_is_named_only_run():
    """A function says what it runs (`run_action`, `deploy_space`): eight `run`s read alike."""
    bare = [
        f"{module}.{node.name} (line {node.lineno})"
        for module, tree in _sources().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "run"
    ]
    assert not bare, "name what it runs: " + "; ".join(bare)


def test_every_type_ignore_says_why_on_its_line():
    """`mypy --strict` runs in scripts/test; a silenced error names its code and the reason."""
    bare = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "# type: ignore" in line:
                after = line.split("# type: ignore", 1)[1]
                if not after.startswith("[") or "#" not in after.split("]", 1)[1]:
                    bare.append(f"{path.relative_to(PACKAGE.parent)}:{n}")
    assert not bare, "give the error code and a reason: " + "; ".join(bare)


def test_the_outcome_is_made_and_changed_only_in_app_record():
    """`Outcome` is frozen, so no step edits it (mypy --strict and the dataclass both refuse); a
    new one, or a changed copy (`dataclasses.replace`), is made only in app/record.py, from what
    the steps returned."""
    elsewhere = []
    for module, tree in _sources().items():
        if module == "hf_action.app.record":
            continue
        holds_outcome = any(
            isinstance(node, ast.ImportFrom) and any(a.name == "Outcome" for a in node.names)
            for node in ast.walk(tree)
        )  # a copy of another dataclass (hub/watch.py's facts) is no business of this test
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name):
                name = func.id  # Outcome(...), or dataclasses' replace(...) imported by name
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                name = f"{func.value.id}.{func.attr}"  # (a str's .replace is no such call)
            else:
                continue
            copies = name in ("replace", "dataclasses.replace") and holds_outcome
            if copies or name in ("Outcome", "outcome.Outcome"):
                elsewhere.append(f"{module}:{node.lineno} {name}(...)")
    assert not elsewhere, "assemble the outcome in app/record.py: " + "; ".join(elsewhere)
    from hf_action.outcome import Outcome

    assert Outcome.__dataclass_params__.frozen  # type: ignore[attr-defined]
