"""action.yml is the one source of the interface: README.md's and docs/inputs.md's tables of inputs
and outputs are what scripts/gen-docs makes of it, so any difference in a name, a default or a
listed value between them fails here (run `bash scripts/gen-docs` to regenerate)."""

from __future__ import annotations

import copy
import importlib.util
import re

import pytest
import yaml

from tests.action_runner import ROOT

_spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
assert _spec and _spec.loader
gen_docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_docs)

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", list(gen_docs.PAGES))
def test_the_tables_are_what_action_yml_gives(page):
    current = (ROOT / page).read_text(encoding="utf-8")
    assert gen_docs.render(page, current, ACTION) == current, "run: bash scripts/gen-docs"


@pytest.mark.parametrize("page", list(gen_docs.PAGES))
def test_a_default_changed_in_action_yml_alone_makes_the_page_stale(page):
    current = (ROOT / page).read_text(encoding="utf-8")
    changed = copy.deepcopy(ACTION)
    changed["inputs"]["timeout"]["default"] = "30m"
    assert "| `timeout` | `30m` |" in gen_docs.render(page, current, changed)
    assert "| `timeout` | `30m` |" not in current


@pytest.mark.parametrize("page", list(gen_docs.PAGES))
def test_every_input_and_output_is_in_the_tables_with_its_default(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    for name, spec in ACTION["inputs"].items():
        row = re.search(rf"^\| `{re.escape(name)}` \| (.*?) \|", text, flags=re.M)
        assert row, name
        assert row[1] == (f"`{spec['default']}`" if "default" in spec else gen_docs.default(spec))
    for name in ACTION["outputs"]:
        assert re.search(rf"^\| `{re.escape(name)}` \|", text, flags=re.M), name


def test_the_descriptions_name_the_rules_users_asked_for():
    """The rules one table used to have and another not: now in action.yml, so in every table."""
    inputs = {n: " ".join(s["description"].split()) for n, s in ACTION["inputs"].items()}
    assert "at most `6h`" in inputs["timeout"]
    assert "60 to 604800, or `-1`" in inputs["sleep-time"]
    for use in ("comment", "GitHub Deployments", "newer run", "cleanup-previews"):
        assert use in inputs["github-token"], use
    assert "`hf-space/{name}` for production" in inputs["environment"]
    assert inputs["commit-message"].count("Default:") == 1
    stage = " ".join(ACTION["outputs"]["stage"]["description"].split())
    for value in ("TIMEOUT", "SUPERSEDED", "DELETED", "RUNNING", "BUILD_ERROR"):
        assert f"`{value}`" in stage, value


def test_a_summary_is_the_first_sentence_and_an_eg_does_not_end_it():
    assert gen_docs.summary("GET the URL (e.g. `/x`). Then more.") == "GET the URL (e.g. `/x`)."
    assert gen_docs.summary("Version `5.9.1` to run. More.") == "Version `5.9.1` to run."
    assert gen_docs.default({"description": "A. Default: unchanged (x). More."}) == "unchanged (x)"
    assert gen_docs.default({"description": "A.", "default": "1"}) == "`1`"
    assert gen_docs.default({"description": "A."}) == "—"
