"""The one sticky pull-request comment that reports a preview Space's state.

``render`` turns a CommentState into Markdown (pure, testable); StickyComment
finds the comment by its hidden marker and edits it, or creates it once. Only a
comment written by the token's own identity counts: anyone can paste the marker.
A comment is a courtesy: any failure becomes a warning, never a failed deploy.
PyGithub is imported inside methods because the action's cold start matters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from hf_action.github.heads import PullHead, described_head, head_marker
from hf_action.github.refusal import refusal_message
from hf_action.github.runner import printable, scrub_values
from hf_action.text import md_cell, md_inert, md_link, one_line

if TYPE_CHECKING:
    from github import Github
    from github.IssueComment import IssueComment

Status = Literal["building", "running", "failed", "removed"]

#: The author of comments made with the workflow's GITHUB_TOKEN.
WORKFLOW_BOT = "github-actions[bot]"
#: GitHub rejects bodies over 65536 characters; stay well under in UTF-8 bytes too.
MAX_BODY_BYTES = 60_000
MAX_LOG_LINES = 60
_MAX_NOTE_CHARS = 2_000
_MAX_NOTES = 20

_HEADLINES: dict[str, str] = {
    "building": "🏗️ Preview is building",
    "running": "✅ Preview is running",
    "failed": "❌ Preview failed",
    "removed": "🗑️ Preview removed",
}
#: Token shapes redacted even when their value was never registered (a second line of defence after
#: the runner's masking). A Hugging Face user token is `hf_` + letters and digits. A keyless exchange
#: returns `hf_jwt_` + a JWT (base64url parts joined by dots, so `-`, `_` and `.` occur) or, for user
#: resources, `hf_oauth_` + an opaque token (hub-docs trusted-publishers.md, huggingface_hub
#: `_oidc.py`); `hf_oidc_` is hubsim's undocumented variant (hubsim/README). Their body is 20 or more
#: token characters with at least one capital or digit, ending on no dot: our own names
#: (`hf_action`, `hf_hub_download`, `hf_oauth_expiration_minutes`), paths and a full stop survive.
_SECRET_PATTERNS = [
    re.compile(r"\bhf_(?:jwt|oauth|oidc)_(?=[a-z._-]*[A-Z0-9])[A-Za-z0-9_.-]{19,}[A-Za-z0-9_-]"),
    re.compile(r"\bhf_[A-Za-z0-9]{20,}"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"),
]
_BACKTICK_RUN = re.compile(r"`{3,}")
_ZWSP = "\u200b"
_NOT_AFFECTED = "The deploy itself is not affected."


@dataclass(frozen=True)
class CommentState:
    """Everything the comment shows; ``base_space_id`` keys the marker (defaults to space_id)."""

    status: Status
    space_id: str
    space_url: str
    app_url: str | None
    head_sha: str
    hub_commit_url: str | None
    stage: str | None
    updated_at: datetime
    log_tail: str | None = None
    notes: list[str] = field(default_factory=list)
    base_space_id: str | None = None
    runs_on: str | None = None  # hardware, visibility, sleep, which sets (preview.PreviewSettings)


def marker(base_space_id: str) -> str:
    """The hidden HTML comment that identifies this base Space's comment on a PR."""
    safe = re.sub(r"[^A-Za-z0-9_./-]", "_", base_space_id).replace("--", "-_")
    return f"<!-- hf-deploy:preview:{safe} -->"


def render(state: CommentState, *, secrets: Iterable[str] = ()) -> str:
    """Markdown for the sticky comment; known secret values and token shapes are masked."""
    if state.status not in _HEADLINES:
        raise ValueError(
            f"unknown preview status {state.status!r}; expected one of {sorted(_HEADLINES)}"
        )
    lines = [marker(state.base_space_id or state.space_id), f"### {_HEADLINES[state.status]}", ""]
    lines += _table(state)
    if state.status == "removed":
        lines += ["", f"The preview Space `{state.space_id}` was deleted."]
    secret_values = [s for s in secrets if s and len(s) >= 4]
    notes = [n.strip() for n in state.notes if n and n.strip()][:_MAX_NOTES]
    if notes:  # redacted before md_inert, whose entities would hide a value from the redaction
        lines.append("")
        lines += [
            f"- {md_inert(_redact(one_line(note), secret_values)[:_MAX_NOTE_CHARS])}"
            for note in notes
        ]
    head = _redact("\n".join(lines), secret_values)
    if state.status == "failed" and state.log_tail:
        budget = MAX_BODY_BYTES - len(head.encode("utf-8")) - 200
        head += "\n\n" + _log_block(_redact(state.log_tail, secret_values), budget)
    # The full head, hidden and last: a log line cannot pose as it (described_head takes the last).
    # Never redacted: it is a commit id, and a newer run's protection reads it.
    recorded = head_marker(state.head_sha)
    return head + "\n" + (recorded + "\n" if recorded else "")


def _table(state: CommentState) -> list[str]:
    removed = state.status == "removed"
    space = f"`{state.space_id}`" if removed else md_link(state.space_id, state.space_url)
    app = (
        "—"
        if removed or not state.app_url
        else md_link(md_inert(_host(state.app_url)), state.app_url)
    )
    sha = _cell(state.head_sha[:7]) or "—"
    commit = md_link(f"`{sha}`", state.hub_commit_url) if state.hub_commit_url else f"`{sha}`"
    stage = f"`{_cell(state.stage)}`" if state.stage else "—"
    when = state.updated_at
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return [
        "| | |",
        "|---|---|",
        f"| **Space** | {space} |",
        f"| **App** | {app} |",
        f"| **Commit** | {commit} |",
        f"| **Stage** | {stage} |",
        *([f"| **Runs on** | {_cell(state.runs_on)} |"] if state.runs_on else []),
        f"| **Updated** | {when:%Y-%m-%d %H:%M:%S} UTC |",
    ]


def _log_block(log: str, budget: int) -> str:
    """The tail of the build log in a <details> fence no log line can close."""
    rows = [printable(row.split("\r")[-1]) for row in log.replace("\r\n", "\n").split("\n")]
    rows = [_BACKTICK_RUN.sub(lambda m: _ZWSP.join(m.group()), row) for row in rows]
    while rows and not rows[-1].strip():
        rows.pop()
    rows = rows[-MAX_LOG_LINES:]
    budget = max(budget, 0)
    while len(rows) > 1 and len("\n".join(rows).encode("utf-8")) > budget:
        rows.pop(0)
    if rows and len(rows[0].encode("utf-8")) > budget:
        rows[0] = "…" + rows[0].encode("utf-8")[-max(budget - 3, 0) :].decode("utf-8", "ignore")
    count = len(rows)
    noun = "line" if count == 1 else "lines"
    return "\n".join(
        [
            f"<details><summary>Build log (last {count} {noun})</summary>",
            "",
            "```text",
            *rows,
            "```",
            "",
            "</details>",
        ]
    )


def _redact(text: str, secret_values: list[str]) -> str:
    text = scrub_values(text, secret_values)  # as the log scrubs: short values by whole words
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub("***", text)
    return text


def _host(url: str) -> str:
    return re.sub(r"^https?://", "", url).rstrip("/")


def _cell(value: str | None) -> str:
    return md_cell(value or "").replace("`", "'")


class StickyComment:
    """Create-once-then-edit comment on one pull request, found by ``marker``."""

    def __init__(
        self,
        token: str,
        repository: str,
        pr_number: int,
        api_url: str,
        marker: str,
        warn: Callable[[str], None],
        *,
        timeout: int = 15,
        retry: int = 2,
        seconds_between_requests: float = 0.25,
        seconds_between_writes: float = 1.0,
        head: PullHead | None = None,
    ) -> None:
        self.token = token
        self.repository = repository
        self.pr_number = pr_number
        self.api_url = api_url  # GitHubContext.api_url
        self.marker = marker
        self.warn = warn
        self._login: str | None = None
        self.timeout, self.retry = timeout, retry
        self.pacing = (seconds_between_requests, seconds_between_writes)
        #: With ``head`` (a preview deploy's), a comment that describes the pull request's current
        #: head, no longer ours, is a newer run's: it is left alone (github.heads).
        self.head = head

    def upsert(self, body: str, *, create: bool = True) -> str | None:
        """Write ``body`` to the PR's comment; return its URL, or None (after a warning).

        With ``create=False`` only an existing comment is edited: a preview that never had a
        comment gets no new one (returns ``""``, no warning).
        """
        if not body.startswith(self.marker):
            body = f"{self.marker}\n{body}"
        if not self.token:
            self.warn(
                f"No github-token: skipping the preview comment on pull request #{self.pr_number}."
            )
            return None
        try:
            from github import GithubException  # lazy: cold start
        except ImportError as exc:  # pragma: no cover - PyGithub is a runtime dependency
            self.warn(
                f"PyGithub is not installed; cannot comment on pull request "
                f"#{self.pr_number}: {exc}"
            )
            return None
        try:
            return self._upsert(body, create)
        except GithubException as exc:
            self.warn(self._explain(exc.status, refusal_message(exc.data)))
        except Exception as exc:  # a comment must never fail a deploy
            self.warn(
                f"Could not update the preview comment on pull request #{self.pr_number} "
                f"via {self.api_url}: {type(exc).__name__}: {exc}. {_NOT_AFFECTED}"
            )
        return None

    def _upsert(self, body: str, create: bool = True) -> str:
        from github import Auth, Github  # lazy: cold start

        gh = Github(
            auth=Auth.Token(self.token),
            base_url=self.api_url,
            per_page=100,
            lazy=True,
            timeout=self.timeout,
            retry=self.retry,
            seconds_between_requests=self.pacing[0],
            seconds_between_writes=self.pacing[1],
        )
        try:
            issue = gh.get_repo(self.repository).get_issue(self.pr_number)
            for comment in issue.get_comments():
                # At its start, where render puts it: a quoted log line cannot claim a comment.
                if (comment.body or "").startswith(self.marker) and self._is_own(gh, comment):
                    if self._newer_run(gh, comment.body or "") is None:
                        comment.edit(body)
                    return comment.html_url
            if not create:
                return ""
            created = issue.create_comment(body)
            self._login = created.user.login  # what GitHub says we are: no lookup needed later
            return created.html_url
        finally:
            gh.close()

    @property
    def superseded_by(self) -> str | None:
        """The pull request's head once a run of it reported (found here or by the deployment)."""
        return self.head.newer if self.head is not None else None

    def _newer_run(self, gh: Github, existing: str) -> str | None:
        """The pull request's current head when ``existing`` describes it and it is not ours: the
        comment is then a newer run's. A comment of ours, or of no known head, costs no request."""
        if self.head is None:
            return None
        described = described_head(existing)
        if described is None or described == self.head.ours:
            return self.head.newer
        return self.head.newer_run(gh, lambda: [described])

    def _is_own(self, gh: Github, comment: IssueComment) -> bool:
        """Written by this token's identity (found once, only when a marker comment exists)."""
        if self._login is None:
            self._login = own_login(gh)
        author = comment.user.login if comment.user is not None else ""
        return author.lower() == self._login.lower()

    def _explain(self, status: int, message: str) -> str:
        where = f"pull request #{self.pr_number} in {self.repository}"
        detail = f"HTTP {status}: {message}" if message else f"HTTP {status}"
        if status in (403, 404):
            return (
                f"Could not comment on {where} ({detail}): the github-token lacks the "
                "`pull-requests: write` (or `issues: write`) permission. Grant it in the "
                "workflow with `permissions:` / `pull-requests: write`, or set `comment: false`. "
                "Pull requests from forks get a read-only GITHUB_TOKEN on `pull_request` events. "
                f"{_NOT_AFFECTED}"
            )
        if status == 401:
            return (
                f"Could not comment on {where} ({detail}): the github-token was rejected; "
                f"check the `github-token` input. {_NOT_AFFECTED}"
            )
        return f"Could not update the preview comment on {where} ({detail}). {_NOT_AFFECTED}"


def own_login(gh: Github) -> str:
    """The login the token writes comments as.

    ``GET /user`` names a personal access token's user. The workflow's GITHUB_TOKEN is an
    installation token: GitHub answers 403 there, and its comments are by ``github-actions[bot]``.
    """
    from github import GithubException  # lazy: cold start

    try:
        return gh.get_user().login
    except GithubException as exc:
        if exc.status == 403:
            return WORKFLOW_BOT
        raise
