"""The retry transport's edges: proxies from the environment, odd Retry-After values, the budget."""

from __future__ import annotations

import gc
import io
import os
import subprocess
import sys

import httpx2
import pytest

from hf_action.app import action
from hf_action.app.action import configure_process
from hf_action.app.context import RunContext
from hf_action.errors import ActionError
from hf_action.github.context import GitHubContext
from hf_action.github.runner import Runner
from hf_action.hub.client import hub_step
from hf_action.hub.policy import RetryPolicy, xet_bounds
from hf_action.hub.transport import RetryTransport, _retry_after, direct_transport


def test_environment_proxy_is_used_unless_no_proxy_says_otherwise(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    assert type(direct_transport("https://huggingface.co")._pool).__name__ == "HTTPProxy"
    assert type(direct_transport("http://127.0.0.1:8080")._pool).__name__ == "ConnectionPool"


def test_retry_after_forms():
    make = lambda v: httpx2.Response(429, headers={"Retry-After": v})  # noqa: E731
    assert _retry_after(make("3")) == 3.0
    assert _retry_after(make("soon")) is None
    assert _retry_after(make("Wed, 21 Oct 2015 07:28:00 GMT")) == 0.0


class _Flaky(httpx2.BaseTransport):
    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = 0

    def handle_request(self, request):
        self.calls += 1
        status = self.answers.pop(0) if self.answers else 200
        return httpx2.Response(status, headers={"Retry-After": "1"} if status == 429 else {})


def test_retries_then_succeeds_and_reports_each_retry():
    said, slept = [], []
    inner = _Flaky([503, 429, 500])
    t = RetryTransport(
        inner, RetryPolicy(base_delay=0.1), said.append, hub_host="hub", sleep=slept.append
    )
    response = t.handle_request(httpx2.Request("GET", "http://hub/api/whoami-v2"))
    assert response.status_code == 200 and inner.calls == 4 and len(said) == 3
    assert 1.0 <= slept[1] <= 1.1  # Retry-After honoured (staggered by up to a tenth: hub/pace.py)


def test_out_of_budget_returns_the_hubs_own_answer():
    inner = _Flaky([503] * 10)
    t = RetryTransport(
        inner,
        RetryPolicy(base_delay=1, budget=2.5),
        lambda m: None,
        hub_host="hub",
        sleep=lambda s: None,
    )
    response = t.handle_request(httpx2.Request("GET", "http://hub/x"))
    assert response.status_code == 503 and inner.calls <= 3


def test_streamed_bodies_are_not_replayed():
    inner = _Flaky([503, 503])
    t = RetryTransport(inner, RetryPolicy(), lambda m: None, hub_host="hub", sleep=lambda s: None)
    request = httpx2.Request("PUT", "http://hub/lfs", content=iter([b"chunk"]))
    assert t.handle_request(request).status_code == 503 and inner.calls == 1


def test_retry_line_names_the_host_when_it_is_not_the_hub():
    """A keyless run's id-token request goes to GitHub through the same transport."""
    said = []
    for url in ("http://hub/api/whoami-v2", "http://pipelines.actions.example/idtoken?audience=x"):
        t = RetryTransport(
            _Flaky([503]), RetryPolicy(), said.append, hub_host="hub", sleep=lambda s: None
        )
        t.handle_request(httpx2.Request("GET", url))
    assert said[0].startswith("Hub HTTP 503 on GET /api/whoami-v2;")
    assert said[1].startswith("pipelines.actions.example HTTP 503 on GET /idtoken;")


def test_collection_is_back_on_once_start_up_is_over():
    """The entrypoint holds garbage collection while the modules load (bench/results.md, the
    no-op); what the run allocates after (an upload, a 20-minute build watch) is collected as usual.
    Run in-process (tests, the CLI), where collection was never off, it changes nothing."""
    gc.disable()
    try:
        action._loaded()
        assert gc.isenabled() and gc.get_freeze_count() > 0
        gc.unfreeze()
        action._loaded()
        assert gc.get_freeze_count() == 0
    finally:
        gc.enable()
        gc.unfreeze()


def test_the_policy_and_hf_xets_bounds_come_from_the_runs_env():
    """The speed knob travels in `env` like every other setting; hf_xet gets the same bounds."""
    policy = RetryPolicy.from_env({"HF_DEPLOY_BACKOFF_SCALE": "0.5"})
    assert (policy.base_delay, policy.max_delay, policy.budget) == (0.5, 10.0, 60.0)
    assert RetryPolicy.from_env({}) == RetryPolicy()
    bounds = xet_bounds(policy)
    assert bounds["HF_XET_CLIENT_RETRY_MAX_ATTEMPTS"] == "5"
    assert bounds["HF_XET_CLIENT_RETRY_BASE_DELAY"] == "500ms"
    assert bounds["HF_XET_CLIENT_RETRY_MAX_DURATION"] == "60000ms"


def test_the_transport_sleeps_exactly_the_delay_it_announces():
    said, slept = [], []
    t = RetryTransport(
        _Flaky([503, 429]), RetryPolicy(), said.append, hub_host="hub", sleep=slept.append
    )
    t.handle_request(httpx2.Request("GET", "http://hub/api/whoami-v2"))
    assert len(said) == len(slept) == 2
    assert all(line.endswith(f" in {s:.1f}s") for line, s in zip(said, slept, strict=True)), said


@pytest.fixture
def process_env():
    """configure_process writes os.environ: put it back as it was."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_the_library_and_the_run_take_one_hub_endpoint(process_env):
    """configure_process gives huggingface_hub the run's Hub (`urls.hub_endpoint`), and the run's
    context, which makes the client, holds the same, set or not."""
    runner = Runner(github=False, stream=io.StringIO())
    os.environ["HF_ENDPOINT"] = "http://left.over"  # a process value the run's env does not set
    for env, hub in (
        ({"HF_ENDPOINT": " http://hub.example:8080/ "}, "http://hub.example:8080"),
        ({}, "https://huggingface.co"),
    ):
        configure_process(env)
        assert (
            os.environ["HF_ENDPOINT"]
            == RunContext.from_env(env, runner, GitHubContext()).endpoint
            == hub
        )


def test_huggingface_hub_imported_after_configure_process_defaults_to_the_runs_hub():
    code = (
        "from hf_action.app.action import configure_process\n"
        "configure_process({'HF_ENDPOINT': ' http://hub.example:8080/ '})\n"
        "from huggingface_hub import constants\n"
        "print(constants.ENDPOINT)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "HF_ENDPOINT"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout == "http://hub.example:8080\n", out.stderr


def test_an_unreachable_host_is_named_from_the_request_that_failed():
    """The host the request went to (the Hub, or a storage server an upload went to), never its
    path or query (a signed URL's signature)."""
    request = httpx2.Request("PUT", "https://cas.example:8443/xorbs/x?sig=s3cret")
    for error, at in (
        (httpx2.ConnectError("refused", request=request), " at https://cas.example:8443"),
        (httpx2.ConnectError("refused"), ""),  # no request known: no host named
    ):
        with pytest.raises(ActionError) as raised, hub_step("upload the files", "o/s"):
            raise error
        assert raised.value.message.startswith(
            f"Could not reach the Hub{at} while trying to upload the files: refused."
        ), raised.value.message


def test_the_hub_client_takes_the_tls_context_loaded_ahead(monkeypatch):
    """install() starts loading the TLS context before huggingface_hub loads; the client the
    factory makes uses that context (one load, made ahead), equal to the one httpx2 builds."""
    from huggingface_hub.utils import _http as hf_http

    from hf_action.hub import transport
    from hf_action.hub.pace import Quota

    made = []
    real = transport.tls_ahead

    def ahead():
        future = real()
        made.append(future)
        return future

    monkeypatch.setattr(transport, "tls_ahead", ahead)
    transport.install("https://huggingface.co", print, RetryPolicy(), Quota())
    try:
        assert len(made) == 1  # started by install, before any client exists
        client = hf_http.get_session()
        pool = client._transport.inner._pool
        assert pool._ssl_context is made[0].result()
        assert pool._ssl_context.verify_mode.name == "CERT_REQUIRED"
        assert (
            pool._ssl_context.cert_store_stats() == httpx2.create_ssl_context().cert_store_stats()
        )
    finally:
        hf_http.set_client_factory(hf_http.default_client_factory)


def test_a_missing_ssl_cert_file_fails_where_httpx2_would(monkeypatch, tmp_path):
    """Loaded ahead, the context's error still comes when the client is made, not at install."""
    from huggingface_hub.utils import _http as hf_http

    from hf_action.hub import transport
    from hf_action.hub.pace import Quota

    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "absent.pem"))
    transport.install("https://huggingface.co", print, RetryPolicy(), Quota())
    try:
        with pytest.raises(FileNotFoundError):
            hf_http.get_session()
    finally:
        hf_http.set_client_factory(hf_http.default_client_factory)


def test_a_transport_without_a_context_given_verifies_as_httpx2_does(monkeypatch, tmp_path):
    """The smoke check's transport (no context loaded ahead) verifies certificates, and honours
    SSL_CERT_FILE (a self-hosted runner's own CA bundle): a missing one fails, as in httpx2."""
    context = direct_transport("https://example.hf.space")._pool._ssl_context
    assert context.verify_mode.name == "CERT_REQUIRED" and context.check_hostname
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "absent.pem"))
    with pytest.raises(FileNotFoundError):
        direct_transport("https://example.hf.space")


def test_all_proxy_is_used_when_no_https_proxy_is_set(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALL_PROXY", "http://proxy.example:3128")
    assert type(direct_transport("https://huggingface.co")._pool).__name__ == "HTTPProxy"


def test_the_hub_clients_proxy_is_chosen_for_the_runs_endpoint(monkeypatch):
    """install() hands the run's endpoint to the transport: NO_PROXY naming the Hub's host (a
    mirror inside the runner's network) sends the Hub's requests around the proxy."""
    from huggingface_hub.utils import _http as hf_http

    from hf_action.hub import transport
    from hf_action.hub.pace import Quota

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "hub.internal")
    transport.install("https://hub.internal", print, RetryPolicy(), Quota())
    try:
        pool = hf_http.get_session()._transport.inner._pool
        assert type(pool).__name__ == "ConnectionPool"
    finally:
        hf_http.set_client_factory(hf_http.default_client_factory)
