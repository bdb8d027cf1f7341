"""What GitHub said when it refused a request: the `message` of its JSON answer, the line our
warnings and notices quote (PyGithub's own `GithubException.message` is a client-side note, not it)."""

from __future__ import annotations

from collections.abc import Mapping


def refusal_message(data: object) -> str:
    """GitHub's message from a refusal's decoded body (`GithubException.data`); a body that is not
    JSON is cut to 200 characters."""
    if isinstance(data, Mapping):
        return str(data.get("message") or "")
    return str(data or "")[:200]
