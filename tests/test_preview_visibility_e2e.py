"""A preview is never more visible than its base Space (docs/previews.md#visibility), end to end on
the Hub simulator, both upload lanes: the entrypoint run on a real pull-request webhook payload.

The base's visibility is read from its info when the info states it or shows `private: true`, and
from an anonymous request for its files when `private: false` could be a protected Space: so the
protected cases run under each of hubsim's four info shapes (`ProtectedInfo`)."""

from __future__ import annotations

import re

import pytest

from hubsim import ProtectedInfo
from tests.action_runner import ROOT
from tests.conftest import both_lanes, copy_example
from tests.test_preview_e2e import PREVIEW, payload, run_pr

BASE = "user/app"


def held(repo) -> str:
    """The visibility the simulated Hub holds (its state, not what its info shows)."""
    return "protected" if repo.protected else "private" if repo.private else "public"


def make_base(hub, visibility: str) -> None:
    repo = hub.create_repo(BASE, sdk="gradio", private=visibility == "private")
    repo.protected = visibility == "protected"


def quoted_in_docs() -> str:
    """The log line docs/previews.md quotes, its line breaks undone."""
    text = (ROOT / "docs" / "previews.md").read_text(encoding="utf-8")
    match = re.search(r"`(Preview visibility:[^`]*)`", text)
    assert match, "docs/previews.md quotes no 'Preview visibility:' line"
    return " ".join(match.group(1).split())


def said(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if "Preview visibility:" in line]


@both_lanes
def test_a_private_base_gives_a_private_preview_with_visibility_unset(action, hub, gh):
    make_base(hub, "private")
    copy_example("gradio-hello", action.workspace)
    result = run_pr(action, gh, payload("opened")).assert_ok()
    assert held(hub.repo(PREVIEW)) == "private"
    assert said(result) == [
        f"Preview visibility: private; the base Space {BASE} is private or protected, so its"
        " preview is private."
    ]
    assert said(result) == [quoted_in_docs()]
    assert held(hub.repo(BASE)) == "private"  # the base is only read


@both_lanes
@pytest.mark.parametrize("shape", list(ProtectedInfo), ids=lambda s: s.value)
def test_a_protected_base_gives_a_private_preview_whatever_its_info_shows(action, hub, gh, shape):
    hub.protected_info = shape
    make_base(hub, "protected")
    copy_example("gradio-hello", action.workspace)
    result = run_pr(action, gh, payload("opened")).assert_ok()
    assert held(hub.repo(PREVIEW)) == "private"
    assert len(said(result)) == 1 and "so its preview is private" in said(result)[0]


@both_lanes
def test_a_public_preview_of_a_base_made_private_is_made_private(action, hub, gh):
    make_base(hub, "public")
    copy_example("gradio-hello", action.workspace)
    run_pr(action, gh, payload("opened", sha="a1" * 20)).assert_ok()
    assert held(hub.repo(PREVIEW)) == "public"  # a public base: the creation default, as before
    hub.repo(BASE).private = True
    (action.workspace / "app.py").write_text(
        "# changed\n" + (action.workspace / "app.py").read_text()
    )
    run_pr(action, gh, payload("synchronize", sha="b2" * 20)).assert_ok()
    assert held(hub.repo(PREVIEW)) == "private"


def test_visibility_of_production_does_not_make_a_preview_of_a_private_base_public(action, hub, gh):
    make_base(hub, "private")
    copy_example("gradio-hello", action.workspace)
    run_pr(action, gh, payload("opened"), {"visibility": "public"}).assert_ok()
    assert held(hub.repo(PREVIEW)) == "private"


def test_preview_visibility_names_the_previews_visibility_outright(action, hub, gh):
    make_base(hub, "private")
    copy_example("gradio-hello", action.workspace)
    result = run_pr(action, gh, payload("opened"), {"preview-visibility": "protected"}).assert_ok()
    assert held(hub.repo(PREVIEW)) == "protected"
    assert said(result) == ["Preview visibility: protected; preview-visibility: protected."]


def test_without_a_base_the_creation_default_applies_and_the_log_says_so(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    result = run_pr(action, gh, payload("opened")).assert_ok()
    assert held(hub.repo(PREVIEW)) == "public" and hub.repo(BASE) is None
    assert said(result) == [
        "Preview visibility: unchanged (public when created); the base Space user/app does not"
        " exist yet, so the creation default applies."
    ]
