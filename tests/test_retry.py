"""The retry transport's edges: proxies from the environment, odd Retry-After values, the budget."""

from __future__ import annotations

import gc
import os

import httpx2

from hf_action.app import action
from hf_action.app.action import configure_process
from hf_action.hub.policy import RetryPolicy, xet_bounds
from hf_action.hub.transport import RetryTransport, _inner_transport, _retry_after


def test_environment_proxy_is_used_unless_no_proxy_says_otherwise(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("HF_ENDPOINT", "https://huggingface.co")
    assert type(_inner_transport()._pool).__name__ == "HTTPProxy"
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:8080")
    assert type(_inner_transport()._pool).__name__ == "ConnectionPool"


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
    t = RetryTransport(inner, RetryPolicy(base_delay=0.1), said.append, sleep=slept.append)
    response = t.handle_request(httpx2.Request("GET", "http://hub/api/whoami-v2"))
    assert response.status_code == 200 and inner.calls == 4 and len(said) == 3
    assert slept[1] == 1.0  # Retry-After honoured


def test_out_of_budget_returns_the_hubs_own_answer():
    inner = _Flaky([503] * 10)
    t = RetryTransport(
        inner, RetryPolicy(base_delay=1, budget=2.5), lambda m: None, sleep=lambda s: None
    )
    response = t.handle_request(httpx2.Request("GET", "http://hub/x"))
    assert response.status_code == 503 and inner.calls <= 3


def test_streamed_bodies_are_not_replayed():
    inner = _Flaky([503, 503])
    t = RetryTransport(inner, RetryPolicy(), lambda m: None, sleep=lambda s: None)
    request = httpx2.Request("PUT", "http://hub/lfs", content=iter([b"chunk"]))
    assert t.handle_request(request).status_code == 503 and inner.calls == 1


def test_retry_line_names_the_host_when_it_is_not_the_hub(monkeypatch):
    """A keyless run's id-token request goes to GitHub through the same transport."""
    monkeypatch.setenv("HF_ENDPOINT", "http://hub")
    said = []
    for url in ("http://hub/api/whoami-v2", "http://pipelines.actions.example/idtoken?audience=x"):
        t = RetryTransport(_Flaky([503]), RetryPolicy(), said.append, sleep=lambda s: None)
        t.handle_request(httpx2.Request("GET", url))
    assert said[0].startswith("Hub HTTP 503 on GET /api/whoami-v2;")
    assert said[1].startswith("pipelines.actions.example HTTP 503 on GET /idtoken;")


def test_hf_xet_upload_and_ingestion_concurrency_are_capped_unless_the_job_sets_them(monkeypatch):
    """Memory: hf_xet keeps up to 64 xorbs of 64 MiB in flight on a slow link and ingests 8 files at
    once; the caps bound a deploy whatever the file sizes (bench/results.md, Bounded memory)."""
    name = "HF_XET_CLIENT_AC_MAX_UPLOAD_CONCURRENCY"
    for var in xet_bounds(RetryPolicy()):
        monkeypatch.delenv(var, raising=False)  # restored, or removed again, after the test
    for var in ("HF_ENDPOINT", "HF_HUB_DISABLE_PROGRESS_BARS", "HF_HUB_DISABLE_TELEMETRY",
                "HF_HUB_DISABLE_IMPLICIT_TOKEN"):  # fmt: skip
        monkeypatch.setenv(var, os.environ.get(var, "1"))  # what configure_process writes, restored
    configure_process({})
    assert (
        os.environ[name] == "1" and os.environ["HF_XET_DATA_MAX_CONCURRENT_FILE_INGESTION"] == "1"
    )
    monkeypatch.setenv(name, "8")
    configure_process({})
    assert os.environ[name] == "8"


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
    t = RetryTransport(_Flaky([503, 429]), RetryPolicy(), said.append, sleep=slept.append)
    t.handle_request(httpx2.Request("GET", "http://hub/api/whoami-v2"))
    assert len(said) == len(slept) == 2
    assert all(line.endswith(f" in {s:.1f}s") for line, s in zip(said, slept, strict=True)), said
