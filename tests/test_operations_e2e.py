"""Space operations (restart, pause, delete) and a Space card kept apart from the GitHub README."""

from __future__ import annotations

import yaml

from tests.conftest import TOKEN, copy_example, hub_writes
from tests.webhooks import load_example


def deployed(action, hub, space="user/ops"):
    copy_example("gradio-hello", action.workspace)
    action.run({"space": space, "hf-token": TOKEN}).assert_ok()
    return hub.repo(space)


def test_restart_waits_until_the_space_runs_again(action, hub):
    repo = deployed(action, hub)
    restarts, builds = hub.counters.restarts, hub.counters.builds
    result = action.run(
        {"space": "user/ops", "hf-token": TOKEN, "operation": "restart"}
    ).assert_ok()
    assert hub.counters.restarts == restarts + 1 and hub.counters.builds == builds + 1
    assert result.outputs["stage"] == "RUNNING"
    assert "BUILDING" in result.stdout  # it saw the rebuild, not the old RUNNING
    assert result.outputs["commit-sha"] == repo.head


def test_factory_reboot_is_requested(action, hub):
    deployed(action, hub)
    hub.counters.reset()
    action.run(
        {"space": "user/ops", "hf-token": TOKEN, "operation": "restart", "factory-reboot": "true"}
    ).assert_ok()
    assert hub.counters.requests["POST /api/spaces/{repo}/restart"] == 1
    assert hub.counters.factory_reboots == 1


def test_pause_waits_until_paused(action, hub):
    deployed(action, hub)
    result = action.run({"space": "user/ops", "hf-token": TOKEN, "operation": "pause"}).assert_ok()
    assert result.outputs["stage"] == "PAUSED"
    assert hub.repo("user/ops").stage == "PAUSED"
    back = action.run({"space": "user/ops", "hf-token": TOKEN, "operation": "restart"}).assert_ok()
    assert back.outputs["stage"] == "RUNNING"


def test_delete_and_delete_again(action, hub):
    deployed(action, hub)
    result = action.run({"space": "user/ops", "hf-token": TOKEN, "operation": "delete"}).assert_ok()
    assert hub.repo("user/ops") is None
    assert result.outputs["deleted"] == "true"
    again = action.run({"space": "user/ops", "hf-token": TOKEN, "operation": "delete"}).assert_ok()
    assert again.outputs["deleted"] == "true" and any(
        "nothing to delete" in n for n in again.notices
    )


def test_restart_or_pause_of_a_missing_space_fails_clearly(action, hub):
    for op in ("restart", "pause"):
        result = action.run({"space": "user/missing", "hf-token": TOKEN, "operation": op})
        assert result.returncode == 1
        assert len(result.errors) == 1 and "does not exist" in result.errors[0]
    assert hub_writes(hub) == []


def test_operations_do_not_need_the_app_folder(action, hub):
    deployed(action, hub)
    result = action.run(
        {
            "space": "user/ops",
            "hf-token": TOKEN,
            "operation": "restart",
            "path": "does-not-matter",
            "wait": "false",
        }
    )
    assert result.returncode == 0, result.stdout


def test_restart_of_a_preview_space(action, hub):
    copy_example("gradio-hello", action.workspace)
    event = load_example("synchronize")
    number = event["pull_request"]["number"]
    action.run(
        {"space": "user/app", "hf-token": TOKEN, "comment": "false"},
        event_name="pull_request",
        event=event,
    ).assert_ok()
    preview_id = f"user/app-pr-{number}"
    assert hub.repo(preview_id) is not None
    restarts = hub.counters.restarts
    result = action.run(
        {"space": "user/app", "hf-token": TOKEN, "operation": "restart", "comment": "false"},
        event_name="pull_request",
        event=event,
    ).assert_ok()
    assert result.outputs["space-id"] == preview_id and result.outputs["preview"] == "true"
    assert hub.counters.restarts == restarts + 1
    assert hub.repo("user/app") is None


def _card_front(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


def test_card_becomes_the_space_readme(action, hub):
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "README.md").write_text(
        "# My project\n\nThe GitHub README, for GitHub readers.\n"
    )
    card = (
        "---\ntitle: Hello Space\nemoji: 🤗\n# a comment the user wrote\ncolorFrom: red\ncolorTo: blue\n---\n"
        "\n# Hello\n\nThis is the Space's own card.\n"
    )
    (action.workspace / ".huggingface").mkdir()
    (action.workspace / ".huggingface" / "README.md").write_text(card)
    result = action.run(
        {
            "space": "user/carded",
            "hf-token": TOKEN,
            "card": ".huggingface/README.md",
            "sdk-version": "5.9.1",
        }
    ).assert_ok()
    repo = hub.repo("user/carded")
    readme = repo.files["README.md"].text()
    assert "GitHub README" not in readme
    assert "# a comment the user wrote" in readme and "This is the Space's own card." in readme
    front = _card_front(readme)
    assert (
        front["sdk"] == "gradio"
        and front["sdk_version"] == "5.9.1"
        and front["title"] == "Hello Space"
    )
    assert not any(p.startswith(".huggingface/") for p in repo.files)
    # Only the card changes: a one-file commit.
    before = len(repo.commits)
    (action.workspace / ".huggingface" / "README.md").write_text(
        card.replace("own card", "own, better card")
    )
    again = action.run(
        {
            "space": "user/carded",
            "hf-token": TOKEN,
            "card": ".huggingface/README.md",
            "sdk-version": "5.9.1",
        }
    ).assert_ok()
    assert len(repo.commits) == before + 1
    assert again.outputs["changed-files"] == "README.md"
    assert "better card" in repo.files["README.md"].text()
    assert result.outputs["stage"] == "RUNNING"


def test_without_card_the_readme_is_the_space_card(action, hub):
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "README_HF.md").write_text("---\nsdk: gradio\n---\nnot used\n")
    action.run({"space": "user/plain", "hf-token": TOKEN}).assert_ok()
    repo = hub.repo("user/plain")
    assert repo.files["README.md"].content == (action.workspace / "README.md").read_bytes()
    assert "README_HF.md" in repo.files
