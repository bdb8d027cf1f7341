"""Front matter merging keeps the user's card: comments, order, quoting, line endings."""

from __future__ import annotations

import jsonschema  # dev lock only (check-jsonschema needs it): the reference the card check is held to
import pytest
import yaml

from hf_action.errors import CardError
from hf_action.local.card import CARD_RULES, detect_sdk, merge_card, parse_card


def front(text: str) -> dict:
    return yaml.safe_load(text.replace("\r\n", "\n").split("---\n")[1])


def test_only_the_needed_keys_change_and_comments_survive():
    text = "---\ntitle: Demo # shown on the Hub\n# colours\ncolorFrom: red\nsdk: gradio # the SDK\n---\n\n# Body\n"
    out = merge_card(text, {"sdk": "docker", "app_port": 8000}, title="x")
    assert "title: Demo # shown on the Hub" in out and "# colours" in out
    assert "sdk: docker # the SDK" in out and out.endswith("\n# Body\n")
    assert front(out) == {"title": "Demo", "colorFrom": "red", "sdk": "docker", "app_port": 8000}


def test_unchanged_card_is_returned_as_is():
    text = "---\nsdk: gradio\n---\nhello\n"
    assert merge_card(text, {"sdk": "gradio"}, title="x") is text


def test_quoted_keys_are_edited_not_duplicated():
    out = merge_card('---\n"sdk": gradio\n---\n', {"sdk": "static"}, title="x")
    assert out.count("sdk") == 1 and front(out) == {"sdk": "static"}


def test_crlf_cards_stay_crlf():
    out = merge_card(
        "---\r\ntitle: T\r\nsdk: gradio\r\n---\r\nbody\r\n", {"sdk": "docker"}, title="x"
    )
    assert "\n" not in out.replace("\r\n", "")
    assert front(out)["sdk"] == "docker"


def test_multi_line_values_fall_back_to_a_clean_dump():
    text = "---\ntags:\n  - a\n  - b\nsdk: gradio\n---\n"
    out = merge_card(text, {"sdk": "streamlit", "tags": ["c"]}, title="x")
    assert front(out) == {"tags": ["c"], "sdk": "streamlit"}


def test_readme_without_front_matter_gets_one_and_keeps_its_text():
    out = merge_card("# My app\n", {"sdk": "static"}, title="x")
    assert front(out) == {"sdk": "static"} and out.endswith("# My app\n")


def test_no_readme_gets_a_generated_card():
    out = merge_card(None, {"sdk": "docker", "app_port": 8000}, title="api")
    assert front(out)["title"] == "api" and front(out)["app_port"] == 8000


@pytest.mark.parametrize(
    "text,message",
    [
        ("---\nsdk: [x\n---\n", "not valid YAML"),
        ("---\n- a\n---\n", "not a mapping"),
        ("---\nsdk: flask\n---\n", "invalid 'sdk'"),
        ("---\napp_port: 99999\n---\n", "invalid 'app_port'"),
    ],
)
def test_invalid_front_matter_is_refused(text, message):
    with pytest.raises(CardError) as info:
        parse_card(text)
    assert message in info.value.message


def test_sdk_detection(tmp_path):
    assert detect_sdk(tmp_path) is None
    (tmp_path / "index.html").write_text("<h1>hi</h1>")
    assert detect_sdk(tmp_path) == "static"
    (tmp_path / "requirements.txt").write_text("gradio==5\n")
    assert detect_sdk(tmp_path) == "gradio"
    (tmp_path / "app.py").write_text("import streamlit as st\n")
    assert detect_sdk(tmp_path) == "streamlit"
    (tmp_path / "Dockerfile").write_text("FROM python\n")
    assert detect_sdk(tmp_path) == "docker"


# Values YAML can give a key: every JSON type, edge numbers, the SDKs and near misses.
CARD_VALUES = [
    None, True, False, 0, 1, -1, 8.0, 8.5, 65535, 65536, 10**400, float("inf"), "", "x", "80",
    "gradio", "Gradio", "docker", [], ["a"], {}, {"a": 1},
]  # fmt: skip


@pytest.mark.parametrize("key", [*CARD_RULES, "colorFrom"])
def test_card_check_agrees_with_jsonschema(key):
    """The card check reads CARD_RULES itself (no jsonschema at run time): it must refuse exactly what
    jsonschema refuses, with jsonschema's words."""
    validator = jsonschema.Draft202012Validator({"type": "object", "properties": CARD_RULES})
    for value in CARD_VALUES:
        expected = [e.message for e in validator.iter_errors({key: value})]
        text = "---\n" + yaml.safe_dump({key: value}) + "---\n"
        if not expected:
            assert parse_card(text).front_matter == {key: value}
            continue
        with pytest.raises(CardError) as info:
            parse_card(text)
        assert info.value.message.endswith(f"invalid '{key}': {expected[0]}."), (value, expected)
