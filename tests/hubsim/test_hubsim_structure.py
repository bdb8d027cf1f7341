"""hubsim keeps moto's rooms: route modules export their table and register nothing on import,
one module joins the tables as a literal, handlers are given the model, and the knobs are one
documented settings object."""

from __future__ import annotations

import ast
import copy
import importlib
import importlib.util
import inspect
import sys
from dataclasses import fields
from pathlib import Path

import pytest

import hubsim
from hubsim import urls
from hubsim.settings import Settings, Variants

pytestmark = pytest.mark.fake

HUBSIM = Path(hubsim.__file__).parent


def _route_modules() -> list[str]:
    """Every hubsim module that defines a module-level ``URLS`` (besides the join itself)."""
    names = []
    for path in sorted(HUBSIM.glob("*.py")):
        tree = ast.parse(path.read_text())
        targets = [
            t.id
            for node in tree.body
            if isinstance(node, ast.AnnAssign | ast.Assign)
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(t, ast.Name)
        ]
        if "URLS" in targets and path.stem != "urls":
            names.append(path.stem)
    return names


def _mutable_globals() -> dict[tuple[str, str], object]:
    """A copy of every list, dict and set held at module level by a loaded hubsim module."""
    found = {}
    for mod_name, mod in list(sys.modules.items()):
        if mod is None or not (mod_name == "hubsim" or mod_name.startswith("hubsim.")):
            continue
        for name, value in vars(mod).items():
            if isinstance(value, list | dict | set):
                found[(mod_name, name)] = copy.copy(value)
    return found


@pytest.mark.parametrize("name", _route_modules())
def test_running_a_route_module_registers_nothing(name):
    """The module's body runs again (as a first import would): no hubsim table grows."""
    importlib.import_module(f"hubsim.{name}")
    before = _mutable_globals()
    spec = importlib.util.spec_from_file_location(f"hubsim._fresh_{name}", HUBSIM / f"{name}.py")
    assert spec is not None and spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    assert _mutable_globals() == before
    assert [(m, t) for m, t, _ in fresh.URLS] == [
        (m, t) for m, t, _ in vars(sys.modules[f"hubsim.{name}"])["URLS"]
    ]


def test_the_url_table_is_a_literal_join_of_each_modules_table():
    """urls.URLS is written out: one ``*module.URLS`` per route module, each once, in one place."""
    tree = ast.parse((HUBSIM / "urls.py").read_text())
    (value,) = [
        node.value
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "URLS"
    ]
    assert isinstance(value, ast.Tuple)
    joined = []
    for item in value.elts:
        assert isinstance(item, ast.Starred) and isinstance(item.value, ast.Attribute)
        assert item.value.attr == "URLS" and isinstance(item.value.value, ast.Name)
        joined.append(item.value.value.id)
    assert sorted(joined) == sorted(set(joined)) == sorted(_route_modules())
    table = [
        (m, t, h) for name in joined for m, t, h in vars(sys.modules[f"hubsim.{name}"])["URLS"]
    ]
    assert list(urls.URLS) == table


@pytest.mark.parametrize("name", _route_modules())
def test_each_route_module_table_is_a_literal_of_its_handlers(name):
    """(method, template, handler) written out; every handler of the module is in it, given the
    model as ``hub: Hub`` (no reaching through the request)."""
    tree = ast.parse((HUBSIM / f"{name}.py").read_text())
    (value,) = [
        node.value
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "URLS"
    ]
    assert isinstance(value, ast.Tuple) and value.elts
    for row in value.elts:
        assert isinstance(row, ast.Tuple) and len(row.elts) == 3
        method, template, handler = row.elts
        assert isinstance(method, ast.Constant) and isinstance(template, ast.Constant)
        assert isinstance(handler, ast.Name)
    module = importlib.import_module(f"hubsim.{name}")
    listed = {h for _, _, h in module.URLS}
    handlers = {
        fn
        for fn in vars(module).values()
        if inspect.isfunction(fn)
        and fn.__module__ == module.__name__
        and not fn.__name__.startswith("_")
        and inspect.signature(fn).return_annotation == "Response"
    }
    assert handlers == listed
    for fn in listed:
        params = inspect.signature(fn).parameters
        assert [(p, params[p].annotation) for p in params] == [("hub", "Hub"), ("req", "Request")]
    assert "req.sim" not in (HUBSIM / f"{name}.py").read_text()


@pytest.mark.parametrize("knobs", [Settings, Variants])
def test_every_knob_is_a_documented_field(knobs):
    """A knob is added in one place: a field of Settings (or Variants) named in its docstring."""
    doc = knobs.__doc__ or ""
    assert [f.name for f in fields(knobs) if f"``{f.name}``" not in doc] == []
