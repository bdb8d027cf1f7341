"""The small text helpers the log, the step summary and the PR comment share (hf_action/text.py)."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from html import escape

import pytest
from markdown_it import MarkdownIt

from hf_action.app.summary import summary_markdown
from hf_action.github.runner import Runner
from hf_action.outcome import Outcome
from hf_action.text import counted, md_code
from tests.test_inert_e2e import autolinkable, rendered


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


@pytest.mark.parametrize("name", ["a`b.py", "``x``", "`", "end`", "x ``` y", "<b>`</b>"])
def test_a_code_span_holds_any_name_whole(name):
    """Whatever backticks a file name holds, the span shows exactly it and nothing after it."""
    html = MarkdownIt("commonmark").renderInline(f"{md_code(name)} after")
    assert html == f"<code>{escape(name, quote=False)}</code> after"


def test_the_summary_renders_file_names_notes_and_the_failure_as_text():
    outcome = replace(
        Outcome("deploy", "user/app", "https://huggingface.co/spaces/user/app"),
        added=["x`](https://evil.example)`.py", "# not a heading"],
        notes=["# Heading <img src=x> [l](https://evil.example)"],
        failure="Failed: ![i](https://evil.example/i.png) www.evil.example",
    )
    tags = rendered(summary_markdown(outcome))
    assert tags.images == [] and all(h.startswith("https://huggingface.co/") for h in tags.hrefs)
    assert autolinkable("".join(tags.text)) == []
    html = MarkdownIt("gfm-like", {"html": True}).render(summary_markdown(outcome))
    assert "<code>x`](https://evil.example)`.py</code>" in html
    assert html.count("<h3>") == 1 and "<h1>" not in html


def test_the_summary_scrubs_a_secret_before_it_is_made_inert():
    secret = "p<w>[x]://www.y@z"
    runner = Runner(github=True, stream=io.StringIO())
    runner.mask(secret)
    outcome = replace(
        Outcome("deploy", "user/app", "https://huggingface.co/spaces/user/app"),
        notes=[f"note {secret}"],
        failure=f"failed {secret}",
    )
    text = summary_markdown(outcome, runner.scrub)
    assert "> note ***" in text and "**failed ***" in text


def test_the_summarys_log_tail_stays_inside_its_fence():
    tail = "ok\n~~~~\n  ~~~~~~\n</details>\n<img src=x>\n# Heading\n[l](https://evil.example)\nend"
    outcome = replace(
        Outcome("deploy", "user/app", "https://huggingface.co/spaces/user/app"), log_tail=tail
    )
    html = MarkdownIt("gfm-like", {"html": True}).render(summary_markdown(outcome))
    [block] = re.findall(r"<pre><code>(.*?)</code></pre>", html, re.S)
    assert block.startswith("ok\n") and block.rstrip().endswith("end")
    assert "<img" not in html and "<h1>" not in html and "evil" not in html.replace(block, "")
