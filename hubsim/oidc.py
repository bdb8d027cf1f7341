"""Keyless deploys ("Trusted Publishers"): a fake CI OIDC issuer, the publishers trusted per repo
and the short-lived repo-scoped tokens the Hub hands out at ``POST /oauth/token`` (RFC 8693).

The real flow: a GitHub job with ``permissions: id-token: write`` mints an id token (a JWT signed by
``https://token.actions.githubusercontent.com``, ``aud`` = the Hub URL) and exchanges it for a Hub
token scoped to one repository (``resource`` = ``spaces/owner/name``) that lasts an hour. Here the
issuer signs with HMAC (HS256) so the tests' fake GitHub endpoint and the simulator share one key
without any crypto dependency; everything else (audience, expiry, exact claim match, scope, lifetime)
is checked the way the Hub documents it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import HubError, forbidden, invalid_credentials, repo_not_found
from .settings import TOKEN_PREFIXES, Settings, WhoamiShape

if TYPE_CHECKING:
    from .model import Hub
    from .web import Request

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105 - a type name
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105
RESOURCE_PREFIXES = {"spaces/": "space", "datasets/": "dataset", "kernels/": "kernel"}
NO_REPO_READ_ONLY = "You have read access but not the required permissions for this operation"
OIDC_USER = (
    "[OIDC]"  # hub-docs trusted-publishers: pushes are attributed to a synthetic `[OIDC]` user
)


class OAuthError(HubError):
    """RFC 6749 error body ``{"error", "error_description"}``, which the client shows as
    ``invalid_grant: <description>``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(
            status, error, extra={"error_description": description}, header_message=False
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FakeIssuer:
    """The CI provider's side: mints and verifies HS256 JWTs (GitHub signs RS256; same claims)."""

    def __init__(self, issuer: str = GITHUB_ISSUER, key: bytes | None = None) -> None:
        self.issuer = issuer
        self.key = key or secrets.token_bytes(32)

    def mint(self, audience: str, *, ttl: float = 300, **claims: Any) -> str:
        """An id token like GitHub's: ``iss``, ``aud``, ``iat``, ``exp`` + the given claims."""
        now = int(time.time())
        body = {"iss": self.issuer, "aud": audience, "iat": now, "nbf": now, "exp": now + ttl}
        body.update(claims)
        head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "hubsim"}).encode())
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        sig = hmac.new(self.key, f"{head}.{payload}".encode(), hashlib.sha256).digest()
        return f"{head}.{payload}.{_b64(sig)}"

    def verify(self, token: str) -> dict[str, Any]:
        """Claims of a token this issuer signed; ValueError(reason) otherwise (signature, expiry)."""
        try:
            head, payload, sig = token.split(".")
            claims = json.loads(_unb64(payload))
            given = _unb64(sig)
        except ValueError:
            raise ValueError("the subject token is not a JWT") from None
        want = hmac.new(self.key, f"{head}.{payload}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(want, given):
            raise ValueError("the subject token's signature does not verify")
        if claims.get("iss") != self.issuer:
            raise ValueError(f"untrusted issuer {claims.get('iss')!r}")
        if float(claims.get("exp", 0)) < time.time():
            raise ValueError("the subject token has expired")
        return claims


@dataclass(frozen=True)
class Publisher:
    """A trusted publisher configured on one repo: every claim must match exactly."""

    repo_type: str
    repo_id: str
    claims: tuple[tuple[str, str], ...]


@dataclass
class ScopedToken:
    """A token issued by the exchange: write access to one repo until ``expires_at`` (monotonic)."""

    token: str
    user: str
    repo_type: str
    repo_id: str
    expires_at: float
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.expires_at

    @property
    def resource(self) -> str:
        prefix = {v: k for k, v in RESOURCE_PREFIXES.items()}.get(self.repo_type, "")
        return prefix + self.repo_id


def parse_resource(resource: str) -> tuple[str, str]:
    """``spaces/owner/name`` -> ("space", "owner/name"); ``owner/name`` -> ("model", ...)."""
    for prefix, rtype in RESOURCE_PREFIXES.items():
        if resource.startswith(prefix):
            resource, repo_type = resource[len(prefix) :], rtype
            break
    else:
        repo_type = "model"
    parts = resource.split("/")
    if len(parts) != 2 or not all(parts):
        raise OAuthError("invalid_target", f"Invalid resource {resource!r}: expected a repo id")
    return repo_type, resource


class Oidc:
    """Trust configuration and the tokens issued so far (inspectable by tests)."""

    def __init__(self, user: str, settings: Settings) -> None:
        self.user = user  # the simulator has one account: it configures the publishers
        self.settings = settings  # token lifetime, expiry reported, audience, token shapes
        self.issuer = FakeIssuer()
        self.publishers: list[Publisher] = []
        self.issued: list[ScopedToken] = []
        self.refusals: list[str] = []
        self._lock = threading.Lock()

    def trust(self, repo_id: str, repo_type: str = "space", **claims: str) -> Publisher:
        """Configure a trusted publisher, e.g. ``trust("user/app", repository="octo/app")``."""
        if not claims:
            raise ValueError("a trusted publisher needs at least one claim (e.g. repository=)")
        pub = Publisher(repo_type, repo_id, tuple(sorted(claims.items())))
        with self._lock:
            self.publishers.append(pub)
        return pub

    def lookup(self, token: str) -> ScopedToken | None:
        with self._lock:
            return next((t for t in self.issued if t.token == token), None)

    def exchange(self, body: dict[str, Any], base_url: str) -> dict[str, Any]:
        """Validate an RFC 8693 request and issue a scoped token; OAuthError when refused."""
        try:
            return self._exchange(body, base_url)
        except OAuthError as err:
            with self._lock:
                self.refusals.append(str(err.extra.get("error_description")))
            raise

    def _exchange(self, body: dict[str, Any], base_url: str) -> dict[str, Any]:
        if body.get("grant_type") != GRANT_TYPE:
            raise OAuthError("unsupported_grant_type", f"grant_type must be {GRANT_TYPE}")
        if body.get("subject_token_type") != ID_TOKEN_TYPE:
            raise OAuthError("invalid_request", f"subject_token_type must be {ID_TOKEN_TYPE}")
        subject, resource = body.get("subject_token"), body.get("resource")
        if not isinstance(subject, str) or not subject:
            raise OAuthError("invalid_request", "subject_token is required")
        if not isinstance(resource, str) or not resource:
            raise OAuthError("invalid_request", "resource is required")
        try:
            claims = self.issuer.verify(subject)
        except ValueError as exc:
            raise OAuthError("invalid_grant", str(exc)) from None
        audience = self.settings.audience or base_url
        if claims.get("aud") != audience:
            raise OAuthError("invalid_grant", f"audience {claims.get('aud')!r} is not {audience!r}")
        repo_type, repo_id = parse_resource(resource)
        if not any(self._matches(p, repo_type, repo_id, claims) for p in self.publishers):
            raise OAuthError(
                "invalid_grant",
                f"no trusted publisher of {resource} matches this token "
                f"(repository={claims.get('repository')!r})",
            )
        scoped = ScopedToken(
            self._new_token(),
            self.user,
            repo_type,
            repo_id,
            time.monotonic() + self.settings.token_lifetime,
            claims,
        )
        with self._lock:
            self.issued.append(scoped)
        answer: dict[str, Any] = {
            "access_token": scoped.token,
            "token_type": "bearer",
            "issued_token_type": ACCESS_TOKEN_TYPE,
        }
        if self.settings.report_expiry:
            answer["expires_in"] = int(self.settings.token_lifetime)
        return answer

    def _new_token(self) -> str:
        """`hf_jwt_` + a JWT's three dot-separated parts (as the name says); others opaque."""
        prefix = self.settings.token_prefix
        if prefix == TOKEN_PREFIXES[0]:  # hf_jwt_
            return prefix + ".".join(secrets.token_urlsafe(n) for n in (18, 48, 32))
        return prefix + secrets.token_urlsafe(24)

    def whoami(self, scoped: ScopedToken, user_answer: dict[str, Any]) -> dict[str, Any]:
        """`/api/whoami-v2` for an exchanged token, in the shape `whoami_shape` picks."""
        shape = self.settings.whoami_shape
        if shape is WhoamiShape.REFUSED_401:
            raise invalid_credentials()
        if shape is WhoamiShape.REFUSED_403:
            raise forbidden("This token cannot be used to get user information")
        if shape is WhoamiShape.APP:
            expires = datetime.now(UTC) + timedelta(seconds=scoped.expires_at - time.monotonic())
            return {
                "type": "app",
                "id": "7" + "0" * 23,
                "name": OIDC_USER,
                "scope": {"entities": [scoped.resource], "role": "write"},
                "auth": {"type": "app_token", "expiresAt": expires.isoformat()},
            }
        answer = dict(user_answer)
        if shape is WhoamiShape.OIDC_USER:
            answer.update(name=OIDC_USER, fullname=OIDC_USER, orgs=[])
        elif shape is WhoamiShape.NO_NAME:
            answer.pop("name", None)
        return answer

    @staticmethod
    def _matches(pub: Publisher, repo_type: str, repo_id: str, claims: dict[str, Any]) -> bool:
        return (pub.repo_type, pub.repo_id) == (repo_type, repo_id) and all(
            str(claims.get(k)) == v for k, v in pub.claims
        )


# ----------------------------------------------------------------- scope enforcement
_UNSCOPED = ("/api/whoami-v2", "/api/validate-yaml", "/oauth/token", "/api/spaces/hardware")


def _route_repo(req: Request, template: str) -> tuple[str, str] | None:
    """(type, repo id) a request is about, from the route's placeholders."""
    repo = req.params.get("repo")
    if repo is None:
        return None
    if "type" in req.params:
        return req.params["type"], repo
    if "prefix" in req.params:
        return RESOURCE_PREFIXES.get(req.params["prefix"], "model"), repo
    return ("space" if template.startswith("/api/spaces/") else "model"), repo


def _is_write(req: Request, template: str) -> bool:
    return req.method not in ("GET", "HEAD") or "write-token" in template


def check_scope(hub: Hub, req: Request, template: str) -> None:
    """A repo-scoped token writes only to its repo and sees only public repos besides it; it
    cannot create or delete repositories (403, as a fine-grained token without those rights)."""
    who = req.principal
    assert who is not None and who.scope is not None
    if template in _UNSCOPED or template.startswith(("/lfs-", "/xet-cas")):
        return
    if template == "/api/repos/create":
        body = req.json()
        rtype = body.get("type") or "model"
        repo_id = f"{body.get('organization') or who.user}/{body.get('name')}"
        if (rtype, repo_id) == who.scope and hub.repo(repo_id, rtype) is not None:
            return  # the route answers 409 "already exists", as for any token
        raise forbidden(
            f"You don't have the rights to create a {rtype} under the namespace "
            f'"{body.get("organization") or who.user}"'
        )
    if template == "/api/repos/delete":
        raise forbidden("You don't have the rights to delete this repository")
    target = _route_repo(req, template)
    if target is None or target == who.scope:
        return
    if _is_write(req, template):
        raise forbidden(NO_REPO_READ_ONLY)
    repo = hub.repo(target[1], target[0])
    if repo is not None and repo.private:
        raise repo_not_found()
