"""Secrets and variables of the Space: which need writing, and writing them.

Secret values are write-only on the Hub, so to avoid re-setting them (and restarting the Space) on every
deploy we store an HMAC of each value, keyed with the deploy token, in the secret's description.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass

FINGERPRINT_PREFIX = "hf-deploy:"


def fingerprint(token: str, key: str, value: str) -> str:
    digest = hmac.new(token.encode(), f"{key}\0{value}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{FINGERPRINT_PREFIX}{digest}"


@dataclass(frozen=True)
class EnvPlan:
    """Which keys need writing; values stay out of it so the plan is safe to print."""

    secrets_to_set: tuple[str, ...]
    secrets_unchanged: tuple[str, ...]
    variables_to_set: tuple[str, ...]
    variables_unchanged: tuple[str, ...]
    secrets_to_delete: tuple[str, ...] = ()  # on the Space, not listed, and the mode is exact
    variables_to_delete: tuple[str, ...] = ()

    @property
    def changes(self) -> bool:
        return bool(
            self.secrets_to_set
            or self.variables_to_set
            or self.secrets_to_delete
            or self.variables_to_delete
        )


def plan_env(
    token: str,
    wanted_secrets: dict[str, str],
    wanted_variables: dict[str, str],
    remote_secret_descriptions: dict[str, str | None],
    remote_variables: dict[str, str],
    *,
    exact_secrets: bool = False,
    exact_variables: bool = False,
) -> EnvPlan:
    """What to write; with an exact mode, also what to delete: the Space's keys not listed."""
    s_set: list[str] = []
    s_same: list[str] = []
    v_set: list[str] = []
    v_same: list[str] = []
    for key, value in wanted_secrets.items():
        same = remote_secret_descriptions.get(key) == fingerprint(token, key, value)
        (s_same if key in remote_secret_descriptions and same else s_set).append(key)
    for key, value in wanted_variables.items():
        (v_same if remote_variables.get(key) == value else v_set).append(key)
    s_del = sorted(set(remote_secret_descriptions) - set(wanted_secrets)) if exact_secrets else []
    v_del = sorted(set(remote_variables) - set(wanted_variables)) if exact_variables else []
    return EnvPlan(
        tuple(s_set), tuple(s_same), tuple(v_set), tuple(v_same), tuple(s_del), tuple(v_del)
    )


def apply_env(
    plan: EnvPlan,
    token: str,
    wanted_secrets: dict[str, str],
    wanted_variables: dict[str, str],
    add_secret: Callable[[str, str, str], object],
    add_variable: Callable[[str, str], object],
    delete_secret: Callable[[str], object],
    delete_variable: Callable[[str], object],
) -> None:
    """Deletions first: a key moved from the secrets to the variables (or back) is free again
    before it is added under its new kind."""
    for key in plan.secrets_to_delete:
        delete_secret(key)
    for key in plan.variables_to_delete:
        delete_variable(key)
    for key in plan.secrets_to_set:
        add_secret(key, wanted_secrets[key], fingerprint(token, key, wanted_secrets[key]))
    for key in plan.variables_to_set:
        add_variable(key, wanted_variables[key])


def describe_keys(keys: Iterable[str]) -> str:
    return ", ".join(sorted(keys)) or "none"
