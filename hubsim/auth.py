"""Token -> principal resolution and write-permission checks, mirroring the Hub's rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import HubError, forbidden, invalid_credentials


@dataclass(frozen=True)
class Principal:
    """Who is calling: ``user`` is None for anonymous requests."""

    user: str | None
    role: str  # "write" | "read" | "anonymous"
    token: str | None = None
    scope: tuple[str, str] | None = None  # (type, repo id) of a token from the OIDC exchange


class Auth:
    """Holds configured tokens and org memberships."""

    def __init__(self, user: str, tokens: dict[str, str]) -> None:
        self.user = user
        self.tokens = dict(tokens)
        self.orgs: dict[str, dict[str, str]] = {}
        self.pro = False
        self.billing = False  # a payment method on file: every flavor, GPUs too
        self.scoped_lookup: Callable[[str], Any] | None = None  # token -> oidc.ScopedToken

    def add_org(self, name: str, members: dict[str, str]) -> None:
        self.orgs[name] = dict(members)

    def identify(self, authorization: str | None) -> Principal:
        """Resolve the Authorization header; unknown bearer tokens are a 401 like on the Hub."""
        if not authorization:
            return Principal(None, "anonymous")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise invalid_credentials()
        role = self.tokens.get(token)
        if role is None:
            scoped = self.scoped_lookup(token) if self.scoped_lookup else None
            if scoped is None or scoped.expired:  # an exchanged token lives an hour, then 401
                raise invalid_credentials()
            return Principal(scoped.user, "write", token, (scoped.repo_type, scoped.repo_id))
        return Principal(self.user, role, token)

    def can_read(self, who: Principal, owner: str, private: bool) -> bool:
        if not private:
            return True
        if who.user is None:
            return False
        return who.user == owner or who.user in self.orgs.get(owner, {})

    def can_write(self, who: Principal, owner: str) -> bool:
        if who.user is None or who.role != "write":
            return False
        if owner == who.user:
            return True
        return self.orgs.get(owner, {}).get(who.user) in ("write", "admin")

    def require_user(self, who: Principal) -> Principal:
        if who.user is None:
            raise HubError(401, "Invalid username or password.")
        return who

    def require_write(self, who: Principal, owner: str, message: str) -> None:
        self.require_user(who)
        if not self.can_write(who, owner):
            raise forbidden(message)

    def whoami(self, who: Principal) -> dict:
        """Body of ``/api/whoami-v2`` for an authenticated user."""
        orgs = [
            {"type": "org", "name": org, "fullname": org, "roleInOrg": role, "isEnterprise": False}
            for org, members in self.orgs.items()
            if (role := members.get(who.user or ""))
        ]
        return {
            "type": "user",
            "id": "6" + "0" * 23,
            "name": who.user,
            "fullname": who.user,
            "email": f"{who.user}@example.com",
            "emailVerified": True,
            "canPay": self.pro,
            "isPro": self.pro,
            "periodEnd": None,
            "avatarUrl": "/avatars/default.svg",
            "orgs": orgs,
            "auth": {"type": "access_token", "accessToken": self._token_json(who)},
        }

    @staticmethod
    def _token_json(who: Principal) -> dict:
        """A scoped (exchanged) token shows as fine-grained with write on its one repo."""
        token: dict[str, Any] = {
            "displayName": "hubsim",
            "role": who.role,
            "createdAt": "2025-01-01T00:00:00.000Z",
        }
        if who.scope is not None:
            rtype, repo_id = who.scope
            token["displayName"] = "oidc"
            token["role"] = "fineGrained"
            token["fineGrained"] = {
                "canReadGatedRepos": False,
                "global": [],
                "scoped": [
                    {
                        "entity": {"_id": "0" * 24, "type": rtype, "name": repo_id},
                        "permissions": ["repo.content.read", "repo.write"],
                    }
                ],
            }
        return token
