"""Our commits' text (commitmsg.py): where the deploy came from, the workflow run, and the
`Deploy-Id` line that a rollback to `previous` looks for."""

from __future__ import annotations

from hf_action.commitmsg import DEPLOY_ID, deploy_message, rollback_message

SHA = "0123456789abcdef0123456789abcdef01234567"
RUN = "https://github.com/o/r/actions/runs/7"


def test_a_deploy_names_its_source_commit_and_run():
    title, description = deploy_message(
        None, repository="o/r", sha=SHA, server_url="https://github.com", run_url=RUN,
        deploy_id="d1",
    )  # fmt: skip
    assert title == "Deploy o/r@0123456"
    assert description.splitlines() == [
        f"Source: https://github.com/o/r/commit/{SHA}",
        f"Workflow run: {RUN}",
        f"{DEPLOY_ID}d1",
    ]


def test_outside_a_workflow_only_the_deploy_id_is_written():
    title, description = deploy_message(
        None, repository="", sha="", server_url="https://github.com", run_url=None, deploy_id="d2"
    )
    assert (title, description) == ("Deploy with hf-deploy", "Deploy-Id: d2")
    custom, _ = deploy_message(
        "my title", repository="o/r", sha=SHA, server_url="x", run_url=None, deploy_id="d3"
    )
    assert custom == "my title"


def test_a_rollback_names_the_revision_and_carries_its_blob_map():
    title, description = rollback_message(
        None, sha=SHA, rev_title="Deploy o/r@abc", run_url=RUN, deploy_id="d4",
        trailer="Hf-Deploy-Blob: x",
    )  # fmt: skip
    assert title == "Roll back to 0123456"
    assert description == (
        f"Rollback to: {SHA} (Deploy o/r@abc)\nWorkflow run: {RUN}\nDeploy-Id: d4"
        "\n\nHf-Deploy-Blob: x"
    )
    _, bare = rollback_message(
        "back", sha=SHA, rev_title="t", run_url=None, deploy_id="d5", trailer=""
    )
    assert bare == f"Rollback to: {SHA} (t)\nDeploy-Id: d5"
