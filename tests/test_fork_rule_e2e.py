"""One rule for untrusted pull requests (a fork's, Dependabot's), stated once (`preview.FORK_RULE`):
the action prints it where it applies, and action.yml, the README, docs/previews.md and
docs/security.md quote it word for word. The end-to-end tests hold the behaviour it states, on
real webhook payloads against the Hub simulator, both upload lanes where a deploy is refused."""

from __future__ import annotations

import re

import pytest
import yaml

from hf_action.preview import FORK_RULE
from tests.action_runner import ROOT
from tests.conftest import both_lanes, copy_example, hub_writes
from tests.test_preview_e2e import BASE_REPO, PREVIEW, comment_body, payload, run_pr

BASE = "user/app"
PROD_KEY = "sk-prod-7c6b5a4d3e"
TEST_KEY = "sk-test-1f2e3d4c5b"
SECRETS = {"secrets": f"API_KEY={PROD_KEY}", "preview-secrets": f"API_KEY={TEST_KEY}"}


def words(text: str) -> str:
    return " ".join(text.split())


def documents() -> dict[str, str]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    docs = {
        "action.yml (preview)": action["inputs"]["preview"]["description"],
        "README.md": (ROOT / "README.md").read_text(encoding="utf-8"),
    }
    for page in ("previews.md", "security.md"):
        docs[f"docs/{page}"] = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return docs


def test_action_yml_readme_previews_and_security_state_the_one_rule_word_for_word():
    missing = [name for name, text in documents().items() if words(FORK_RULE) not in words(text)]
    assert not missing, f"these do not state the fork rule as the action prints it: {missing}"


def test_no_document_offers_a_way_to_give_forks_secrets():
    every = [ROOT / "README.md", ROOT / "action.yml", *sorted((ROOT / "docs").glob("*.md"))]
    stale = [p.name for p in every if "allow-fork-secrets" in p.read_text(encoding="utf-8")]
    assert not stale, stale


def dependabot(action: str) -> dict:
    event = payload(action)
    event["pull_request"]["user"]["login"] = "dependabot[bot]"
    return event


def with_production(hub) -> tuple[str, dict]:
    """The base Space as production left it: its head and its secrets."""
    repo = hub.create_repo(BASE, sdk="gradio")
    repo.secrets["API_KEY"] = "production-value"
    return repo.head, dict(repo.secrets)


@both_lanes
@pytest.mark.parametrize("who", ["fork", "dependabot"])
def test_an_untrusted_pull_request_target_run_with_preview_false_deploys_nothing(
    action, hub, gh, who
):
    head, secrets = with_production(hub)
    copy_example("gradio-hello", action.workspace)
    event = payload("opened", fork=True) if who == "fork" else dependabot("opened")
    hub.counters.reset()
    result = run_pr(
        action, gh, event, {**SECRETS, "preview": "false"}, event_name="pull_request_target"
    )
    assert result.returncode == 1
    assert len(result.errors) == 1, result.errors
    error = result.errors[0]
    assert "pull_request_target" in error and "preview: auto" in error
    assert words(FORK_RULE) in words(error.replace("%0A", " "))
    assert hub.repo(BASE).head == head and hub.repo(BASE).secrets == secrets
    assert hub_writes(hub) == [] and hub.repo(PREVIEW) is None
    assert "preview" not in result.outputs or result.outputs["preview"] != "true"


@pytest.mark.parametrize("who", ["fork", "dependabot"])
def test_an_untrusted_preview_gets_no_secrets_and_the_rule_is_said(action, hub, gh, who):
    copy_example("gradio-hello", action.workspace)
    event = payload("opened", fork=True) if who == "fork" else dependabot("opened")
    inputs = {**SECRETS, "variables": "MODEL_ID=org/model"}
    result = run_pr(action, gh, event, inputs, event_name="pull_request_target").assert_ok()
    preview = hub.repo(PREVIEW)
    assert preview.secrets == {} and list(preview.variables) == ["MODEL_ID"]
    assert any(words(FORK_RULE) in words(n) for n in result.notices), result.notices
    assert "secrets: none (untrusted pull request)" in result.stdout
    body = comment_body(gh)
    assert "**without** secrets" in body and "none (untrusted pull request)" in body
    assert hub.repo(BASE) is None  # nothing reached the Space itself


def test_a_trusted_pull_request_with_preview_false_still_deploys_the_space(action, hub, gh):
    """The refusal is for untrusted code only: a same-repository pull request keeps working."""
    copy_example("gradio-hello", action.workspace)
    run_pr(action, gh, payload("opened"), {"preview": "false"}).assert_ok()
    assert hub.repo(BASE) is not None and hub.repo(PREVIEW) is None


def test_a_forks_pull_request_run_without_a_token_is_skipped_with_a_notice(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    hub.counters.reset()
    result = run_pr(action, gh, payload("opened", fork=True), {"hf-token": "", **SECRETS})
    result.assert_ok()
    assert len(result.notices) == 1 and "Preview skipped" in result.stdout
    assert sum(hub.counters.requests.values()) == 0 and gh.comments(BASE_REPO, 2) == []


def test_the_refusal_is_one_error_line_without_a_traceback(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    result = run_pr(
        action, gh, payload("opened", fork=True), {"preview": "false"},
        event_name="pull_request_target",
    )  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith("::error")]
    assert re.search(r"title=Untrusted pull request refused", line)
    assert "octo-forker/Hello-World" in line or "fork" in line
