"""What the run tells the world, and the one place that tells it: step outputs, the step summary, the
sticky PR comment and the GitHub Deployment, for a run that worked and for one that failed."""

from __future__ import annotations

import time
import traceback
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hf_action.app.context import RunContext
from hf_action.app.route import Destination
from hf_action.envblock import maskable_parts
from hf_action.errors import ActionError, BuildFailed
from hf_action.github.runner import Runner
from hf_action.hub.urls import space_url
from hf_action.inputs import Inputs, deployment_wanted
from hf_action.outcome import Outcome
from hf_action.preview import PullRequest
from hf_action.request import Stop, StopKind
from hf_action.text import counted, human_size, md_cell, md_link

if TYPE_CHECKING:
    from hf_action.app.cleanup import Cleanup  # its module loads the Hub client: cold start
    from hf_action.github.comment import Status
    from hf_action.github.deployments import Deployments
    from hf_action.github.heads import PullHead

# The PR comment (github.comment) and the GitHub Deployment (github.deployments) are imported where
# a run asks for them: most runs (a push, wait or not) never do.


def write_outputs(runner: Runner, o: Outcome) -> None:
    values = {
        "space-id": o.space_id,
        "space-url": o.space_url,
        "app-url": o.app_url or "",
        "commit-sha": o.commit_sha or "",
        "commit-url": o.commit_url or "",
        "stage": o.stage or "",
        "changed-files": "\n".join(o.changed_files),
        "preview": "true" if o.preview else "false",
        "deleted": "true" if o.space_deleted else "false",
        "deployment-id": str(o.deployment_id or ""),
        "environment": o.environment or "",
        "deleted-previews": "",  # only operation cleanup-previews deletes previews (app/cleanup.py)
    }
    for name, value in values.items():
        runner.set_output(name, value)


TITLES = {"deploy": "Deploy", "restart": "Restart", "pause": "Pause", "delete": "Delete",
          "rollback": "Rollback"}  # fmt: skip


def summary_markdown(o: Outcome) -> str:
    """The step summary: a verdict, one table, then notes, the failure, the log tail, changed files."""
    verdict = "❌ Failed" if o.failure else ("📝 Dry run" if o.dry_run else "✅ Done")
    title = TITLES.get(o.operation, o.operation)
    lines = [
        f"### {verdict}: {title} {'preview ' if o.preview else ''}`{o.space_id}`",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {md_cell(v)} |" for k, v in _rows(o)]
    for note in o.notes:
        lines += ["", f"> {note}"]
    if o.failure:
        lines += ["", f"**{o.failure}**"]
    return "\n".join(lines + _details(o)) + "\n"


def cleanup_summary_markdown(report: Cleanup) -> str:
    """The step summary: every preview found, its pull request and what happened to it."""
    verb = "would be deleted" if report.dry_run else "deleted"
    lines = [
        f"### 🧹 Preview cleanup of `{report.base_id}`",
        "",
        f"{len(report.deleted)} of {counted(len(report.previews), 'preview Space')} {verb}"
        f" ({report.seconds:.1f}s).",
    ]
    if report.previews:
        lines += ["", "| Space | Pull request | State | Action |", "|---|---|---|---|"]
        lines += [
            f"| `{p.space_id}` | #{p.number} | {p.state} | {p.action} |" for p in report.previews
        ]
    return "\n".join(lines) + "\n"


def _rows(o: Outcome) -> list[tuple[str, str]]:
    rows = [
        ("Space", md_link(o.space_id, o.space_url)),
        ("App", md_link(o.app_url, o.app_url) if o.app_url and not o.space_deleted else "—"),
        ("Stage", f"`{o.stage}`" if o.stage else "—"),
    ]
    if o.operation in ("deploy", "rollback"):
        commit = md_link(f"`{o.commit_sha[:7]}`", o.commit_url) if o.commit_sha else "—"
        if o.commit_sha and not o.committed and not o.dry_run:
            commit += " (no change, nothing committed)"
        files = f"{len(o.added)} added, {len(o.changed)} changed, {len(o.deleted_files)} deleted"
        if o.restored:
            rows.append(("Rolled back to", f"`{o.restored[:7]}`"))
        rows += [
            ("Commit", commit),
            ("Files", f"{files}, {o.unchanged} unchanged"),
            ("Uploaded", human_size(o.upload_bytes)),
        ]
        if o.settings:
            rows.append(("Settings", ", ".join(o.settings)))
        if o.env_keys:
            rows.append(("Secrets & variables set", ", ".join(f"`{k}`" for k in o.env_keys)))
        if o.env_deleted:
            done = "to delete" if o.dry_run else "deleted"
            rows.append((f"Secrets & variables {done}", ", ".join(f"`{k}`" for k in o.env_deleted)))
    if o.smoke:
        rows.append(("Smoke check", o.smoke))
    if o.space_deleted:
        rows.append(("Deleted", "yes"))
    rows.append(("Duration", f"{o.seconds:.1f} s"))
    return rows


def _details(o: Outcome) -> list[str]:
    """Folded blocks: the build log's tail (fenced so it cannot format), the first 50 changed files."""
    lines: list[str] = []
    if o.log_tail:
        fence = "~~~~"
        lines += ["", "<details><summary>Log tail</summary>", "", fence]
        lines += [o.log_tail.replace(fence, "~~~ ~"), fence, "", "</details>"]
    shown = o.changed_files[:50]
    if shown and o.operation in ("deploy", "rollback"):
        more = len(o.changed_files) - len(shown)
        lines += ["", "<details><summary>Changed files</summary>", ""]
        lines += [f"- `{p}`" for p in shown] + ([f"- … and {more} more"] if more else [])
        lines += ["", "</details>"]
    return lines


class Reporter:
    """Where a run's end goes: step outputs, the step summary, the PR comment once there is one."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.started = time.monotonic()
        self.comment: PreviewComment | None = None
        self.deployment: RunDeployment | None = None
        self.head: PullHead | None = None  # a preview deploy's: is a newer run ahead of it?

    def done(self, outcome: Outcome) -> int:
        """One measurement of the run (from its start): the summary and the log say the same."""
        outcome.timed(self.started)
        if self.deployment is not None:
            self.deployment.finished(outcome)
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
        if self.deployment is not None:
            self.deployment.failed(exc.outcome if isinstance(exc, ActionError) else None)
        if isinstance(exc, BuildFailed):
            self._build_failed(exc)
        elif isinstance(exc, ActionError):
            self.runner.error(exc.line, title=exc.title)
            if exc.outcome is not None:  # a commit was made before the failure
                self._outputs(replace(exc.outcome, failure=exc.message).timed(self.started))
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
            self.deployment.failed(None)  # one it made before the comment found out: inactive
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

    def _build_failed(self, exc: BuildFailed) -> None:
        if exc.log_tail:
            with self.runner.group(exc.log_title):
                self.runner.untrusted_block(exc.log_tail)
        self.runner.error(exc.line, title=exc.title)
        if exc.outcome is not None:
            self._outputs(exc.outcome.timed(self.started))
        if self.comment is not None:
            own = exc.outcome is not None and exc.outcome.failure
            self.comment.update("failed", exc.outcome, failure=None if own else exc.message)

    def _outputs(self, outcome: Outcome) -> None:
        write_outputs(self.runner, outcome)
        self.runner.add_summary(summary_markdown(outcome))


class RunDeployment:
    """Follows the run: ``started`` by ``open_deployment``, ``finished`` or ``failed`` at the end."""

    record, left_alone = "the deployment's status", "marked its own deployment inactive"

    def __init__(self, client: Deployments, environment: str, *, deleting: bool) -> None:
        self.client, self.environment, self.deleting = client, environment, deleting

    def finished(self, outcome: Outcome) -> None:
        """A run that worked: success (the app is there), or the deleted preview's deployments
        inactive."""
        if self.deleting:
            if outcome.space_deleted:
                self.client.deactivate(self.environment)
        else:
            self.client.finish(True, outcome.app_url)
        self._record(outcome)

    def failed(self, outcome: Outcome | None) -> None:
        """A run that failed: the deployment it started ends in ``failure``."""
        if not self.deleting:
            self.client.finish(False)
        if outcome is not None:
            self._record(outcome)

    def _record(self, outcome: Outcome) -> None:
        outcome.deployment_id = self.client.last_id
        outcome.environment = self.environment if self.client.last_id else None


def watch_pull_head(inputs: Inputs, where: Destination, ctx: RunContext) -> PullHead | None:
    """A preview deploy's check for a newer run of its pull request (github.heads), shared by the
    comment and the deployment; None for every other run (nothing to check, nothing loaded)."""
    pr = where.pr
    if pr is None or inputs.operation != "deploy" or inputs.dry_run or not inputs.github_token:
        return None
    from hf_action.github.heads import PullHead

    return PullHead(ctx.github.repository or pr.base_repo, pr.number, pr.head_sha)


def open_deployment(
    inputs: Inputs, where: Destination, ctx: RunContext, head: PullHead | None = None
) -> RunDeployment | None:
    """Start this run's deployment when one is wanted; a bad ``environment`` fails here, before
    anything is written to the Hub. With ``head``, none is made once a newer run deployed."""
    github, runner, pr = ctx.github, ctx.runner, where.pr
    deleting = inputs.operation == "delete"
    if inputs.dry_run or inputs.operation not in ("deploy", "delete"):
        return None
    if not deployment_wanted(inputs.github_deployment, preview=pr is not None):
        return None
    from hf_action.github.deployments import Deployments, NewDeployment, environment_name

    environment = environment_name(inputs.environment, where.base_id, pr.number if pr else None)
    repository = github.repository or (pr.base_repo if pr else "")
    if not inputs.github_token or not repository:
        return None
    client = Deployments(
        inputs.github_token, repository, github,
        lambda message: runner.warning(message, title="GitHub deployment not recorded"),
        head=head,
    )  # fmt: skip
    if not deleting:
        ref = pr.head_sha if pr else (github.sha or github.ref_name)
        if not ref:
            return None
        client.start(NewDeployment(environment, ref, where.space_id, preview=where.preview))
    return RunDeployment(client, environment, deleting=deleting)


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
        values = [v for v in [inputs.token, inputs.github_token, *inputs.secrets.values()] if v]
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
