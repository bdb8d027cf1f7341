"""Real GitHub webhook payloads for tests, from the npm package @octokit/webhooks-examples.

The package (pinned in tests/fixtures/webhooks/package.json, installed by
scripts/test with ``npm ci``) ships one file, ``api.github.com/index.json``: a
list of ``{"name": <event>, "actions": [...], "examples": [<payload>, ...]}``.
Fork and merged variants do not exist there, so they are derived from the real
payloads by editing deep copies.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

PACKAGE_DIR = (
    Path(__file__).resolve().parent
    / "fixtures"
    / "webhooks"
    / "node_modules"
    / "@octokit"
    / "webhooks-examples"
)
INDEX = PACKAGE_DIR / "api.github.com" / "index.json"
FORK_OWNER = "octo-forker"


class WebhookExamplesMissing(RuntimeError):
    """The npm fixture package is not installed; the tests must not silently skip."""


@functools.lru_cache(maxsize=1)
def _index() -> tuple[dict[str, Any], ...]:
    if not INDEX.is_file():
        raise WebhookExamplesMissing(
            f"{INDEX} not found: install the webhook fixtures with "
            "`npm ci --prefix tests/fixtures/webhooks` (bash scripts/test does this)"
        )
    data = json.loads(INDEX.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise WebhookExamplesMissing(f"{INDEX} is not the expected list of webhook definitions")
    return tuple(data)


def examples(event: str) -> list[dict[str, Any]]:
    """All example payloads of ``event`` (deep copies, safe to edit)."""
    for definition in _index():
        if definition.get("name") == event:
            return copy.deepcopy(definition["examples"])
    raise KeyError(f"no webhook examples for event {event!r} in {INDEX}")


def load_example(action: str, *, fork: bool = False, merged: bool = False) -> dict[str, Any]:
    """A real ``pull_request`` payload for ``action``, optionally from a fork and/or merged."""
    matching = [p for p in examples("pull_request") if p.get("action") == action]
    if not matching:
        known = sorted({p.get("action") for p in examples("pull_request")})
        raise KeyError(f"no pull_request example with action {action!r}; available: {known}")
    payload = matching[0]
    if fork:
        _make_fork(payload)
    if merged:
        if action != "closed":
            raise ValueError("only a closed pull request can be merged")
        _make_merged(payload)
    return payload


def _make_fork(payload: dict[str, Any]) -> None:
    """Point head.repo at another owner's fork of the base repository."""
    head = payload["pull_request"]["head"]
    base_repo = payload["pull_request"]["base"]["repo"]
    repo = copy.deepcopy(base_repo)
    name = repo["name"]
    old_owner = repo["owner"]["login"]
    repo["owner"]["login"] = FORK_OWNER
    repo["owner"]["id"] = repo["owner"]["id"] + 1000
    repo["id"] = repo["id"] + 1000
    repo["full_name"] = f"{FORK_OWNER}/{name}"
    repo["fork"] = True
    for key, value in list(repo.items()):
        if isinstance(value, str) and f"/{old_owner}/{name}" in value:
            repo[key] = value.replace(f"/{old_owner}/{name}", f"/{FORK_OWNER}/{name}")
    head["repo"] = repo
    head["user"] = copy.deepcopy(repo["owner"])
    head["label"] = f"{FORK_OWNER}:{head['ref']}"


def _make_merged(payload: dict[str, Any]) -> None:
    pr = payload["pull_request"]
    closed_at = pr.get("closed_at") or pr["updated_at"]
    pr.update(
        state="closed",
        merged=True,
        merged_at=closed_at,
        closed_at=closed_at,
        merged_by=copy.deepcopy(payload["sender"]),
        merge_commit_sha=pr.get("merge_commit_sha") or "f" * 40,
    )


def event_env(directory: Path, payload: Any, event_name: str = "pull_request") -> dict[str, str]:
    """Write ``payload`` like the runner does and return the matching environment."""
    path = directory / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    repo = (
        payload.get("repository", {}).get("full_name", "owner/repo")
        if isinstance(payload, dict)
        else "owner/repo"
    )
    return {
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_REPOSITORY": repo,
        "GITHUB_SHA": "0" * 40,
    }
