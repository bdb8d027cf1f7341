"""docs/development.md's probe section and hubsim/README's generated table say what the code
does: the costs quoted are the plan's, the commands run, the refusal quoted is printed, and the
table is what the classifier gives for the committed recordings."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from hubsim.probe import __main__ as cli
from hubsim.probe.classify import classify_dirs, production_dirs, readme_block
from hubsim.probe.plan import Timing, budget, build_plan, kinds_for

pytestmark = pytest.mark.fake

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "development.md").read_text()
SECTION = DOC.split("## Probing the real Hub", 1)[1].split("\n## ", 1)[0]


def _costs(paid: bool) -> tuple[int, int]:
    plan = build_plan(kinds_for(paid), Timing())
    return budget(plan), round(sum(p.seconds for p in plan) / 60)


def test_the_costs_quoted_are_the_plans():
    text = " ".join(SECTION.split())
    free, paid = _costs(False), _costs(True)
    assert f"at most {free[0]} requests and {free[1]} minutes" in text
    assert f"at most {paid[0]} requests and {paid[1]} minutes" in text
    assert f"never sends more than {Timing().pace()} requests in 5 minutes" in text
    assert f"polls every {Timing().poll:g} s" in text


def test_the_plan_commands_run_without_the_network_and_the_refusal_is_printed(capsys, monkeypatch):
    commands = [line for line in SECTION.splitlines() if line.startswith("python -m hubsim.probe")]
    assert len(commands) == 4
    for line in commands[:2]:
        assert cli.main(shlex.split(line)[3:]) == 0
    monkeypatch.setenv("HF_PROBE_TOKEN", "hf_" + "x" * 34)
    capsys.readouterr()
    assert cli.main(shlex.split(commands[2])[3:-1]) == 2  # without its --yes
    quoted = re.search(r"\(`(refusing to create[^`]*)`\)", " ".join(SECTION.split()))
    assert quoted and quoted.group(1) in capsys.readouterr().err


def test_the_readme_table_is_what_the_committed_recordings_give():
    dirs = production_dirs()
    block = readme_block(classify_dirs(dirs), dirs)
    readme = (ROOT / "hubsim" / "README.md").read_text()
    assert block in readme, "run: python -m hubsim.probe.classify --readme hubsim/README.md"


def test_the_committed_probe_cassettes_hold_nothing_unredacted(tmp_path):
    """Every cassette under tests/fixtures/probe passes the check a maintainer runs before
    committing one; the check itself finds what a planted cassette leaks."""
    from hubsim.probe.redact import leftovers

    for path in sorted((ROOT / "tests" / "fixtures" / "probe").glob("*/*.yaml")):
        assert leftovers(path.read_text()) == [], path
    planted = (
        "    headers:\n      Authorization:\n      - Bearer hf_abcdefghijklmnopqrstuvwxyz\n"
        "      set-cookie:\n      - '<redacted>'\n"
        '    body: \'{"value":"probe-secret-00ff"}\'\n'
    )
    assert leftovers(planted) == [
        "a token (hf_ab…)",
        "a probe secret value",
        "a authorization header value",
    ]
