"""Which run of a pull request is the newer one, so that an older run reporting late never replaces
what a newer run wrote (the sticky comment, the deployment). A run is stale once GitHub's current
head of its pull request is another commit and a record names that head (a run of it reported): a
newer head alone may never run (the workflow's `paths`). GitHub has no conditional write for
comments or statuses, so the check is read-then-write. PyGithub is imported inside functions: cold
start."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from hf_action.github.refusal import refusal_message

if TYPE_CHECKING:
    from github import Github

_HEAD = re.compile(r"<!-- hf-deploy:head:([0-9a-f]{7,64}) -->")
_SHA = re.compile(r"[0-9a-f]{7,64}")


def head_marker(sha: str) -> str:
    """The hidden line that records the full head a comment describes ("" for no commit id)."""
    sha = sha.lower()
    return f"<!-- hf-deploy:head:{sha} -->" if _SHA.fullmatch(sha) else ""


def described_head(body: str) -> str | None:
    """The head a comment describes: a head marker on its last line (``render`` puts it there),
    or None. A marker anywhere else (a build log's line in the comment) cannot pose as it."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    found = _HEAD.fullmatch(lines[-1]) if lines else None
    return found.group(1) if found else None


class PullHead:
    """This run's head of one pull request, and GitHub's current head when asked.

    A head that cannot be read (a token without ``pull-requests: read``, GitHub down) counts as
    ours: the run writes its records unchecked; ``unread`` keeps why, for the one notice the
    run's report prints. One per run, shared by its comment and its deployment: once
    either finds a newer run, both leave their records to it (``newer``).
    """

    def __init__(self, repository: str, number: int, ours: str) -> None:
        self.repository, self.number, self.ours = repository, number, ours.lower()
        self.unread: str | None = None
        self.newer: str | None = None  # the current head, once a record of it was found

    def newer_run(self, gh: Github, recorded: Callable[[], Iterable[str]]) -> str | None:
        """The pull request's current head when it moved on from ours and one of the ``recorded``
        heads (asked only then) is it: a run of that head has reported. Remembered for the run."""
        if self.newer is None:
            current = self.moved_on(gh)
            if current is not None and current in {sha.lower() for sha in recorded()}:
                self.newer = current
        return self.newer

    def moved_on(self, gh: Github) -> str | None:
        """The pull request's current head when it is no longer ours, else None."""
        from github import GithubException  # lazy: cold start

        try:
            current = str(gh.get_repo(self.repository).get_pull(self.number).head.sha).lower()
        except GithubException as exc:
            self._cannot(f"HTTP {exc.status}: {refusal_message(exc.data)}".rstrip(": "))
            return None
        except Exception as exc:  # network: a report is a courtesy, never a failure
            self._cannot(f"{type(exc).__name__}: {exc}")
            return None
        return None if current == self.ours else current

    def _cannot(self, detail: str) -> None:
        self.unread = self.unread or detail
