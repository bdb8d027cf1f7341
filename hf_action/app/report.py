"""The one place a run's end is told (done, failed, stopped by the event or by a newer run of the
pull request, a preview cleanup): step outputs, the step summary, and the PR comment and the GitHub
Deployment the run opened."""

from __future__ import annotations

import time
import traceback
from typing import TYPE_CHECKING

from hf_action.app import record
from hf_action.app.summary import cleanup_summary_markdown, output_values, summary_markdown
from hf_action.errors import ActionError, BuildFailed
from hf_action.github.runner import Runner
from hf_action.outcome import Outcome
from hf_action.request import Stop, StopKind

if TYPE_CHECKING:
    from hf_action.app.cleanup import Cleanup  # its module loads the Hub client: cold start
    from hf_action.app.pr_comment import PreviewComment
    from hf_action.app.run_deployment import RunDeployment
    from hf_action.github.heads import PullHead


class Reporter:
    """Where a run's end goes: step outputs, the step summary, the PR comment and the deployment
    once the run has them."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.started = time.monotonic()
        self.comment: PreviewComment | None = None
        self.deployment: RunDeployment | None = None
        self.head: PullHead | None = None  # a preview deploy's: is a newer run ahead of it?

    def done(self, outcome: Outcome) -> int:
        """One measurement of the run (from its start): the summary and the log say the same."""
        outcome = record.timed(outcome, self.started)
        if self.deployment is not None:
            self.deployment.finished(outcome)
            outcome = record.recorded(outcome, *self.deployment.recorded)
        self._outputs(outcome)
        if self.comment is not None:
            self.comment.finished(outcome)
        self._newer_run_notices()
        self.runner.info(
            f"Done in {outcome.seconds:.1f}s: {outcome.space_url} ({outcome.stage or 'no stage'})"
        )
        return 0

    def cleaned(self, cleanup: Cleanup) -> int:
        """operation cleanup-previews: the previews it deleted, and the table of all it found."""
        self.runner.set_output("deleted-previews", "\n".join(cleanup.deleted))
        self.runner.add_summary(cleanup_summary_markdown(cleanup))
        return 0

    def stopped(self, stop: Stop) -> int:
        """Nothing to do (the event asks for nothing, or a newer run is ahead): say why, and
        whether this was a preview run."""
        self.runner.notice(stop.notice, title=stop.title)
        if stop.preview is not None:
            self.runner.set_output("preview", "true" if stop.preview else "false")
        return 0

    def failed(self, exc: Exception) -> int:
        """One error line; the outcome of what was done before the failure is still reported."""
        carried = exc.outcome if isinstance(exc, ActionError) else None
        if self.deployment is not None:
            self.deployment.failed()
            if carried is not None:
                carried = record.recorded(carried, *self.deployment.recorded)
        if isinstance(exc, BuildFailed):
            self._build_failed(exc, carried)
        elif isinstance(exc, ActionError):
            self.runner.error(exc.line, title=exc.title)
            if carried is not None:  # a commit was made before the failure
                self._outputs(record.timed(record.failed(carried, exc.message), self.started))
            if self.comment is not None:  # it may already say "building": do not leave it so
                self.comment.update("failed", None, failure=exc.message)
        else:  # a bug, or a failure we did not foresee: one error line, details folded
            with self.runner.group(f"Traceback ({type(exc).__name__})"):
                self.runner.info("".join(traceback.format_exception(exc)))
            self.runner.error(
                f"Unexpected {type(exc).__name__}: {exc}. This is a bug or an unforeseen failure:"
                " please report it with the traceback folded above.",
                title="hf-deploy internal error",
            )
        self._newer_run_notices()
        return 1

    def superseded(self, head: PullHead, newer: str) -> int:
        """A preview deploy that a run of the pull request's current head (``newer``) has overtaken
        before it wrote to the Hub: it deploys nothing (the preview keeps the newer code), green."""
        if self.deployment is not None:
            self.deployment.failed()  # one it made before the comment found out: inactive
        return self.stopped(
            Stop(
                StopKind.SUPERSEDED,
                f"Pull request #{head.number} is at {newer[:7]} now and a run of that head"
                f" has reported on its preview: this run of {head.ours[:7]} deploys nothing (the"
                " preview keeps the newer code) and leaves the comment and the deployment to it.",
                "Superseded by a newer run",
                preview=True,
            )
        )

    def _newer_run_notices(self) -> None:
        """One line when a newer run of the pull request reported first (what this run left alone),
        one when the pull request's head could not be read (what was written unchecked)."""
        head = self.head
        records = [r for r in (self.comment, self.deployment) if r is not None]
        if head is None or not records:
            return
        if head.newer is not None:
            self.runner.notice(
                f"The pull request moved on to {head.newer[:7]} and a run of it reported first:"
                f" this run {' and '.join(r.left_alone for r in records)}.",
                title="Superseded by a newer run",
            )
        if head.unread:
            what = [r.record for r in records]
            self.runner.notice(
                f"Could not read pull request #{head.number}'s head in {head.repository}"
                f" ({head.unread}): {' and '.join(what)} {'were' if len(what) > 1 else 'was'}"
                " written without checking for a newer run (the pull-requests: read permission"
                " lets it check).",
                title="Newer run not checked",
            )

    def _build_failed(self, exc: BuildFailed, carried: Outcome | None) -> None:
        if exc.log_tail:
            with self.runner.group(exc.log_title):
                self.runner.untrusted_block(exc.log_tail)
        self.runner.error(exc.line, title=exc.title)
        if carried is not None:
            self._outputs(record.timed(carried, self.started))
        if self.comment is not None:
            own = carried is not None and carried.failure
            self.comment.update("failed", carried, failure=None if own else exc.message)

    def _outputs(self, outcome: Outcome) -> None:
        for name, value in output_values(outcome).items():
            self.runner.set_output(name, value)
        self.runner.add_summary(summary_markdown(outcome, self.runner.scrub))
