"""The probe is safe to point at a real account: a dry run opens no socket, nothing runs
without --yes, it touches only Spaces it created, deletes them after a failure, stays within
its budget, and redacts before it writes."""

from __future__ import annotations

import socket

import httpx2
import pytest
import yaml

from hubsim.probe import __main__ as cli
from hubsim.probe import script
from hubsim.probe.cleanup import cleanup
from hubsim.probe.plan import Kind, Step, budget, build_plan, kinds_for
from hubsim.probe.record import Recorder
from hubsim.probe.redact import MASK
from hubsim.settings import ProtectedInfo
from tests.conftest import find_leaks
from tests.hubsim.probe_harness import TOKEN, probe, probed_hub

pytestmark = pytest.mark.fake


@pytest.fixture
def no_network(monkeypatch):
    """Any socket the code under test opens fails the test."""
    opened = []

    def refuse(*args, **kwargs):
        opened.append(args)
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return opened


def test_plan_prints_the_sequence_and_budget_without_a_network_call(no_network, capsys):
    argv = ["--plan", "--paid", "--endpoint", "https://hub.example", "--owner", "me"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    want = budget(build_plan(kinds_for(True), cli.Timing()))
    assert f"request budget: {want} at most" in out
    for kind in Kind:
        for step in (Step.CREATE, Step.FIRST_BUILD, Step.SECRET, Step.DELETE):
            assert f"  {kind.value:<7} {step.value:<20}" in out
    assert "  gradio  hardware" in out and "  static  hardware" not in out
    assert "plan needed: PRO" in out
    assert not no_network


def test_without_yes_it_refuses_before_any_request(no_network, capsys, monkeypatch):
    monkeypatch.setenv("PROBE_TOKEN", TOKEN)
    argv = ["--endpoint", "https://hub.example", "--owner", "me", "--token-env", "PROBE_TOKEN"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "refusing to create Spaces on https://hub.example as me without --yes" in err
    assert cli.main([*argv, "--cleanup"]) == 2
    err = capsys.readouterr().err
    assert "refusing to delete the probe's Spaces on https://hub.example as me" in err
    assert not no_network


def test_a_name_that_exists_is_refused_and_left_alone(tmp_path, monkeypatch):
    with probed_hub() as sim:
        theirs = sim.create_repo("user/hf-deploy-probe-static-000000", sdk="static")
        monkeypatch.setattr(script, "scratch_name", lambda kind: "hf-deploy-probe-static-000000")
        result = probe(sim, tmp_path, (Kind.STATIC,))
        assert sim.repo("user/hf-deploy-probe-static-000000") is theirs
        assert len(theirs.commits) == 1
        writes = [k for k in sim.counters.requests if not k.startswith("GET")]
    assert "never touches" in (result.error or "")
    assert writes == []


def test_a_failed_step_still_deletes_what_was_created_and_only_that(tmp_path):
    with probed_hub() as sim:
        sim.create_repo("user/someone-elses", sdk="static")
        sim.faults.add("POST", r"/commit/", status=500, times=99)
        result = probe(sim, tmp_path, (Kind.STATIC, Kind.GRADIO))
        assert [s.skip for s in result.spaces] == ["the commit answered HTTP 500"] * 2
        assert all(s.created and s.deleted for s in result.spaces)
        assert sorted(r for _, r in sim.repos) == ["user/someone-elses"]


def test_the_budget_stops_the_run_and_still_deletes(tmp_path, monkeypatch):
    monkeypatch.setattr(script, "budget", lambda plan: 12)
    with probed_hub() as sim:
        result = probe(sim, tmp_path, (Kind.STATIC,))
        assert not sim.repos
        sent = sum(sim.counters.requests.values())
    assert result.error == "request budget of 12 reached"
    assert result.requests == sent == 12


def test_an_owner_the_token_cannot_write_is_refused_before_creating(tmp_path):
    with probed_hub() as sim:
        result = probe(sim, tmp_path, (Kind.STATIC,), owner="someone")
        assert not sim.repos and "may not create Spaces in 'someone'" in (result.error or "")


def test_cleanup_deletes_the_probes_leftovers_and_nothing_else(capsys):
    with probed_hub() as sim:
        for name in (
            "user/hf-deploy-probe-static-a1b2c3",
            "user/hf-deploy-probe-gradio-ffffff",
            "user/hf-deploy-probe-mine",  # a person's Space with the prefix: kept
            "user/hf-deploy-probe-static-a1b2c3-copy",
            "user/other",
        ):
            sim.create_repo(name, sdk="static")
        assert cleanup(sim.url, TOKEN, "user") == 0
        left = sorted(r for _, r in sim.repos)
    assert left == [
        "user/hf-deploy-probe-mine",
        "user/hf-deploy-probe-static-a1b2c3-copy",
        "user/other",
    ]
    assert "2 leftover(s)" in capsys.readouterr().out


def test_the_recorder_redacts_tokens_cookies_and_secret_values_before_writing(tmp_path):
    """Whatever the Hub echoes (a cookie, the token, a secret in a log line), the cassette
    keeps the header names and the answer's shape, never the values."""
    secret = "probe-secret-0123456789abcdef"
    other_token = "hf_" + "Z" * 34

    def hub(request: httpx2.Request) -> httpx2.Response:
        echo = f'{{"seen":"{request.headers["authorization"]}","email":"me@example.com"}}'
        if request.url.path.endswith("/logs/run"):
            text = f'data: {{"data": "value={secret} {other_token}"}}\n\n'
            return httpx2.Response(200, text=text, headers={"content-type": "text/event-stream"})
        return httpx2.Response(200, text=echo, headers={"set-cookie": "session=abc123; Path=/"})

    rec = Recorder("https://hub.example", TOKEN, 10, transport=httpx2.MockTransport(hub))
    rec.redactor.add(secret)
    rec.call("t", "s", "POST", "/api/x", body={"key": "S", "value": secret})
    rec.stream("t", "s", "/api/spaces/a/b/logs/run", 1.0)
    [path] = rec.write(tmp_path, {"endpoint": "https://hub.example"}, {})
    text = path.read_text()
    assert find_leaks([(path.name, text)], [TOKEN, secret, "abc123", other_token, "me@"]) == []
    first = yaml.safe_load(text)["interactions"][0]
    assert first["request"]["headers"]["authorization"] == [MASK]
    assert first["response"]["headers"]["set-cookie"] == [MASK]
    assert first["request"]["body"] == f'{{"key":"S","value":"{MASK}"}}'


def test_the_real_timing_stays_well_under_the_hubs_quota(capsys):
    """At the real Hub's waits no 5 minutes of the run spend a third of a free account's
    1,000 requests, and the plan says so."""
    assert cli.main(["--plan", "--endpoint", "https://hub.example", "--owner", "me"]) == 0
    pace = cli.Timing().pace()
    assert pace < 1000 / 3
    assert f"{pace} in any 5 minutes at most" in capsys.readouterr().out


def test_the_pace_holds_whatever_the_steps_ask():
    """No window holds more requests than the pace: the third of three calls at a pace of 2
    per 0.3 s waits for the first to leave the window."""
    import time

    rec = Recorder(
        "https://hub.example",
        TOKEN,
        10,
        pace=2,
        pace_window=0.3,
        transport=httpx2.MockTransport(lambda request: httpx2.Response(200, text="{}")),
    )
    start = time.monotonic()
    rec.call("t", "s", "GET", "/api/x")
    rec.call("t", "s", "GET", "/api/x")
    assert time.monotonic() - start < 0.3
    rec.call("t", "s", "GET", "/api/x")
    assert time.monotonic() - start >= 0.3


def test_an_error_in_a_step_still_deletes_and_writes_the_cassettes(tmp_path, monkeypatch):
    def broken(self, space, step):
        raise RuntimeError("a bug in a step")

    monkeypatch.setattr(script.Probe, "step_rebuild", broken)
    with probed_hub() as sim:
        with pytest.raises(RuntimeError):
            probe(sim, tmp_path, (Kind.STATIC,))
        assert not sim.repos
    written = yaml.safe_load((tmp_path / "static.yaml").read_text())["interactions"]
    assert written[-1]["request"]["uri"].endswith("/api/repos/delete")


def test_the_command_runs_the_probe_and_prints_what_production_showed(
    tmp_path, monkeypatch, capsys
):
    """The maintainer's command end to end on hubsim: plan first, the run, the cassettes in
    --out, the classifier's table; then --cleanup finds nothing left."""
    monkeypatch.setenv("HF_PROBE_TOKEN", TOKEN)
    with probed_hub() as sim:
        sim.settings.variants.protected_info = ProtectedInfo.FIELD_AS_PRIVATE
        common = ["--endpoint", sim.url, "--owner", "user", "--token-env", "HF_PROBE_TOKEN"]
        argv = [*common, "--yes", "--steps", "visibility", "--out", str(tmp_path)]
        assert cli.main(argv) == 0
        assert not sim.repos
        assert cli.main([*common, "--yes", "--cleanup"]) == 0
    out = capsys.readouterr().out
    assert out.index("request budget:") < out.index("| `protected_info` | `FIELD_AS_PRIVATE` |")
    assert "0 leftover(s) in user: none" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["account.yaml", "static.yaml"]
