"""Keyless deploys on every Hub the evidence allows (issue 20, item 6): the exchanged token's prefix
(`hf_jwt_`, `hf_oauth_`, or one no source names) and its whoami answer (fine-grained, an app, the
synthetic `[OIDC]` user, no `name`, refused 401/403) are recorded nowhere, so a run must depend on
neither: the Space comes from the inputs, the lifetime from the exchange's answer. hubsim's knobs:
`hub.settings.token_prefix`, `hub.settings.whoami_shape`, `hub.settings.token_lifetime`, `hub.settings.report_expiry`."""

from __future__ import annotations

import itertools

import pytest

from hf_action.errors import ActionError
from hf_action.hub.client import Identity, check_can_write, whoami
from hf_action.hub.keyless import DEFAULT_LIFETIME, lifetime
from hubsim.settings import TOKEN_PREFIXES, WhoamiShape
from tests.conftest import copy_example
from tests.fakes.github_oidc import FakeGitHubOidc

# Every whoami shape once, the prefixes in turn (each twice): a run reads neither.
CASES = list(zip(WhoamiShape, itertools.cycle(TOKEN_PREFIXES), strict=False))


@pytest.fixture
def github(hub):
    fake = FakeGitHubOidc(hub.oidc.issuer, repository="octo-org/octo-app").start()
    yield fake
    fake.stop()


def keyless_deploy(action, hub, github, leak_guard, **inputs: str):
    hub.create_repo("user/site", sdk="static")
    hub.oidc.trust("user/site", repository="octo-org/octo-app")
    copy_example("static-site", action.workspace)
    result = action.run({"space": "user/site", "hf-token": "", **inputs}, env=github.env())
    leak_guard.append(github.request_token)
    leak_guard.extend(t.token for t in hub.oidc.issued)
    return result


@pytest.mark.parametrize("shape,prefix", CASES, ids=[f"{s.value}-{p}" for s, p in CASES])
def test_keyless_deploy_holds_whatever_the_token_looks_like(
    action, hub, github, leak_guard, shape, prefix
):
    hub.settings.whoami_shape, hub.settings.token_prefix = shape, prefix
    result = keyless_deploy(action, hub, github, leak_guard).assert_ok()
    (issued,) = hub.oidc.issued
    assert issued.token.startswith(prefix)
    lines = result.stdout.splitlines()
    mask = lines.index(f"::add-mask::{issued.token}")
    assert not any(issued.token in line for line in lines[:mask])  # masked before any use
    assert result.outputs["stage"] == "RUNNING" and result.outputs["space-id"] == "user/site"
    files = hub.repo("user/site").files
    assert files["index.html"].content == (action.workspace / "index.html").read_bytes()
    assert hub.counters.requests["GET /api/whoami-v2"] == 0  # the run never asked


def test_keyless_lifetime_is_the_exchange_answers(action, hub, github, leak_guard):
    hub.settings.token_lifetime = 900.0  # shorter than the default timeout (20m)
    result = keyless_deploy(action, hub, github, leak_guard).assert_ok()
    assert "valid 900s." in result.stdout
    (warning,) = result.warnings
    assert "1200s" in warning and "900s" in warning and "nothing renews it" in warning


def test_keyless_answer_without_expires_in_assumes_the_librarys_hour(
    action, hub, github, leak_guard
):
    hub.settings.report_expiry = False
    result = keyless_deploy(action, hub, github, leak_guard).assert_ok()
    assert f"valid {DEFAULT_LIFETIME}s (assumed: the answer stated no expires_in)" in result.stdout
    assert result.warnings == []  # 20m is within the assumed hour


@pytest.mark.parametrize(
    "answer,expected",
    [
        ({"expires_in": 3600}, (3600, True)),
        ({"expires_in": 120.0}, (120, True)),
        ({"expires_in": "900"}, (900, True)),
        ({}, (DEFAULT_LIFETIME, False)),
        ({"expires_in": None}, (DEFAULT_LIFETIME, False)),
        ({"expires_in": "soon"}, (DEFAULT_LIFETIME, False)),
        ({"expires_in": 0}, (DEFAULT_LIFETIME, False)),
        ({"expires_in": True}, (DEFAULT_LIFETIME, False)),
    ],
)
def test_lifetime_reads_expires_in_or_says_it_assumed(answer, expected):
    assert lifetime(answer) == expected


class _Api:
    def __init__(self, answer: dict) -> None:
        self.answer = answer

    def whoami(self) -> dict:
        return self.answer


@pytest.mark.parametrize(
    "answer,user,role",
    [
        ({"name": "alice", "auth": {"accessToken": {"role": "write"}}}, "alice", "write"),
        ({"type": "app", "auth": {"type": "app_token", "expiresAt": "2026"}}, None, None),
        ({"name": "", "auth": None, "orgs": None}, None, None),
        ({"name": "bob", "orgs": [{"name": "acme", "roleInOrg": "admin"}, "junk"]}, "bob", None),
    ],
)
def test_whoami_reads_only_what_the_answer_has(answer, user, role):
    identity = whoami(_Api(answer))  # type: ignore[arg-type]  # a stand-in for HfApi
    assert (identity.user, identity.role) == (user, role)
    assert identity.orgs == ({"acme": "admin"} if user == "bob" else {})


def test_an_answer_naming_no_account_is_not_held_against_the_token():
    check_can_write(Identity(None, {}, "write"), "acme")  # the Hub decides
    with pytest.raises(ActionError, match="'an unnamed account' is read-only"):
        check_can_write(Identity(None, {}, "read"), "acme")
    with pytest.raises(ActionError, match="not a member of 'acme'"):
        check_can_write(Identity("bob", {}, "write"), "acme")


@pytest.mark.parametrize("operation", ["restart", "pause"])
def test_keyless_operations_hold_when_whoami_is_refused(action, hub, github, leak_guard, operation):
    hub.settings.whoami_shape = WhoamiShape.REFUSED_403
    hub.create_repo("user/site", sdk="static")
    hub.oidc.trust("user/site", repository="octo-org/octo-app")
    inputs = {"space": "user/site", "hf-token": "", "operation": operation}
    result = action.run(inputs, env=github.env())
    leak_guard.append(github.request_token)
    leak_guard.extend(t.token for t in hub.oidc.issued)
    result.assert_ok()
    assert hub.counters.requests[f"POST /api/spaces/{{repo}}/{operation}"] == 1
    assert hub.counters.requests["GET /api/whoami-v2"] == 0


def test_keyless_exact_mode_deletes_unlisted_secrets_and_keeps_the_listed_unchanged(
    action, hub, github, leak_guard
):
    """`secrets-mode: exact` with an exchanged token: the stale secret goes, the listed one stays,
    and a second run with a new token leaves it alone (the fingerprints are keyed by the Space, not
    by a token that changes every run: no restart)."""
    hub.create_repo("user/site", sdk="static")
    hub.oidc.trust("user/site", repository="octo-org/octo-app")
    hub.repo("user/site").secrets["OLD_NAME"] = "stale-value-9f8e7d6c"  # set by hand, long ago
    hub.repo("user/site").secret_meta["OLD_NAME"] = {"updatedAt": "2026-01-01T00:00:00.000Z"}
    copy_example("static-site", action.workspace)
    leak_guard.extend(["stale-value-9f8e7d6c", "key-one-123456", github.request_token])
    inputs = {"space": "user/site", "hf-token": "", "secrets": "API_KEY=key-one-123456\n"}
    inputs["secrets-mode"] = "exact"
    first = action.run(inputs, env=github.env()).assert_ok()
    assert hub.repo("user/site").secrets == {"API_KEY": "key-one-123456"}
    assert "Deleting secrets (OLD_NAME)" in first.stdout
    restarts = hub.counters.restarts
    again = action.run(inputs, env=github.env()).assert_ok()
    leak_guard.extend(t.token for t in hub.oidc.issued)
    assert len(hub.oidc.issued) == 2 and hub.oidc.issued[0].token != hub.oidc.issued[1].token
    assert "secrets to set: none (unchanged: API_KEY)" in again.stdout
    assert hub.counters.restarts == restarts
    assert hub.counters.requests["GET /api/whoami-v2"] == 0
