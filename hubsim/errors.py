"""Hub-style error responses: status, JSON ``{"error": ...}`` body and X-Error-* headers.

The client (``hf_raise_for_status``) picks its exception type from the status code and from
``X-Error-Code`` / ``X-Error-Message``, so these must match what huggingface.co sends.
"""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """Raised by route handlers; the server turns it into an HTTP error response."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        header_message: bool = True,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.extra = extra or {}
        self.headers = dict(headers or {})
        self.header_message = header_message

    def body(self) -> dict[str, Any]:
        return {"error": self.message, **self.extra}

    def response_headers(self) -> dict[str, str]:
        out = dict(self.headers)
        if self.code:
            out["X-Error-Code"] = self.code
        if self.header_message:
            out["X-Error-Message"] = self.message
        return out


def invalid_credentials() -> HubError:
    return HubError(401, "Invalid credentials in Authorization header")


def repo_not_found() -> HubError:
    return HubError(404, "Repository not found", code="RepoNotFound")


def revision_not_found(rev: str) -> HubError:
    return HubError(404, f"Invalid rev id: {rev}", code="RevisionNotFound")


def entry_not_found(path: str) -> HubError:
    return HubError(404, f"Entry not found: {path}", code="EntryNotFound")


def forbidden(message: str) -> HubError:
    return HubError(403, message)


def bad_request(message: str) -> HubError:
    return HubError(400, message)


def not_found(message: str = "Not Found") -> HubError:
    return HubError(404, message)


def rate_limited(retry_after: int, resource: str = "api") -> HubError:
    """429 with Retry-After and IETF RateLimit headers the client parses."""
    return HubError(
        429,
        "You have exceeded the rate limit for repository creation, please try again later.",
        headers={
            "Retry-After": str(retry_after),
            "RateLimit": f'"{resource}";r=0;t={retry_after}',
            "RateLimit-Policy": f'"fixed window";"{resource}";q=10;w=3600',
        },
    )
