"""The Hub of 2026, end to end (issue 12): keyless deploys through GitHub's OIDC id token and the
Hub's token exchange, the plan rules of 2026-07-21, Streamlit as a Docker Space, protected
Spaces, and the Hub's RateLimit 429. The entrypoint runs as the runner runs it, against hubsim;
GitHub's id-token endpoint is `tests/fakes/github_oidc.py`."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.conftest import TOKEN, copy_example, hub_writes
from tests.fakes.github_api import FakeGitHub
from tests.fakes.github_oidc import FakeGitHubOidc
from tests.webhooks import load_example

GH_TOKEN = "ghs_e2eKeylessCleanup0123456789abcdef"


@pytest.fixture
def github(hub):
    fake = FakeGitHubOidc(hub.oidc.issuer, repository="octo-org/octo-app").start()
    yield fake
    fake.stop()


def front_matter(text: str) -> dict:
    assert text.startswith("---\n"), text[:80]
    return yaml.safe_load(text.split("---\n")[1])


def guard_oidc(hub, github, leak_guard) -> None:
    """The GitHub request token and every exchanged token must never be printed unmasked."""
    leak_guard.append(github.request_token)
    leak_guard.extend(t.token for t in hub.oidc.issued)


# ----------------------------------------------------------------- keyless deploys
def test_keyless_deploy_exchanges_the_id_token_masks_it_and_deploys(
    action, hub, github, leak_guard
):
    hub.create_repo("user/site", sdk="static")
    hub.oidc.trust("user/site", repository="octo-org/octo-app")
    copy_example("static-site", action.workspace)
    result = action.run({"space": "user/site", "hf-token": ""}, env=github.env())
    guard_oidc(hub, github, leak_guard)
    result.assert_ok()
    assert hub.counters.requests["POST /oauth/token"] == 1
    assert github.audiences == [hub.url]  # aud = the Hub URL (HF_ENDPOINT)
    (issued,) = hub.oidc.issued
    assert (issued.repo_type, issued.repo_id) == ("space", "user/site")
    lines = result.stdout.splitlines()
    mask = lines.index(f"::add-mask::{issued.token}")
    assert not any(issued.token in line for line in lines[:mask])  # masked before any use
    assert result.outputs["stage"] == "RUNNING"
    assert (
        hub.repo("user/site").files["index.html"].content
        == (action.workspace / "index.html").read_bytes()
    )
    assert "keyless" in result.stdout.lower()


def test_keyless_without_id_token_permission_names_the_permission(action, hub):
    hub.create_repo("user/site", sdk="static")
    copy_example("static-site", action.workspace)
    result = action.run({"space": "user/site", "hf-token": ""})
    assert result.returncode == 1
    (error,) = result.errors
    assert "id-token: write" in error and "hf-token" in error
    assert "Traceback" not in result.stdout + result.stderr
    assert hub_writes(hub) == [] and hub.counters.requests["POST /oauth/token"] == 0


def test_keyless_exchange_refused_says_which_publisher_to_add(action, hub, github, leak_guard):
    hub.create_repo("user/site", sdk="static")
    hub.oidc.trust("user/site", repository="someone-else/repo")
    copy_example("static-site", action.workspace)
    result = action.run({"space": "user/site", "hf-token": ""}, env=github.env())
    guard_oidc(hub, github, leak_guard)
    assert result.returncode == 1
    (error,) = result.errors
    assert "spaces/user/site" in error and "octo-org/octo-app" in error
    assert "trusted publisher" in error.lower()
    assert hub_writes(hub) == ["POST /oauth/token"] and not hub.oidc.issued


def test_keyless_token_for_another_space_is_a_resource_mismatch(action, hub, github, leak_guard):
    """The publisher is set on another Space: the exchange for this one is refused, nothing written."""
    hub.create_repo("user/site", sdk="static")
    hub.create_repo("user/other", sdk="static")
    hub.oidc.trust("user/other", repository="octo-org/octo-app")
    copy_example("static-site", action.workspace)
    result = action.run({"space": "user/site", "hf-token": ""}, env=github.env())
    guard_oidc(hub, github, leak_guard)
    assert result.returncode == 1
    (error,) = result.errors
    assert "spaces/user/site" in error
    assert len(hub.repo("user/site").commits) == 1 and len(hub.repo("user/other").commits) == 1


def test_keyless_needs_the_owner_in_the_space_name(action, hub, github, leak_guard):
    copy_example("static-site", action.workspace)
    result = action.run({"space": "site", "hf-token": ""}, env=github.env())
    guard_oidc(hub, github, leak_guard)
    assert result.returncode == 1
    (error,) = result.errors
    assert "owner/name" in error
    assert hub.counters.requests["POST /oauth/token"] == 0


def test_keyless_cannot_create_the_space(action, hub, github, leak_guard):
    """A trusted publisher scopes the token to a Space that must exist: say how to create it."""
    hub.oidc.trust("user/site", repository="octo-org/octo-app")
    copy_example("static-site", action.workspace)
    result = action.run({"space": "user/site", "hf-token": ""}, env=github.env())
    guard_oidc(hub, github, leak_guard)
    assert result.returncode == 1
    (error,) = result.errors
    assert "does not exist" in error and "hf-token" in error
    assert hub.repo("user/site") is None


def test_keyless_preview_is_refused_with_the_reason(action, hub, github, leak_guard):
    hub.create_repo("user/app", sdk="static")
    hub.oidc.trust("user/app", repository="octo-org/octo-app")
    copy_example("static-site", action.workspace)
    event = load_example("opened")
    result = action.run(
        {"space": "user/app", "hf-token": ""},
        event_name="pull_request",
        event=event,
        env=github.env(),
    )
    guard_oidc(hub, github, leak_guard)
    assert result.returncode == 1
    (error,) = result.errors
    assert "preview" in error.lower() and "new Space" in error and "hf-token" in error
    assert hub_writes(hub) == [] and github.audiences == []  # refused before minting anything


# ----------------------------------------------------------------- plan rules (402)
def test_free_account_402_on_create_gives_the_three_ways_out(action, hub):
    hub.settings.enforce_plans = True
    copy_example("gradio-hello", action.workspace)
    result = action.run({"space": "user/new-app", "hf-token": TOKEN})
    assert result.returncode == 1
    (error,) = result.errors
    assert "sdk: static" in error and "PRO" in error and "organization with a paid plan" in error
    assert "Traceback" not in result.stdout + result.stderr
    assert hub.repo("user/new-app") is None and hub.counters.commits == 0


def test_free_account_asking_cpu_basic_still_gets_the_plan_rule_not_cpu_basic(action, hub):
    hub.settings.enforce_plans = True
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "Dockerfile").write_text("FROM python:3.11\n")  # a docker app to create
    inputs = {"space": "user/new-app", "hf-token": TOKEN, "sdk": "docker", "hardware": "cpu-basic"}
    (error,) = action.run(inputs).errors
    assert "on cpu-basic too" in error and "PRO" in error and "ZeroGPU" not in error
    assert hub.repo("user/new-app") is None


def test_free_account_gradio_on_zerogpu_deploys_within_its_two_spaces(action, hub):
    """hub-docs spaces-zerogpu: a free account in good standing hosts up to 2 ZeroGPU Spaces."""
    hub.settings.enforce_plans = True
    copy_example("gradio-hello", action.workspace)
    for name in ("zero-1", "zero-2"):
        inputs = {"space": f"user/{name}", "hf-token": TOKEN, "hardware": "zero-a10g"}
        action.run({**inputs, "wait": "false"}).assert_ok()
        assert hub.repo(f"user/{name}").hardware == "zero-a10g"
    (error,) = action.run(
        {"space": "user/zero-3", "hf-token": TOKEN, "hardware": "zero-a10g"}
    ).errors
    assert "2 ZeroGPU Spaces" in error and "community grant" in error and "cpu-basic" not in error
    assert "You must be subscribed to PRO to host Spaces with ZeroGPU" in error  # the Hub's words
    assert hub.repo("user/zero-3") is None


def test_new_free_account_zerogpu_refusal_says_wait_30_days(action, hub):
    hub.settings.enforce_plans, hub.settings.good_standing = True, False
    copy_example("gradio-hello", action.workspace)
    (error,) = action.run({"space": "user/zero", "hf-token": TOKEN, "hardware": "zero-a10g"}).errors
    assert "30 days" in error and "Nothing was written" in error and "cpu-basic" not in error


def test_free_account_existing_gradio_space_keeps_deploying(action, hub):
    hub.create_repo("user/old-app", sdk="gradio")  # created before 2026-07-21
    hub.settings.enforce_plans = True
    copy_example("gradio-hello", action.workspace)
    result = action.run({"space": "user/old-app", "hf-token": TOKEN}).assert_ok()
    assert result.outputs["stage"] == "RUNNING"
    assert "app.py" in hub.repo("user/old-app").files


# ----------------------------------------------------------------- Streamlit, protected, 429
def test_streamlit_app_runs_as_a_docker_space_with_a_generated_dockerfile(action, hub):
    copy_example("streamlit-hello", action.workspace)
    result = action.run({"space": "user/st", "hf-token": TOKEN}).assert_ok()
    repo = hub.repo("user/st")
    assert repo.sdk == "docker" and result.outputs["stage"] == "RUNNING"
    card = front_matter(repo.files["README.md"].text())
    assert card["sdk"] == "docker" and card["app_port"] == 8501
    assert "streamlit" in card.get("tags", [])
    dockerfile = repo.files["Dockerfile"].text()
    assert "streamlit" in dockerfile and "app.py" in dockerfile and "8501" in dockerfile
    assert "streamlit==1.67.0" in dockerfile  # the sdk_version of the card
    assert not (action.workspace / "Dockerfile").exists()  # generated for the Space only


def test_streamlit_app_with_an_awkward_file_name_gets_a_valid_dockerfile(action, hub):
    """app-file with spaces and quotes: the generated CMD stays exec-form JSON, one argument."""
    copy_example("streamlit-hello", action.workspace)
    name = 'my app\'s "v2".py'
    (action.workspace / "app.py").rename(action.workspace / name)
    result = action.run({"space": "user/st", "hf-token": TOKEN, "app-file": name}).assert_ok()
    assert result.outputs["stage"] == "RUNNING"
    dockerfile = hub.repo("user/st").files["Dockerfile"].text()
    (cmd,) = [ln for ln in dockerfile.splitlines() if ln.startswith("CMD ")]
    assert json.loads(cmd.removeprefix("CMD "))[:3] == ["streamlit", "run", name]
    (pin,) = [ln for ln in dockerfile.splitlines() if "streamlit==" in ln]
    assert json.loads(pin.removeprefix("RUN ")) == [
        "pip",
        "install",
        "--no-cache-dir",
        "streamlit==1.67.0",
    ]


def test_streamlit_app_with_its_own_dockerfile_keeps_it(action, hub):
    copy_example("streamlit-hello", action.workspace)
    own = 'FROM python:3.12-slim\nCOPY . .\nCMD ["streamlit", "run", "app.py"]\n'
    (action.workspace / "Dockerfile").write_text(own)
    action.run({"space": "user/st", "hf-token": TOKEN}).assert_ok()
    repo = hub.repo("user/st")
    assert repo.files["Dockerfile"].text() == own
    assert front_matter(repo.files["README.md"].text())["app_port"] == 8501


def test_protected_visibility_is_set_and_reported(action, hub):
    hub.create_repo("user/site", sdk="static")
    copy_example("static-site", action.workspace)
    result = action.run(
        {"space": "user/site", "hf-token": TOKEN, "visibility": "protected"}
    ).assert_ok()
    assert hub.repo("user/site").protected
    assert "protected" in result.summary


def test_rate_limit_429_is_waited_out_once_not_hammered(action, hub):
    """RateLimit: "api";r=0;t=2 and no Retry-After: wait the reset (2 s + 1, unscaled), retry once."""
    hub.create_repo("user/site", sdk="static")
    copy_example("static-site", action.workspace)
    hub.faults.add("GET", r"^/api/whoami-v2$", status=429, ratelimit=2)
    result = action.run(
        {"space": "user/site", "hf-token": TOKEN}, env={"HF_DEPLOY_BACKOFF_SCALE": "1"}
    ).assert_ok()
    assert hub.counters.requests["GET /api/whoami-v2"] == 2  # the 429, then one retry
    retries = [line for line in result.stdout.splitlines() if "HTTP 429" in line]  # not a port
    assert len(retries) == 1 and "RateLimit" in retries[0], retries
    # The reset (2 s) + 1 s, as huggingface_hub waits (staggered by up to a tenth, hub/pace.py);
    # that the transport sleeps what it says is tests/test_retry.py's (an injected sleep).
    assert re.search(r"in 3\.[0-3]s$", retries[0]), retries


def test_keyless_delete_says_a_trusted_publisher_token_cannot_delete(
    action, hub, github, leak_guard
):
    """hubsim answers a bare 403 to a repo-scoped (exchanged) token's delete: the action says why
    and what to pass instead (it asks: a Hub that allows it deletes the Space)."""
    hub.create_repo("user/site", sdk="static")
    hub.oidc.trust("user/site", repository="octo-org/octo-app")
    result = action.run(
        {"space": "user/site", "hf-token": "", "operation": "delete"}, env=github.env()
    )
    guard_oidc(hub, github, leak_guard)
    assert result.returncode == 1
    (error,) = result.errors
    assert "operation: delete needs an hf-token" in error
    assert "Trusted Publish" in error and "user/site" in error and "Nothing was deleted" in error
    assert "hf-token: ${{ secrets.HF_TOKEN }}" in error and "refused" in error
    assert "Traceback" not in result.stdout + result.stderr
    assert hub.repo("user/site") is not None
    assert hub_writes(hub) == ["POST /oauth/token", "DELETE /api/repos/delete"]


def test_keyless_cleanup_previews_says_the_token_is_scoped_to_one_space(
    action, hub, github, leak_guard
):
    """cleanup-previews deletes other Spaces than the one the exchanged token is for: one error
    naming the scope and the fix; no preview is deleted, GitHub is not even asked."""
    for space_id in ("user/app", "user/app-pr-1"):
        hub.create_repo(space_id, sdk="static")
    hub.oidc.trust("user/app", repository="octo-org/octo-app")
    with FakeGitHub(token=GH_TOKEN) as gh:
        gh.set_pull("octo-org/octo-app", 1, "closed")
        result = action.run(
            {"space": "user/app", "hf-token": "", "operation": "cleanup-previews",
             "github-token": GH_TOKEN},
            event_name="schedule",
            event={"schedule": "17 3 * * *"},
            env={**github.env(), "GITHUB_API_URL": gh.api_url},
        )  # fmt: skip
        asked_github = [r.path for r in gh.requests]
    guard_oidc(hub, github, leak_guard)
    assert result.returncode == 1
    (error,) = result.errors
    assert "operation: cleanup-previews needs an hf-token" in error
    assert "scoped to the one Space 'user/app'" in error and "Nothing was deleted" in error
    assert "write access to 'user'" in error and "403" not in error
    assert "Traceback" not in result.stdout + result.stderr
    assert hub.repo("user/app-pr-1") is not None and asked_github == []
    assert hub_writes(hub) == ["POST /oauth/token"]


def test_keyless_doc_workflow_asks_id_token_on_the_deploy_job_only():
    """docs/keyless.md's workflow (linted by test_metadata) grants id-token: write to the job, not
    to the workflow, and passes no hf-token."""
    from tests.action_runner import ROOT

    text = (ROOT / "docs" / "keyless.md").read_text(encoding="utf-8")
    (block,) = [b for b in text.split("```yaml\n")[1:] if "jobs:" in b]
    workflow = yaml.safe_load(block.split("```")[0])
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    (deploy,) = [s for s in job["steps"] if "hf-deploy" in s.get("uses", "")]
    assert "hf-token" not in deploy["with"]


def test_hardware_the_library_does_not_know_is_taken_from_the_hubs_listing(action, hub):
    """Names come from huggingface_hub's SpaceHardware; a newer flavor the Hub lists still works."""
    hub.create_repo("user/site", sdk="static")
    copy_example("static-site", action.workspace)
    hub.plans.hardware.append({**hub.plans.hardware[-1], "name": "h300x1"})
    result = action.run(
        {"space": "user/site", "hf-token": TOKEN, "hardware": "h300x1", "dry-run": "true"}
    ).assert_ok()
    assert "hardware → h300x1" in result.stdout
    assert hub.counters.requests["GET /api/spaces/hardware"] == 1
    known = action.run(
        {"space": "user/site", "hf-token": TOKEN, "hardware": "rtx-pro-6000", "dry-run": "true"}
    ).assert_ok()
    assert "hardware → rtx-pro-6000" in known.stdout
    assert hub.counters.requests["GET /api/spaces/hardware"] == 1  # the library knew it
    unknown = action.run({"space": "user/site", "hf-token": TOKEN, "hardware": "h999"})
    (error,) = unknown.errors
    assert "Input 'hardware'" in error and "rtx-pro-6000" in error and "h300x1" in error
    listed = error.split("Use one of: ")[1].rstrip(".").split(", ")
    assert len(listed) == len(set(listed))  # the Hub's listing repeats the library's names


def test_keyless_exchange_on_a_failing_hub_is_explained_not_a_traceback(
    action, hub, github, leak_guard
):
    hub.create_repo("user/site", sdk="static")
    hub.oidc.trust("user/site", repository="octo-org/octo-app")
    hub.faults.add("POST", r"^/oauth/token$", status=503, times=20)
    copy_example("static-site", action.workspace)
    result = action.run({"space": "user/site", "hf-token": ""}, env=github.env())
    guard_oidc(hub, github, leak_guard)
    assert result.returncode == 1
    (error,) = result.errors
    assert "503" in error and "exchange the GitHub id token" in error
    assert "Traceback" not in result.stdout + result.stderr
    assert hub.counters.requests["POST /oauth/token"] > 1  # retried like any Hub call
    assert len(hub.repo("user/site").commits) == 1


def test_keyless_with_github_unreachable_is_one_clear_error(action, hub, leak_guard):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the with block ends: nothing listens there
    env = {
        "ACTIONS_ID_TOKEN_REQUEST_URL": f"http://127.0.0.1:{port}/_apis/idtoken?api-version=2.0",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "ghs_idreq_unreachable_0123456789",
    }
    leak_guard.append(env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"])
    copy_example("static-site", action.workspace)
    result = action.run({"space": "user/site", "hf-token": ""}, env=env)
    assert result.returncode == 1
    (error,) = result.errors
    assert "id-token endpoint" in error and "Traceback" not in result.stdout + result.stderr
    assert hub.counters.requests["POST /oauth/token"] == 0


def test_keyless_redeploy_with_secrets_sets_nothing_again(action, hub, github, leak_guard):
    """Each keyless run gets a new token; the secrets' fingerprints must not depend on it, or every
    deploy would re-set every secret and restart the Space."""
    hub.create_repo("user/site", sdk="static")
    hub.oidc.trust("user/site", repository="octo-org/octo-app")
    copy_example("static-site", action.workspace)
    inputs = {"space": "user/site", "hf-token": "", "secrets": "API_KEY=sk-keyless-secret-value"}
    leak_guard.append("sk-keyless-secret-value")
    action.run(inputs, env=github.env()).assert_ok()
    assert hub.repo("user/site").secrets == {"API_KEY": "sk-keyless-secret-value"}
    hub.counters.reset()
    second = action.run(inputs, env=github.env())
    guard_oidc(hub, github, leak_guard)
    second.assert_ok()
    assert len(hub.oidc.issued) == 2 and hub.oidc.issued[0].token != hub.oidc.issued[1].token
    assert hub_writes(hub) == ["POST /oauth/token"]  # no secret set again, no commit
