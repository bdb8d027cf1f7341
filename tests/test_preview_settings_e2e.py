"""Previews are their own environment (docs/previews.md#preview-settings), end to end on the Hub
simulator: their hardware, sleep time, secrets and variables come from the `preview-*` inputs, never
from production's unless those are unset (secrets, variables); the log, the summary, the PR comment
and the Deployment say what a preview runs on; the worked example of the page runs as written."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.action_runner import ROOT
from tests.conftest import TOKEN, both_lanes, copy_example, hub_writes
from tests.test_preview_e2e import BASE_REPO, PREVIEW, comment_body, payload, run_pr

BASE = "user/app"
PROD_KEY = "sk-prod-7c6b5a4d3e"
TEST_KEY = "sk-test-1f2e3d4c5b"


def push(action, gh, inputs: dict):
    """A production deploy of the base Space, as a push to main runs it."""
    args = {"space": BASE, "hf-token": TOKEN, **inputs}
    env = {"GITHUB_API_URL": gh.api_url, "GITHUB_REPOSITORY": BASE_REPO}
    return action.run(args, event_name="push", event={"ref": "refs/heads/main"}, env=env)


def log_line(result, prefix: str) -> str:
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith(prefix)]
    return line


def statuses(gh) -> list[dict]:
    return [s for d in gh.deployments(BASE_REPO) for s in gh.statuses(d["id"])]


@both_lanes
def test_hardware_leaves_the_preview_on_cpu_basic_and_production_on_its_flavor(action, hub, gh):
    hub.set_quota(billing=True)  # GPUs: a payment method on file
    copy_example("gradio-hello", action.workspace)
    run_pr(action, gh, payload("opened"), {"hardware": "t4-small"}).assert_ok()
    assert hub.repo(PREVIEW).hardware == "cpu-basic"
    push(action, gh, {"hardware": "t4-small"}).assert_ok()
    assert hub.repo(BASE).hardware == "t4-small" and hub.repo(PREVIEW).hardware == "cpu-basic"


@both_lanes
def test_preview_secrets_replace_the_secrets_on_the_preview_and_leave_productions(
    action, hub, gh, leak_guard
):
    copy_example("gradio-hello", action.workspace)
    prod = {"secrets": f"API_KEY={PROD_KEY}"}
    push(action, gh, prod).assert_ok()
    assert hub.repo(BASE).secrets == {"API_KEY": PROD_KEY}
    hub.counters.reset()
    inputs = {**prod, "preview-secrets": f"API_KEY={TEST_KEY}"}
    result = run_pr(action, gh, payload("opened"), inputs).assert_ok()
    assert hub.repo(PREVIEW).secrets == {"API_KEY": TEST_KEY}
    assert hub.repo(BASE).secrets == {"API_KEY": PROD_KEY}
    assert not [w for w in hub_writes(hub) if "spaces/user/app/" in w], hub_writes(hub)
    assert log_line(result, "Preview settings:") == (
        "Preview settings: secrets: API_KEY from preview-secrets; variables: (none) from"
        " variables (as production)"
    )
    assert "secrets: preview-secrets" in comment_body(gh)
    assert {PROD_KEY, TEST_KEY} <= set(leak_guard)  # and the guard found neither anywhere


def test_without_preview_secrets_previews_get_the_secrets_and_say_so(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    inputs = {"secrets": f"API_KEY={PROD_KEY}", "variables": "MODEL_ID=org/model"}
    result = run_pr(action, gh, payload("opened"), inputs).assert_ok()
    assert hub.repo(PREVIEW).secrets == {"API_KEY": PROD_KEY}
    assert "API_KEY from secrets (as production)" in log_line(result, "Preview settings:")
    assert "secrets: secrets (as production)" in comment_body(gh)
    assert [ln for ln in result.summary.splitlines() if ln.startswith(">")] == []  # no empty note


def test_a_preview_given_its_own_set_holds_exactly_that_set(action, hub, gh):
    """Production's key, given to the preview before the workflow had `preview-secrets`, is deleted
    from it once the preview has its own set (here: none, `# none`)."""
    copy_example("gradio-hello", action.workspace)
    prod = {"secrets": f"API_KEY={PROD_KEY}", "variables": "MODEL_ID=org/model"}
    run_pr(action, gh, payload("opened", sha="a1" * 20), prod).assert_ok()
    assert hub.repo(PREVIEW).secrets == {"API_KEY": PROD_KEY}
    own = {**prod, "preview-secrets": "# none", "preview-variables": "MODEL_ID=org/tiny"}
    run_pr(action, gh, payload("synchronize", sha="b2" * 20), own).assert_ok()
    preview = hub.repo(PREVIEW)
    assert preview.secrets == {} and preview.variables["MODEL_ID"]["value"] == "org/tiny"


def test_preview_hardware_and_sleep_time_are_the_previews_and_a_hand_change_is_undone(
    action, hub, gh
):
    hub.set_quota(billing=True)  # GPUs: a payment method on file
    copy_example("gradio-hello", action.workspace)
    inputs = {"preview-hardware": "t4-small", "sleep-time": "7200"}
    run_pr(action, gh, payload("opened", sha="a1" * 20), inputs).assert_ok()
    preview = hub.repo(PREVIEW)
    assert (preview.hardware, preview.sleep_time) == ("t4-small", 3600)  # preview-sleep-time
    preview.hardware = "a10g-large"  # changed by hand on the Hub
    result = run_pr(action, gh, payload("synchronize", sha="b2" * 20), inputs).assert_ok()
    assert hub.repo(PREVIEW).hardware == "t4-small"
    assert "t4-small, public, sleeps after 1 h" in log_line(result, "Preview runs on:")


def test_the_comment_summary_and_deployment_say_what_the_preview_runs_on(action, hub, gh):
    hub.create_repo(BASE, sdk="gradio", private=True)
    copy_example("gradio-hello", action.workspace)
    inputs = {"secrets": f"API_KEY={PROD_KEY}", "preview-secrets": f"API_KEY={TEST_KEY}"}
    result = run_pr(action, gh, payload("opened"), inputs).assert_ok()
    said = (
        "cpu-basic, private, sleeps after 48 h; secrets: preview-secrets;"
        " variables: variables (as production)"
    )
    assert log_line(result, "Preview runs on:") == f"Preview runs on: {said}"
    assert f"| **Runs on** | {said} |" in comment_body(gh)
    assert f"| Preview runs on | {said} |" in result.summary
    assert statuses(gh)[-1]["state"] == "success"
    assert statuses(gh)[-1]["description"] == f"Runs on {said}"[:140]


def test_a_dry_run_shows_the_previews_settings_and_writes_nothing(action, hub, gh):
    copy_example("gradio-hello", action.workspace)
    hub.counters.reset()
    inputs = {"dry-run": "true", "hardware": "a10g-small", "preview-secrets": f"K={TEST_KEY}"}
    result = run_pr(action, gh, payload("opened"), inputs).assert_ok()
    assert "secrets: K from preview-secrets" in log_line(result, "Preview settings:")
    assert log_line(result, "Preview runs on:").startswith("Preview runs on: cpu-basic, public,")
    assert "hardware → cpu-basic" in result.stdout and "a10g-small" not in result.stdout
    assert hub_writes(hub) == [] and hub.repo(PREVIEW) is None


# --- the worked example of docs/previews.md, run as written -------------------------------------
def worked_example() -> dict[str, str]:
    """The hf-deploy step's `with:` of the page's worked example, the secrets resolved."""
    page = (ROOT / "docs" / "previews.md").read_text(encoding="utf-8")
    start = page.index("### Worked example")
    block = re.search(r"^```yaml\n(.*?)^```", page[start:], flags=re.M | re.S)
    assert block, "the worked example has no workflow"
    (job,) = yaml.safe_load(block[1])["jobs"].values()
    (step,) = [s for s in job["steps"] if "/hf-deploy@" in s.get("uses", "")]
    resolve = {
        "${{ secrets.HF_TOKEN }}": TOKEN,
        "${{ secrets.OPENAI_API_KEY }}": PROD_KEY,
        "${{ secrets.OPENAI_TEST_KEY }}": TEST_KEY,
    }
    inputs = {}
    for name, value in step["with"].items():
        for expression, secret in resolve.items():
            value = str(value).replace(expression, secret)
        inputs[name] = value.replace("my-org/", "user/")
    return inputs


def quoted(prefix: str) -> str:
    page = " ".join((ROOT / "docs" / "previews.md").read_text(encoding="utf-8").split())
    match = re.search(rf"`({re.escape(prefix)}[^`]*)`", page)
    assert match, f"docs/previews.md quotes no {prefix!r} line"
    return match[1]


@pytest.mark.parametrize("quote", ["Preview settings:", "Preview runs on:"])
def test_the_worked_example_runs_as_the_page_says(action, hub, gh, quote):
    hub.set_quota(billing=True)  # GPUs: a payment method on file
    inputs = worked_example()
    assert inputs["space"] == "user/my-app" and inputs["hardware"] == "a10g-small"
    hub.create_repo("user/my-app", sdk="gradio", private=True, hardware="a10g-small")
    copy_example("gradio-hello", action.workspace)
    result = run_pr(action, gh, payload("opened"), inputs).assert_ok()
    preview = hub.repo("user/my-app-pr-2")
    assert (preview.private, preview.hardware) == (True, "cpu-basic")
    assert preview.secrets == {"OPENAI_API_KEY": TEST_KEY}
    assert quote + " " + log_line(result, quote)[len(quote) :].strip() == quoted(quote)
    result = push(action, gh, inputs).assert_ok()
    base = hub.repo("user/my-app")
    assert (base.hardware, base.secrets) == ("a10g-small", {"OPENAI_API_KEY": PROD_KEY})
    assert hub.repo("user/my-app-pr-2").secrets == {"OPENAI_API_KEY": TEST_KEY}
