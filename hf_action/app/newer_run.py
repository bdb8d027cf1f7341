"""A preview deploy's check for a newer run of its pull request (github/heads.py), made once and
shared by the comment and the deployment, so both leave their records to that run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hf_action.app.context import RunContext
from hf_action.app.route import Destination
from hf_action.inputs import Inputs

if TYPE_CHECKING:
    from hf_action.github.heads import PullHead


def watch_pull_head(inputs: Inputs, where: Destination, ctx: RunContext) -> PullHead | None:
    """This run's head of the pull request it previews; None for every other run (nothing to
    check, nothing loaded)."""
    pr = where.pr
    if pr is None or inputs.operation != "deploy" or inputs.dry_run or not inputs.github_token:
        return None
    from hf_action.github.heads import PullHead  # PyGithub's side: not for a push

    return PullHead(ctx.github.repository or pr.base_repo, pr.number, pr.head_sha)
