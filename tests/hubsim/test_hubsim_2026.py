"""The Hub of 2026 in the simulator, driven by the real huggingface_hub client: the OIDC token
exchange and its scoping, the plan rules of 2026-07-21, protected Spaces, RateLimit 429s and
the hardware listing."""

from __future__ import annotations

import time

import httpx2 as httpx
import pytest
from huggingface_hub import CommitOperationAdd, HfApi, SpaceHardware
from huggingface_hub._oidc import exchange_oidc_token
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from hubsim.plans import PLAN_REQUIRED
from tests.fakes.github_oidc import FakeGitHubOidc

WRITE = "hf_write_token"  # the token of the `api` fixture (tests/hubsim/conftest.py)


@pytest.fixture
def github(sim):
    fake = FakeGitHubOidc(sim.oidc.issuer).start()
    yield fake
    fake.stop()


def _id_token(sim, **claims) -> str:
    base = {"repository": "octo-org/octo-app", "sub": "repo:octo-org/octo-app:ref:refs/heads/main"}
    return sim.oidc.issuer.mint(sim.url, **{**base, **claims})


def _exchange(sim, resource="spaces/user/app", **claims) -> dict:
    return exchange_oidc_token(
        subject_token=_id_token(sim, **claims), resource=resource, endpoint=sim.url
    )


def _add(api: HfApi, repo_id: str, path: str = "app.py") -> None:
    api.create_commit(
        repo_id,
        [CommitOperationAdd(path, b"print('hi')\n")],
        commit_message="deploy",
        repo_type="space",
    )


# ----------------------------------------------------------------- token exchange
def test_exchange_answers_a_short_lived_token_scoped_to_the_resource(sim, api):
    api.create_repo("user/app", repo_type="space", space_sdk="static")
    sim.oidc.trust("user/app", repository="octo-org/octo-app")
    answer = _exchange(sim)
    assert answer["expires_in"] == 3600 and answer["token_type"] == "bearer"
    scoped = HfApi(endpoint=sim.url, token=answer["access_token"])
    _add(scoped, "user/app")  # its own Space: writable
    assert "app.py" in sim.repo("user/app").files
    me = scoped.whoami()
    assert me["auth"]["accessToken"]["role"] == "fineGrained"
    assert me["auth"]["accessToken"]["fineGrained"]["scoped"][0]["entity"]["name"] == "user/app"


def test_exchanged_token_is_refused_for_other_repositories(sim, api):
    api.create_repo("user/app", repo_type="space", space_sdk="static")
    api.create_repo("user/other", repo_type="space", space_sdk="static")
    api.create_repo("user/secret", repo_type="space", space_sdk="static", private=True)
    sim.oidc.trust("user/app", repository="octo-org/octo-app")
    scoped = HfApi(endpoint=sim.url, token=_exchange(sim)["access_token"])
    with pytest.raises(HfHubHTTPError) as err:
        _add(scoped, "user/other")
    assert err.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as err:  # cannot create: previews need another token
        scoped.create_repo("user/preview-1", repo_type="space", space_sdk="static")
    assert err.value.response.status_code == 403
    with pytest.raises(RepositoryNotFoundError):  # private repos besides its own are invisible
        scoped.space_info("user/secret")
    assert scoped.space_info("user/other").id == "user/other"  # public reads still work
    with pytest.raises(HfHubHTTPError) as err:
        scoped.delete_repo("user/app", repo_type="space")
    assert err.value.response.status_code == 403


def test_exchanged_token_expires_after_its_lifetime(sim, api):
    api.create_repo("user/app", repo_type="space", space_sdk="static")
    sim.oidc.trust("user/app", repository="octo-org/octo-app")
    sim.settings.token_lifetime = 0.3
    answer = _exchange(sim)
    assert answer["expires_in"] == 0
    scoped = HfApi(endpoint=sim.url, token=answer["access_token"])
    scoped.space_info("user/app")
    time.sleep(0.4)
    with pytest.raises(HfHubHTTPError) as err:
        _add(scoped, "user/app")
    assert err.value.response.status_code == 401


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("untrusted repository", "no trusted publisher of spaces/user/app"),
        ("wrong audience", "audience"),
        ("other resource", "no trusted publisher of spaces/user/elsewhere"),
        ("forged", "signature"),
        ("expired", "expired"),
    ],
)
def test_exchange_refusals_are_oauth_errors(sim, api, case, expected):
    api.create_repo("user/app", repo_type="space", space_sdk="static")
    sim.oidc.trust("user/app", repository="octo-org/octo-app")
    token, resource = _id_token(sim), "spaces/user/app"
    if case == "untrusted repository":
        token = _id_token(sim, repository="mallory/fork")
    elif case == "wrong audience":
        token = sim.oidc.issuer.mint("https://huggingface.co", repository="octo-org/octo-app")
    elif case == "other resource":
        resource = "spaces/user/elsewhere"
    elif case == "forged":
        head, payload, _ = token.split(".")
        token = f"{head}.{payload}.AAAA"
    elif case == "expired":
        token = sim.oidc.issuer.mint(sim.url, ttl=-10, repository="octo-org/octo-app")
    with pytest.raises(HfHubHTTPError) as err:
        exchange_oidc_token(subject_token=token, resource=resource, endpoint=sim.url)
    assert err.value.response.status_code == 400
    assert "invalid_grant" in str(err.value) and expected in str(err.value)
    assert not sim.oidc.issued


def test_trust_matches_claims_exactly(sim, api):
    api.create_repo("user/app", repo_type="space", space_sdk="static")
    sim.oidc.trust("user/app", repository="octo-org/octo-app", environment="production")
    with pytest.raises(HfHubHTTPError):
        _exchange(sim)  # no environment claim
    assert _exchange(sim, environment="production")["access_token"]


def test_library_token_resolution_mints_from_the_github_endpoint(sim, api, github, monkeypatch):
    """HF_OIDC_RESOURCE + the runner's two variables: huggingface_hub does the whole exchange."""
    from huggingface_hub import constants
    from huggingface_hub.utils import _auth

    api.create_repo("user/app", repo_type="space", space_sdk="static")
    sim.oidc.trust("user/app", repository="octo-org/octo-app")
    monkeypatch.setattr(_auth, "_OIDC_TOKEN_CACHE", None)
    monkeypatch.setattr(constants, "ENDPOINT", sim.url)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("HF_OIDC_RESOURCE", "spaces/user/app")
    for k, v in github.env().items():
        monkeypatch.setenv(k, v)
    token = _auth.get_token()
    assert token == sim.oidc.issued[-1].token
    assert github.audiences == [sim.url]  # aud = the Hub URL
    assert sim.counters.requests["POST /oauth/token"] == 1


def test_github_endpoint_refuses_a_wrong_request_token(github):
    r = httpx.get(github.url + "&audience=x", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and github.refused == 1


# ----------------------------------------------------------------- plan rules
def test_free_account_gets_402_for_gradio_and_docker_but_not_static(sim, api):
    sim.create_repo("user/existing", sdk="gradio")  # created before the rule: keeps deploying
    sim.settings.enforce_plans = True
    for sdk in ("gradio", "docker", "streamlit"):
        with pytest.raises(HfHubHTTPError) as err:
            api.create_repo(f"user/{sdk}-app", repo_type="space", space_sdk=sdk)
        assert err.value.response.status_code == 402
        assert PLAN_REQUIRED in str(err.value)
        assert sim.repo(f"user/{sdk}-app") is None
    api.create_repo("user/site", repo_type="space", space_sdk="static")
    _add(api, "user/existing")
    assert "app.py" in sim.repo("user/existing").files


def test_pro_and_paid_orgs_create_compute_spaces(sim, api):
    sim.settings.enforce_plans = True
    sim.add_org("team-org", members={"user": "write"})
    sim.add_org("free-org", members={"user": "write"})
    sim.plans.org_plans["team-org"] = "team"
    api.create_repo("team-org/app", repo_type="space", space_sdk="gradio")
    with pytest.raises(HfHubHTTPError) as err:
        api.create_repo("free-org/app", repo_type="space", space_sdk="gradio")
    assert err.value.response.status_code == 402
    sim.set_quota(pro=True)
    api.create_repo("user/app", repo_type="space", space_sdk="docker")


# ----------------------------------------------------------------- protected visibility
def test_protected_visibility_on_create_and_in_settings(sim, api):
    api.create_repo("user/a", repo_type="space", space_sdk="static", visibility="protected")
    assert sim.repo("user/a").protected and not sim.repo("user/a").private
    api.create_repo("user/b", repo_type="space", space_sdk="static")
    api.update_repo_settings("user/b", repo_type="space", visibility="protected")
    assert sim.repo("user/b").protected
    assert api.space_info("user/b").private is False  # the Space page stays public
    api.update_repo_settings("user/b", repo_type="space", visibility="private")
    assert sim.repo("user/b").private and not sim.repo("user/b").protected


def test_a_protected_spaces_files_are_private_to_outsiders(sim, api):
    api.create_repo("user/p", repo_type="space", space_sdk="static", visibility="protected")
    api.create_repo("user/o", repo_type="space", space_sdk="static")
    anonymous = HfApi(endpoint=sim.url)
    assert anonymous.space_info("user/p", token=False).private is False  # the page: as AS_PUBLIC
    with pytest.raises(RepositoryNotFoundError):
        list(anonymous.list_repo_tree("user/p", repo_type="space", token=False))
    assert list(anonymous.list_repo_tree("user/o", repo_type="space", token=False))
    assert list(api.list_repo_tree("user/p", repo_type="space"))  # its owner reads them


# ----------------------------------------------------------------- rate limits, hardware
def test_ratelimit_fault_sends_ratelimit_headers_without_retry_after(sim):
    sim.faults.add("GET", r"/api/whoami-v2", status=429, ratelimit=2)
    r = httpx.get(f"{sim.url}/api/whoami-v2", headers={"Authorization": f"Bearer {WRITE}"})
    assert r.status_code == 429 and "Retry-After" not in r.headers
    assert r.headers["RateLimit"] == '"api";r=0;t=2'
    assert "q=1000;w=300" in r.headers["RateLimit-Policy"]
    from huggingface_hub.utils import parse_ratelimit_headers

    assert parse_ratelimit_headers(r.headers).reset_in_seconds == 2


def test_hardware_listing_names_every_library_flavor(api):
    names = [hw.name for hw in api.list_spaces_hardware()]
    assert set(names) == {h.value for h in SpaceHardware}
    assert "rtx-pro-6000" in names
