"""`bash scripts/demo` as a contributor runs it: the deploy succeeds against hubsim and the outputs
table it prints keeps every value in one column, whatever the longest output name."""

from __future__ import annotations

import os
import re
import subprocess

import yaml

from tests.action_runner import ROOT


def test_demo_deploys_and_aligns_every_output_row():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "GITHUB_", "INPUT_"))}
    proc = subprocess.run(
        ["bash", "scripts/demo", "examples/static-site"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = proc.stdout.split("==> outputs", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    names = list(yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["outputs"])
    rows = [re.match(r"  (\S+)( +)(.*)$|  (\S+)$", row) for row in table]
    assert [m[1] or m[4] for m in rows if m] == names  # every output, in order, one row each
    column = 2 + max(map(len, names)) + 2
    for row in table:
        assert row == row.rstrip()
        value = row[column:]
        if value:  # a value, or a continuation line of a multi-line one, starts at the column
            assert row[column - 1] == " " and value[0] != " ", row
    assert "  changed-files" in proc.stdout and " " * column + "index.html" in table
