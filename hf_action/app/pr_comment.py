"""The sticky PR comment of a preview run (github/comment.py): "building" before the deploy, then
running, still building, failed or removed; secrets redacted, a failure to comment only warns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hf_action.app.context import RunContext
from hf_action.app.route import Destination
from hf_action.envblock import maskable_parts
from hf_action.hub.urls import space_url
from hf_action.inputs import Inputs
from hf_action.outcome import Outcome
from hf_action.preview import PullRequest

if TYPE_CHECKING:
    from hf_action.github.comment import Status
    from hf_action.github.heads import PullHead


class PreviewComment:
    """The sticky PR comment; a failure to comment only warns, once: the run then stops commenting."""

    record, left_alone = "the preview comment", "left the preview comment as the newer run wrote it"

    def __init__(
        self,
        inputs: Inputs,
        pr: PullRequest,
        where: Destination,
        ctx: RunContext,
        head: PullHead | None = None,
    ) -> None:
        from hf_action.github.comment import StickyComment, marker

        self.pr, self.base_id, self.space_id, self.notes = (
            pr,
            where.base_id,
            where.space_id,
            where.notes,
        )
        self.runner, self.broken = ctx.runner, False
        self.space_url = space_url(ctx.endpoint, where.space_id)
        secrets = [*inputs.secrets.values(), *(inputs.preview_secrets or {}).values()]
        values = [v for v in [inputs.token, inputs.github_token, *secrets] if v]
        # What the log masks (each line of a multi-line secret too), redacted from the comment.
        parts = {part for v in values for part in maskable_parts(v)}
        self.secret_values = sorted(parts, key=len, reverse=True)
        self.sticky = StickyComment(
            inputs.github_token or "",
            ctx.github.repository or pr.base_repo,
            pr.number,
            ctx.github.api_url,
            marker(where.base_id),
            self._warn,
            seconds_between_requests=0.0,
            seconds_between_writes=0.0,
            head=head,
        )

    def _warn(self, message: str) -> None:
        self.broken = True
        self.runner.warning(message, title="PR comment not written")

    def update(
        self,
        status: Status,
        outcome: Outcome | None,
        *,
        failure: str | None = None,
        create: bool = True,
    ) -> None:
        if self.broken or self.sticky.superseded_by is not None:  # once a newer run's, left to it
            return
        from hf_action.github.comment import CommentState, render

        failures = [f for f in (outcome.failure if outcome else None, failure) if f]
        state = CommentState(
            status=status,
            space_id=self.space_id,
            space_url=self.space_url,
            app_url=outcome.app_url if outcome else None,
            head_sha=self.pr.head_sha,
            hub_commit_url=outcome.commit_url if outcome else None,
            stage=outcome.stage if outcome else None,
            updated_at=datetime.now(UTC),
            log_tail=outcome.log_tail if outcome else None,
            notes=list(self.notes) + failures,
            base_space_id=self.base_id,
            runs_on=outcome.runs_on if outcome else None,
        )
        self.sticky.upsert(render(state, secrets=self.secret_values), create=create)

    def finished(self, outcome: Outcome) -> None:
        """After a run that worked: running, still building, or (a closed PR's) removed."""
        if outcome.space_deleted:
            # Edit the comment of a preview that had one; never create one just to say "removed".
            self.update("removed", outcome, create=False)
        else:
            self.update("running" if outcome.stage == "RUNNING" else "building", outcome)


def open_comment(
    inputs: Inputs, where: Destination, ctx: RunContext, head: PullHead | None = None
) -> PreviewComment | None:
    """The comment of a preview run, when asked for and possible; it says "building" before a
    deploy (not when a newer run's comment is there: ``head``)."""
    if where.pr is None or not inputs.comment or not inputs.github_token:
        return None
    comment = PreviewComment(inputs, where.pr, where, ctx, head)
    if inputs.operation == "deploy" and not inputs.dry_run:
        comment.update("building", None)
    return comment
