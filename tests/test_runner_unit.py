"""Everything the action prints goes through `Runner`: the workflow-command protocol, escaping, and
text we do not control made inert. In-process (the mutation run uses these)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from hf_action.github.context import GitHubContext
from hf_action.github.runner import Runner, neutralize


def make(*, github: bool = True, env: dict | None = None) -> tuple[Runner, io.StringIO]:
    """A runner writing to a string; `env`: the runner's variables naming its files."""
    out, job = io.StringIO(), GitHubContext.from_env(env or {})
    runner = Runner(
        github=github, stream=out, output_file=job.output_file, summary_file=job.summary_file
    )
    return runner, out


def test_annotations_escape_data_and_properties():
    r, out = make()
    r.error("50% done\r\nnext", title="a:b, c%\nd")
    r.warning("w")
    r.notice("n", title="t")
    assert out.getvalue().splitlines() == [
        "::error title=a%3Ab%2C c%25%0Ad::50%25 done%0D%0Anext",
        "::warning::w",
        "::notice title=t::n",
    ]


def test_outside_github_annotations_are_plain_and_errors_go_to_stderr(capsys):
    r, out = make(github=False)
    r.error("bad", title="ignored")
    r.warning("careful")
    r.notice("fyi")
    assert out.getvalue() == "warning: careful\nnotice: fyi\n"
    assert capsys.readouterr().err == "error: bad\n"


def test_info_prints_each_line_and_an_empty_one():
    r, out = make()
    r.info("one\ntwo")
    r.info()
    r.info("")
    assert out.getvalue() == "one\ntwo\n\n\n"


@pytest.mark.parametrize(
    "line,safe",
    [
        ("::error::x", ":\u200b:error::x"),
        ("   ::warning::x", "   :\u200b:warning::x"),
        ("a ::error::x", "a ::error::x"),
        ("##[error]x", "#\u200b#[error]x"),
        ("text ##[group]x", "text #\u200b#[group]x"),
        ("# heading", "# heading"),
        (":single", ":single"),
    ],
)
def test_neutralize(line, safe):
    assert neutralize(line) == safe


def test_printed_text_cannot_start_a_command():
    r, out = make()
    r.info("::add-mask::x\n##[error]y")
    assert out.getvalue() == ":\u200b:add-mask::x\n#\u200b#[error]y\n"


def test_groups_do_not_nest_and_close_once():
    r, out = make()
    with r.group("outer"), r.group("inner"):
        r.info("x")
    with r.group("again"):
        pass
    assert out.getvalue().splitlines() == [
        "::group::outer",
        "x",
        "::endgroup::",
        "::group::again",
        "::endgroup::",
    ]


def test_groups_outside_github():
    r, out = make(github=False)
    with r.group("title"):
        r.info("x")
    assert out.getvalue() == "== title\nx\n"


def test_a_group_closes_when_its_body_fails():
    r, out = make()
    with pytest.raises(RuntimeError), r.group("g"):
        raise RuntimeError
    with r.group("next"):
        pass
    assert out.getvalue().count("::endgroup::") == 2 and "::group::next" in out.getvalue()


def test_untrusted_text_is_printed_with_commands_stopped():
    r, out = make()
    r.untrusted_block("::error::forged\nline")
    lines = out.getvalue().splitlines()
    token = re.fullmatch(r"::stop-commands::([0-9a-f]{32})", lines[0]).group(1)
    assert lines[1:] == ["│ ::error::forged", "│ line", f"::{token}::"]
    r2, out2 = make()
    r2.untrusted_block("a")
    assert out2.getvalue().splitlines()[0] != lines[0]  # a fresh token each time


def test_untrusted_text_outside_github_is_printed_without_escape_sequences():
    r, out = make(github=False)
    r.untrusted_block("a\x1b[2J\x1b]0;owned\x07\nb\x07\x9b\tc")
    assert out.getvalue() == "│ a\n│ b\tc\n"


# actions/setup-python's matcher (.github/python.json), which a job that set up Python has registered:
# the runner applies problem matchers to every line, `::stop-commands::` or not.
PYTHON_MATCHER = re.compile(r"^\s*File\s\"(.*)\",\sline\s(\d+),\sin\s(.*)$")


def test_a_traceback_in_a_relayed_log_matches_no_problem_matcher():
    traceback = 'Traceback (most recent call last):\n  File "/app/app.py", line 3, in <module>\n'
    assert PYTHON_MATCHER.match(traceback.splitlines()[1])  # the matcher takes the raw line
    for github in (True, False):
        r, out = make(github=github)
        r.untrusted_block(traceback)
        assert not any(PYTHON_MATCHER.match(line) for line in out.getvalue().splitlines())


def test_a_group_title_is_one_line_that_cannot_start_a_command():
    r, out = make()
    with r.group("Smoke check: GET https://x\n::error::forged\x1b[31m"):
        pass
    assert out.getvalue().splitlines() == [
        "::group::Smoke check: GET https://x ::error::forged",
        "::endgroup::",
    ]
    r, out = make(github=False)
    with r.group("title\x1b[2J\rline"):
        pass
    assert out.getvalue() == "== title line\n"


def test_plain_mode_prints_no_escape_sequence_of_a_message():
    r, out = make(github=False)
    r.info("the Hub said: \x1b[2Jgone\x07")
    r.warning("app: \x1b]0;title\x07x")
    r.set_output("app-url", "https://x\x1b[2J.hf.space")
    r.set_output("changed-files", "a\x1b[1m\nb")
    assert out.getvalue() == (
        "the Hub said: gone\nwarning: app: x\napp-url=https://x.hf.space\n"
        "changed-files<<EOF\na\nb\nEOF\n"
    )


def test_outputs_use_a_random_delimiter(tmp_path: Path):
    path = tmp_path / "out"
    r, out = make(env={"GITHUB_OUTPUT": str(path)})
    r.set_output("one", "value")
    r.set_output("two", "a\nb")
    lines = path.read_text().splitlines()
    assert re.fullmatch(r"one<<ghadelimiter_[0-9a-f]{24}", lines[0])
    delim = lines[0].split("<<")[1]
    assert lines[1:3] == ["value", delim] and lines[3] == f"two<<{lines[3].split('<<')[1]}"
    assert lines[4:6] == ["a", "b"] and lines[3].split("<<")[1] != delim
    assert out.getvalue() == ""


def test_outputs_outside_github_are_printed():
    r, out = make(github=False)
    r.set_output("one", "value")
    r.set_output("two", "a\nb")
    assert out.getvalue() == "one=value\ntwo<<EOF\na\nb\nEOF\n"


def test_without_an_output_file_github_mode_prints_nothing():
    r, out = make(env={"GITHUB_OUTPUT": ""})
    r.set_output("one", "value")
    assert out.getvalue() == ""


def test_summary_appends_markdown(tmp_path: Path):
    path = tmp_path / "summary"
    r, _ = make(env={"GITHUB_STEP_SUMMARY": str(path)})
    r.add_summary("# one")
    r.add_summary("two")
    assert path.read_text() == "# one\ntwo\n"
    make()[0].add_summary("nowhere")  # no file: nothing to do, no error


def test_scrub_replaces_the_longest_value_first_whatever_their_order():
    r, _ = make()
    r.mask("b-1234")
    r.mask("a-b-1234-x")
    assert r.scrub("key a-b-1234-x and b-1234") == "key *** and ***"


def test_lines_of_a_multiline_secret_are_scrubbed_from_four_characters():
    r, _ = make()
    r.mask("abcd\nxyz\nlong-line")
    assert r.scrub("abcd xyz long-line") == "*** xyz ***"


def test_a_value_whose_first_part_is_known_still_registers_its_other_lines():
    r, out = make()
    r.mask("line-one")
    r.mask("line-one\nline-two")
    assert out.getvalue() == "::add-mask::line-one\n::add-mask::line-two\n"
    assert r.scrub("x line-two") == "x ***"
