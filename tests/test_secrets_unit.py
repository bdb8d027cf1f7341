"""Secrets and variables blocks, their masking, and reconciling them with the Space, in-process.

The end-to-end tests prove the promises through the entrypoint; these pin each rule (the mutation run
uses them)."""

from __future__ import annotations

import io

import pytest

from hf_action.envblock import (
    MAX_VALUE,
    MIN_MASKED,
    maskable_parts,
    parse_env_block,
    short_keys,
    values_to_mask,
)
from hf_action.errors import EnvFormatError
from hf_action.github.runner import Runner
from hf_action.hub.variables import (
    EnvPlan,
    apply_env,
    describe_keys,
    fingerprint,
    plan_env,
)

# --- the block format -------------------------------------------------------------------------------


def test_key_value_lines_comments_blanks_and_quotes():
    block = (
        '# a comment\n\n  A=1  \nB = two words \nC="quoted  "\nD=\'single\'\nE="\nF=a=b\nG="x\'\n'
    )
    assert parse_env_block(block, kind="secret") == {
        "A": "1",
        "B": "two words",
        "C": "quoted  ",
        "D": "single",
        "E": '"',
        "F": "a=b",
        "G": "\"x'",
    }


def test_heredoc_values_keep_their_lines_and_crlf_is_normalised():
    block = "PEM<<EOF\r\n  line one\r\nline two\r\nEOF\r\nNEXT = x\r\nEMPTY << END\nEND\n"
    assert parse_env_block(block, kind="secret") == {
        "PEM": "  line one\nline two",
        "NEXT": "x",
        "EMPTY": "",
    }


def test_a_heredoc_delimiter_may_be_indented_and_hold_dashes():
    assert parse_env_block("K<<my-END_1\nv\n  my-END_1  \n", kind="secret") == {"K": "v"}


@pytest.mark.parametrize("text", [None, "", "\n# only a comment\n"])
def test_empty_blocks(text):
    assert parse_env_block(text, kind="secret") == {}


@pytest.mark.parametrize(
    "block,message",
    [
        ("A=1\njust text\n", "line 2 of secrets is not KEY=VALUE or KEY<<DELIMITER (write one secret per line)"),
        ("PEM<<EOF\nvalue\n", "secret 'PEM' opens '<<EOF' but no line 'EOF' closes it"),
        ("9BAD<<EOF\nvalue\n", "secret '<invalid name>' opens '<<EOF' but no line 'EOF' closes it"),
        ("A=1\nA=2\n", "secret 'A' is given twice"),
        ("=value\n", "a secret has an empty name"),
        ("1A=x\n", "secret name '1A' is invalid: use letters, digits and '_', not starting with a digit"),
        ("A-B=x\n", "secret name 'A-B' is invalid: use letters, digits and '_', not starting with a digit"),
        ("K" * 129 + "=x\n", f"secret name '{'K' * 40}' is invalid: use letters, digits and '_', not starting with a digit"),
    ],
)  # fmt: skip
def test_malformed_blocks_are_refused_without_their_values(block, message):
    with pytest.raises(EnvFormatError) as err:
        parse_env_block(block, kind="secret")
    assert str(err.value) == message


def test_names_of_128_characters_and_values_of_64_kib_are_the_limits():
    assert parse_env_block("K" * 128 + "=x", kind="variable") == {"K" * 128: "x"}
    assert parse_env_block("K=" + "v" * MAX_VALUE, kind="variable")["K"] == "v" * MAX_VALUE
    with pytest.raises(EnvFormatError) as err:
        parse_env_block("K=" + "v" * (MAX_VALUE + 1), kind="variable")
    assert str(err.value) == "variable 'K' is larger than 64 KiB"
    with pytest.raises(EnvFormatError):
        parse_env_block("K=" + "é" * (MAX_VALUE // 2 + 1), kind="variable")  # bytes, not characters


def test_a_name_holding_a_newline_is_not_echoed():
    from hf_action.envblock import _check_key

    with pytest.raises(EnvFormatError) as err:
        _check_key("A\nsecret", "secret")
    assert str(err.value) == "a secret name is invalid"


# --- what is masked before validation ---------------------------------------------------------------


def test_values_to_mask_covers_a_block_that_does_not_parse():
    block = (
        "# comment=not-a-value\nAPI=sk-live-123\nQUOTED='quoted-value'\nPEM<<EOF\n  line-one  \n"
        "EOF\nafter-the-heredoc\nbare-pasted-value\nX=ab\n"
    )
    assert values_to_mask(block) == [
        "sk-live-123",
        "'quoted-value'",
        "quoted-value",
        "line-one",
        "after-the-heredoc",
        "bare-pasted-value",
    ]


def test_values_to_mask_of_an_unclosed_heredoc_and_empty_input():
    assert values_to_mask("K<<END\nfirst-line\r\nsecond-line\n") == ["first-line", "second-line"]
    assert values_to_mask(None) == [] and values_to_mask("") == []


# --- reconciling with the Space ---------------------------------------------------------------------


def test_fingerprint_is_an_hmac_of_key_and_value_keyed_by_the_token():
    # HMAC-SHA256(key=b"tok", b"K\0v"), first 32 hex digits: a golden value, not the formula again.
    assert fingerprint("tok", "K", "v") == "hf-deploy:95e0ef7702a22951c88b42fee1263b4a"
    assert fingerprint("tok", "K", "v") != fingerprint("other", "K", "v")


def test_plan_env_sets_only_what_differs():
    have_secrets = {
        "SAME": fingerprint("t", "SAME", "1"),
        "CHANGED": fingerprint("t", "CHANGED", "old"),
        "FOREIGN": None,  # set by hand: no fingerprint
    }
    plan = plan_env(
        "t",
        {"SAME": "1", "CHANGED": "new", "FOREIGN": "x", "NEW": "n"},
        {"V_SAME": "a", "V_NEW": "b"},
        have_secrets,
        {"V_SAME": "a", "V_OTHER": "z"},
    )
    assert plan == EnvPlan(("CHANGED", "FOREIGN", "NEW"), ("SAME",), ("V_NEW",), ("V_SAME",))
    assert plan.changes


def test_a_fingerprint_stored_under_another_key_does_not_count():
    plan = plan_env("t", {"A": "v"}, {}, {"B": fingerprint("t", "A", "v")}, {})
    assert plan.secrets_to_set == ("A",)


def test_no_changes():
    plan = plan_env("t", {"S": "v"}, {"V": "w"}, {"S": fingerprint("t", "S", "v")}, {"V": "w"})
    assert not plan.changes
    assert EnvPlan((), (), ("V",), ()).changes and EnvPlan(("S",), (), (), ()).changes


def test_apply_env_sends_values_with_their_fingerprints():
    calls = []
    plan = EnvPlan(("S",), ("KEPT",), ("V",), ("VK",))
    apply_env(
        plan,
        "t",
        {"S": "sv", "KEPT": "k"},
        {"V": "vv", "VK": "x"},
        lambda k, v, d: calls.append(("secret", k, v, d)),
        lambda k, v: calls.append(("variable", k, v)),
        lambda k: calls.append(("delete secret", k)),
        lambda k: calls.append(("delete variable", k)),
    )
    assert calls == [("secret", "S", "sv", fingerprint("t", "S", "sv")), ("variable", "V", "vv")]


def test_exact_modes_delete_the_keys_not_listed_and_merge_keeps_them():
    have_s = {"KEEP": fingerprint("t", "KEEP", "1"), "STALE": None}
    have_v = {"V_KEEP": "a", "V_STALE": "z"}
    exact = plan_env("t", {"KEEP": "1"}, {"V_KEEP": "a"}, have_s, have_v,
                     exact_secrets=True, exact_variables=True)  # fmt: skip
    assert exact.secrets_to_delete == ("STALE",) and exact.variables_to_delete == ("V_STALE",)
    assert exact.secrets_to_set == () and exact.changes  # a deletion alone is a change
    merged = plan_env("t", {"KEEP": "1"}, {"V_KEEP": "a"}, have_s, have_v)
    assert merged.secrets_to_delete == () and merged.variables_to_delete == ()
    assert not merged.changes
    only_secrets = plan_env("t", {}, {}, have_s, have_v, exact_secrets=True)
    assert only_secrets.secrets_to_delete == ("KEEP", "STALE")  # an empty list: none kept
    assert only_secrets.variables_to_delete == ()
    assert EnvPlan((), (), (), (), (), ("V",)).changes


def test_apply_env_deletes_before_it_sets():
    """A key moved from the secrets to the variables is deleted as a secret before it is added."""
    calls = []
    apply_env(
        EnvPlan((), (), ("K",), (), ("K",), ("OLD",)),
        "t",
        {},
        {"K": "v"},
        lambda k, v, d: calls.append(("secret", k)),
        lambda k, v: calls.append(("variable", k)),
        lambda k: calls.append(("delete secret", k)),
        lambda k: calls.append(("delete variable", k)),
    )
    assert calls == [("delete secret", "K"), ("delete variable", "OLD"), ("variable", "K")]


def test_describe_keys():
    assert describe_keys(["B", "A"]) == "A, B" and describe_keys([]) == "none"


# --- masking in the runner --------------------------------------------------------------------------


def runner(*, github: bool = True) -> tuple[Runner, io.StringIO]:
    out = io.StringIO()
    return Runner(github=github, stream=out), out


def test_mask_registers_each_line_once_with_the_runner():
    r, out = runner()
    r.mask("line-one\n\n  \nline-two")
    r.mask("line-one\n\n  \nline-two")
    r.mask("")
    r.mask(None)
    assert out.getvalue() == "::add-mask::line-one\n::add-mask::line-two\n"


def test_mask_escapes_what_the_runner_would_read_as_a_command():
    r, out = runner()
    r.mask("50%-off")
    assert out.getvalue() == "::add-mask::50%25-off\n"


def test_outside_github_nothing_is_announced_but_text_is_scrubbed():
    r, out = runner(github=False)
    r.mask("sk-live-secret")
    assert out.getvalue() == ""
    assert r.scrub("key sk-live-secret!") == "key ***!"


def test_scrub_prefers_the_longest_value_and_each_line_of_multiline_ones():
    r, _ = runner()
    r.mask("abcd")
    r.mask("abcdefgh")
    r.mask("first-line\nsecond-line\nxy")
    assert r.scrub("abcdefgh abcd") == "*** ***"
    assert r.scrub("log: second-line, first-line") == "log: ***, ***"
    assert r.scrub("first-line\nsecond-line\nxy") == "***"


def test_every_way_out_is_scrubbed(tmp_path):
    outputs, summary = tmp_path / "out", tmp_path / "summary"
    out = io.StringIO()
    r = Runner(github=True, stream=out, output_file=str(outputs), summary_file=str(summary))
    r.mask("sk-live-secret")
    r.info("info sk-live-secret")
    r.warning("warn sk-live-secret", title="t sk-live-secret")
    r.error("err sk-live-secret")
    r.notice("note sk-live-secret")
    with r.group("group sk-live-secret"):
        r.untrusted_block("log sk-live-secret")
    r.set_output("o", "out sk-live-secret")
    r.add_summary("sum sk-live-secret")
    printed = out.getvalue().replace("::add-mask::sk-live-secret", "")
    assert "sk-live-secret" not in printed + outputs.read_text() + summary.read_text()
    assert printed.count("***") == 7


def test_only_a_matching_pair_of_quotes_is_removed():
    block = 'E=""\nONE="a"\nX=XabcX\nHALF="abc\nMIXED="abc\'\n'
    assert parse_env_block(block, kind="secret") == {
        "E": "",
        "ONE": "a",
        "X": "XabcX",
        "HALF": '"abc',
        "MIXED": "\"abc'",
    }


def test_a_key_at_the_length_limit_is_named_in_the_error():
    key = "K" * 128
    with pytest.raises(EnvFormatError) as err:
        parse_env_block(f"{key}<<EOF\nv\n", kind="secret")
    assert str(err.value) == f"secret '{key}' opens '<<EOF' but no line 'EOF' closes it"


def test_a_key_holding_an_equals_sign_is_not_echoed():
    from hf_action.envblock import _check_key

    with pytest.raises(EnvFormatError) as err:
        _check_key("A=value", "secret")
    assert str(err.value) == "a secret name is invalid"


def test_values_to_mask_keeps_everything_after_the_first_equals_sign():
    assert values_to_mask("TOKEN=abc=def==\nX=XsecretX\n") == ["abc=def==", "XsecretX"]


# --- short values never corrupt our own text ----------------------------------------------------


def test_what_is_masked_of_a_value():
    assert MIN_MASKED == 4
    assert maskable_parts("abcd") == ["abcd"] and maskable_parts(" abc ") == []
    assert maskable_parts("") == [] and maskable_parts("1") == []
    assert maskable_parts("  line-one \nxy\n\nline-two\nline-two") == [
        "line-one \nxy\n\nline-two\nline-two",
        "line-one",
        "line-two",
    ]
    assert maskable_parts("ab\ncd") == ["ab\ncd"]  # the whole value, not its short lines


def test_short_keys():
    values = {"ONE": "1", "ON": "on", "EMPTY": "", "BLANK": "  ", "LONG": "abcd", "PAIR": "a\nb"}
    assert short_keys(values) == ["ONE", "ON", "PAIR"]


def test_values_to_mask_leaves_out_short_strings():
    assert values_to_mask("A=1\nB=on\nC=abc\nD=abcd\nEOF\n") == ["abcd"]


def test_short_values_are_neither_announced_nor_scrubbed():
    r, out = runner()
    for value in ("1", "on", "abc", " "):
        r.mask(value)
    assert out.getvalue() == ""
    text = "Committed a1b2c3d on 127.0.0.1 in 1.0s"
    assert r.scrub(text) == text


def test_a_value_shorter_than_eight_is_scrubbed_only_where_it_stands_alone():
    r, _ = runner()
    r.mask("abcd")
    assert (
        r.scrub("sha 0abcd12 key=abcd, (abcd) abcde xabcd")
        == "sha 0abcd12 key=***, (***) abcde xabcd"
    )
    r.mask("a.b+c*d")  # regex characters are taken literally
    assert r.scrub("x a.b+c*d y aXbbcd") == "x *** y aXbbcd"


def test_a_value_of_eight_or_more_is_scrubbed_anywhere():
    r, _ = runner()
    r.mask("abcdefgh")
    assert r.scrub("Bearerabcdefgh0") == "Bearer***0"


def test_a_heredoc_body_line_with_an_equals_sign_is_masked_whole():
    assert values_to_mask("K<<EOF\nabc=defgh\nEOF\n") == ["abc=defgh"]
