"""The workflow run's triggering event: the runner writes the webhook payload to a file
(``GITHUB_EVENT_PATH``); only the pull-request fields the preview flow needs are kept, in a frozen
dataclass, so the rest of the action never digs through raw JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hf_action.errors import EventError
from hf_action.github.context import GitHubContext
from hf_action.preview import PullRequest

#: Events whose payload carries a ``pull_request`` object we deploy previews for.
PR_EVENTS = frozenset({"pull_request", "pull_request_target"})


def load_pull_request(github: GitHubContext) -> PullRequest | None:
    """The pull request behind this run, or None for other events. EventError when the run is a
    PR event whose payload cannot be read: deploying the wrong commit would be worse than stopping."""
    name = github.event_name
    if name not in PR_EVENTS:
        return None
    path = github.event_path
    if not path:
        raise EventError(
            f"GITHUB_EVENT_NAME is {name!r} but GITHUB_EVENT_PATH is not set; "
            "the action must run inside a GitHub Actions job"
        )
    try:
        with open(path, encoding="utf-8") as fh:
            payload = json.load(fh)
    except FileNotFoundError:
        raise EventError(f"event file {path!r} (GITHUB_EVENT_PATH) does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EventError(f"cannot read event file {path!r} (GITHUB_EVENT_PATH): {exc}") from None
    except json.JSONDecodeError as exc:
        raise EventError(
            f"event file {path!r} (GITHUB_EVENT_PATH) is not valid JSON: {exc}"
        ) from None
    return parse_pull_request(payload, event_name=name)


def parse_pull_request(payload: Any, *, event_name: str = "pull_request") -> PullRequest:
    """Build a PullRequest from a ``pull_request``/``pull_request_target`` payload."""
    if not isinstance(payload, Mapping):
        raise EventError(f"{event_name} event payload is not a JSON object")
    pr = _mapping(payload, "pull_request", event_name)
    head = _mapping(pr, "head", f"{event_name}.pull_request")
    base = _mapping(pr, "base", f"{event_name}.pull_request")
    base_repo_obj = _mapping(base, "repo", f"{event_name}.pull_request.base")
    head_repo_obj = head.get("repo")
    if head_repo_obj is not None and not isinstance(head_repo_obj, Mapping):
        raise EventError(f"{event_name}.pull_request.head.repo is not an object")

    number = payload.get("number", pr.get("number"))
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise EventError(f"{event_name} payload has no valid pull request number (got {number!r})")

    base_repo = _string(base_repo_obj, "full_name", f"{event_name}.pull_request.base.repo")
    head_repo = None
    if head_repo_obj is not None:
        head_repo = _string(head_repo_obj, "full_name", f"{event_name}.pull_request.head.repo")
    # Repository names are case-insensitive on GitHub; a deleted fork (null repo)
    # is still a fork: its code came from outside the base repository.
    is_fork = head_repo is None or head_repo.lower() != base_repo.lower()

    return PullRequest(
        number=number,
        action=_string(payload, "action", event_name),
        head_sha=_string(head, "sha", f"{event_name}.pull_request.head"),
        head_repo=head_repo,
        base_repo=base_repo,
        is_fork=is_fork,
        merged=pr.get("merged") is True,
        html_url=str(pr.get("html_url") or ""),
        author=str((pr.get("user") or {}).get("login") or ""),
    )


def _mapping(obj: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = obj.get(key)
    if not isinstance(value, Mapping):
        raise EventError(f"{where}.{key} is missing or not an object")
    return value


def _string(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise EventError(f"{where}.{key} is missing or not a non-empty string")
    return value
