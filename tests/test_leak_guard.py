"""The suite-wide leak guard must be able to fail: feed it a real leak and a masked value."""

from __future__ import annotations

from tests.conftest import find_leaks


def test_guard_finds_a_secret_in_any_text():
    texts = [
        ("stdout-1.txt", "deploying\n::add-mask::sk-live-123456\nall good"),
        ("summary-1.md", "| key | sk-live-123456 |"),
    ]
    assert find_leaks(texts, ["sk-live-123456"]) == ["summary-1.md contains a secret (sk-…)"]


def test_guard_ignores_the_mask_command_itself():
    assert find_leaks([("stdout-1.txt", "::add-mask::hf_abcdef\nrest")], ["hf_abcdef"]) == []


def test_guard_scans_what_the_action_run_wrote(action, hub, leak_guard):
    """Run the action with a secret, then check the guard saw each file the run wrote."""
    from tests.conftest import TOKEN, copy_example

    copy_example("static-site", action.workspace)
    action.run(
        {"space": "user/guarded", "hf-token": TOKEN, "secrets": "API_KEY=value-9f8e7d6c"}
    ).assert_ok()
    names = {name for name, _ in action.scan_for_leaks()}
    assert {"stdout-1.txt", "stderr-1.txt", "output-1.txt", "summary-1.md"} <= names
    assert "value-9f8e7d6c" in leak_guard and TOKEN in leak_guard
    planted = [*action.scan_for_leaks(), ("planted", "oops value-9f8e7d6c")]
    assert find_leaks(planted, leak_guard) == ["planted contains a secret (val…)"]


def test_guard_scans_for_preview_secrets_too(action, hub, gh, leak_guard):
    """A preview's own secrets (`preview-secrets`) are registered and looked for like production's:
    in everything the run printed or wrote, the PR comment and the Deployment's statuses."""
    from tests.conftest import copy_example
    from tests.test_preview_e2e import payload, run_pr

    copy_example("gradio-hello", action.workspace)
    inputs = {"secrets": "API_KEY=prod-4b3a2c1d", "preview-secrets": "API_KEY=test-8e7f6a5b"}
    run_pr(action, gh, payload("opened"), inputs).assert_ok()
    assert {"prod-4b3a2c1d", "test-8e7f6a5b"} <= set(leak_guard)
    assert hub.repo("user/app-pr-2").secrets == {"API_KEY": "test-8e7f6a5b"}
    said = [*action.scan_for_leaks(), *action.captured]  # run_pr adds the comment, Deployments
    assert any("Runs on" in text for name, text in said if name == "deployment status")
    assert find_leaks(said, leak_guard) == []
    assert find_leaks([*said, ("planted", "x test-8e7f6a5b")], leak_guard) == [
        "planted contains a secret (tes…)"
    ]
