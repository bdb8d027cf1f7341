"""The small text helpers the log, the step summary and the PR comment share (hf_action/text.py)."""

from __future__ import annotations

import pytest

from hf_action.text import counted


@pytest.mark.parametrize(
    ("n", "noun", "plural", "text"),
    [
        (0, "file", None, "0 files"),
        (1, "file", None, "1 file"),
        (2, "file", None, "2 files"),
        (1, "deletion", None, "1 deletion"),
        (3, "preview Space", None, "3 preview Spaces"),
        (1, "entry", "entries", "1 entry"),
        (2, "entry", "entries", "2 entries"),
    ],
)
def test_counted_is_singular_for_one_only(n, noun, plural, text):
    assert counted(n, noun, plural) == text
