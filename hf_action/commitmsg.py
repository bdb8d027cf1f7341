"""The text of our commits on the Space: a deploy's and a rollback's title and description, each
ending with the workflow run and the `Deploy-Id` line a rollback to `previous` looks for."""

from __future__ import annotations

#: The line every deploy and rollback of this action writes into its commit's description.
DEPLOY_ID = "Deploy-Id: "


def deploy_message(
    custom: str | None,
    *,
    repository: str,
    sha: str,
    server_url: str,
    run_url: str | None,
    deploy_id: str,
) -> tuple[str, str]:
    """Title and description of a deploy commit of `repository` at `sha` (the preview's head, or
    the commit the workflow runs on); `custom`: the commit-message input."""
    title = custom or (
        f"Deploy {repository}@{sha[:7]}" if repository and sha else "Deploy with hf-deploy"
    )
    lines = [f"Source: {server_url}/{repository}/commit/{sha}"] if repository and sha else []
    return title, "\n".join([*lines, *_run_lines(run_url, deploy_id)])


def rollback_message(
    custom: str | None,
    *,
    sha: str,
    rev_title: str,
    run_url: str | None,
    deploy_id: str,
    trailer: str,
) -> tuple[str, str]:
    """Title and description of a rollback's commit to revision `sha`; `trailer`: its blob map."""
    title = custom or f"Roll back to {sha[:7]}"
    description = "\n".join([f"Rollback to: {sha} ({rev_title})", *_run_lines(run_url, deploy_id)])
    return title, f"{description}\n\n{trailer}" if trailer else description


def _run_lines(run_url: str | None, deploy_id: str) -> list[str]:
    lines = [f"Workflow run: {run_url}"] if run_url else []
    return [*lines, f"{DEPLOY_ID}{deploy_id}"]
