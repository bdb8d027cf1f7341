"""The smoke check, end to end: after RUNNING the action calls the app hubsim serves for the Space
(`serve_apps`), and passes or fails on what it answers, bounded by smoke-timeout."""

from __future__ import annotations

import time

import pytest

from hubsim import ProtectedInfo
from tests.conftest import TOKEN, copy_example


def deploy(action, hub, **inputs: str):
    hub.settings.serve_apps = True
    return action.run({"space": "user/app", "hf-token": TOKEN, "smoke-path": "/health", **inputs})


def test_an_app_answering_200_passes(action, hub):
    copy_example("gradio-hello", action.workspace)
    result = deploy(action, hub).assert_ok()
    assert hub.app_visits[-1] == ("user/app", "/health", False)  # a public app: no token sent
    assert result.outputs["app-url"] == f"{hub.url}/_apps/user-app"
    assert f"GET {hub.url}/_apps/user-app/health answered 200 (1 try" in result.stdout
    assert "| Smoke check | `/health` answered 200 |" in result.summary


def test_a_running_app_answering_500_fails_with_status_body_and_run_log(action, hub):
    copy_example("gradio-hello", action.workspace)
    app = action.workspace / "app.py"
    app.write_text(app.read_text() + "\n# hubsim: app-answers 500\n")
    result = deploy(action, hub, **{"smoke-timeout": "2s"})
    assert result.returncode == 1
    [error] = result.errors
    assert error.startswith(
        "::error title=Smoke check failed::Smoke check failed: the Space is RUNNING"
    )
    assert f"GET {hub.url}/_apps/user-app/health answered 500 (" in error
    assert "body: 'Internal Server Error Traceback (most recent call last): ...'" in error
    assert "list it in smoke-status" in error
    assert "::group::Smoke check: last lines of the run log" in result.stdout
    assert "Application Startup at" in result.stdout  # the run log's tail
    out = result.outputs  # written although the run failed: the commit is on the Space
    assert out["stage"] == "RUNNING" and out["commit-sha"] == hub.repo("user/app").head
    assert len([v for v in hub.app_visits if v[0] == "user/app"]) >= 2  # it tried again


def test_a_listed_status_passes(action, hub):
    copy_example("gradio-hello", action.workspace)
    hub.settings.app_answers["user/app"] = "500"
    result = deploy(action, hub, **{"smoke-status": "401, 500"}).assert_ok()
    assert hub.app_visits[-1] == ("user/app", "/health", False)  # the check ran: the app was called
    assert f"GET {hub.url}/_apps/user-app/health answered 500 (1 try" in result.stdout
    assert "| Smoke check | `/health` answered 500 |" in result.summary


def test_an_app_that_never_answers_fails_within_the_smoke_timeout(action, hub):
    copy_example("gradio-hello", action.workspace)
    hub.settings.app_answers["user/app"] = "none"
    started = time.monotonic()
    result = deploy(action, hub, **{"smoke-timeout": "2s"})
    assert result.returncode == 1
    assert "did not answer (no answer within 2s)" in result.errors[0]
    assert time.monotonic() - started < 30  # bounded by smoke-timeout, not the app's 60 s hang


def test_a_private_space_is_called_with_the_token(action, hub):
    copy_example("gradio-hello", action.workspace)
    deploy(action, hub, visibility="private").assert_ok()
    assert hub.app_visits[-1] == ("user/app", "/health", True)


def test_the_token_goes_to_no_host_but_the_spaces_own(action, hub):
    """The Space info names the app's host: one that is neither `https://<subdomain>.hf.space` nor
    the Hub's own origin (here the same server under another name) gets no request and no token."""
    foreign = hub.url.replace("127.0.0.1", "localhost") + "/_apps/user-app"
    hub.settings.app_hosts["user/app"] = foreign
    copy_example("gradio-hello", action.workspace)
    result = deploy(action, hub, visibility="private").assert_ok()
    assert hub.app_visits == []
    assert result.warnings == [
        "::warning title=Smoke check not run::Smoke check not run: the Hub names"
        f" {foreign} as the app's address, not the Space's own (https://user-app.hf.space, or the"
        f" Hub's {hub.url}); the token is not sent there, and that its app answers /health is"
        " not proven."
    ]
    assert "| Smoke check | not run |" in result.summary


@pytest.mark.parametrize("shape", list(ProtectedInfo), ids=lambda s: s.value)
def test_a_protected_space_is_called_without_the_token_unless_its_info_cannot_tell(
    action, hub, shape
):
    """Its app is public. An info that shows it as `private: true` without a visibility field
    cannot be told from a private Space: then the token goes, as a private app needs it."""
    hub.settings.variants.protected_info = shape
    copy_example("gradio-hello", action.workspace)
    deploy(action, hub, visibility="protected").assert_ok()
    assert hub.repo("user/app").protected
    assert hub.app_visits[-1] == ("user/app", "/health", shape is ProtectedInfo.AS_PRIVATE)


def test_without_a_smoke_path_the_app_is_not_called(action, hub):
    copy_example("gradio-hello", action.workspace)
    hub.settings.serve_apps = True
    action.run({"space": "user/app", "hf-token": TOKEN}).assert_ok()
    assert hub.app_visits == []


def test_a_smoke_failure_then_rollback_to_previous_passes(action, hub):
    """The story of issue 23: a deploy that runs but serves 500, rolled back in one step."""
    copy_example("gradio-hello", action.workspace)
    deploy(action, hub).assert_ok()
    good = hub.repo("user/app").head
    app = action.workspace / "app.py"
    app.write_text(app.read_text() + "\n# hubsim: app-answers 500\n")
    assert deploy(action, hub, **{"smoke-timeout": "2s"}).returncode == 1
    result = deploy(action, hub, operation="rollback").assert_ok()
    repo = hub.repo("user/app")
    assert (
        repo.files["app.py"].content
        == next(c for c in repo.commits if c.oid == good).files["app.py"].content
    )
    assert "| Smoke check | `/health` answered 200 |" in result.summary
