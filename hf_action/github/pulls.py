"""Ask GitHub what became of pull requests: the cleanup of orphaned previews deletes a preview only
when its pull request is known to be closed."""

from __future__ import annotations

from collections.abc import Iterable

from hf_action.github.deployments import open_client
from hf_action.github.refusal import refusal_message

#: A pull request's fate: ``open``, ``closed``, ``merged`` (closed too) or ``missing`` (no such pull
#: request in this repository: a Space named like a preview that is none).
CLOSED = frozenset({"closed", "merged"})


def pull_states(
    token: str, repository: str, api_url: str, numbers: Iterable[int]
) -> tuple[dict[int, str], list[str]]:
    """The state of each pull request GitHub answered for, and one line per one it did not."""
    from github import GithubException  # lazy: cold start

    states: dict[int, str] = {}
    failures: list[str] = []
    gh = open_client(token, api_url)
    try:
        repo = gh.get_repo(repository)
        for number in numbers:
            try:
                pull = repo.get_pull(number)
                states[number] = "merged" if pull.merged else pull.state
            except GithubException as exc:
                if exc.status == 404:
                    states[number] = "missing"
                else:
                    failures.append(
                        f"#{number}: HTTP {exc.status} {refusal_message(exc.data)}".rstrip()
                    )
            except Exception as exc:  # network: the preview is kept, the others still checked
                failures.append(f"#{number}: {type(exc).__name__}: {exc}")
    finally:
        gh.close()
    return states, failures
