"""The Hub's rate limit in the transport and the polls' pace (hub/pace.py), with an injected
clock and sleep: a 429's reset waited out in one wait when it comes before the run's deadline,
answered at once after it; every answer's `RateLimit` noted; a spent quota waited for before the
next request; the watch's and the smoke check's pauses stretched when the quota would not last."""

from __future__ import annotations

import httpx2
import pytest
from huggingface_hub.errors import HfHubHTTPError

from hf_action.hub.explain import explain
from hf_action.hub.pace import SHARE, Quota
from hf_action.hub.policy import RetryPolicy
from hf_action.hub.smoke import smoke_check
from hf_action.hub.transport import RetryTransport


@pytest.fixture(autouse=True)
def _no_stagger(monkeypatch):
    """Exact waits here; the stagger has its own test."""
    monkeypatch.setattr("hf_action.hub.pace.STAGGER", 0.0)


def test_a_wait_for_a_reset_is_staggered_by_at_most_a_tenth(monkeypatch):
    monkeypatch.setattr("hf_action.hub.pace.STAGGER", 0.1)
    waits = {Quota.staggered(100.0) for _ in range(50)}
    assert all(100.0 <= w <= 110.0 for w in waits) and len(waits) > 1


class _Time:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class _Hub(httpx2.BaseTransport):
    """Answers in turn: (status, remaining, reset) as the Hub's RateLimit header."""

    def __init__(self, answers: list[tuple[int, int, int]]) -> None:
        self.answers, self.sent = list(answers), 0

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.sent += 1
        status, left, reset = self.answers.pop(0) if self.answers else (200, 999, 300)
        return httpx2.Response(
            status, headers={"RateLimit": f'"api";r={left};t={reset}'}, request=request
        )


def _transport(hub: _Hub, t: _Time, quota: Quota, said: list[str]) -> RetryTransport:
    return RetryTransport(
        hub, RetryPolicy(), said.append, hub_host="hub", sleep=t.sleep, quota=quota
    )


def test_a_429_whose_reset_comes_before_the_deadline_is_waited_out_in_one_wait():
    """Reset 150 s away, 1200 s left: one wait of 151 s (the reset + 1 s, as huggingface_hub),
    not the 60 s retry cap twice; one line says how long and why."""
    t, said = _Time(), []
    quota = Quota(clock=t.clock)
    quota.until(1200)
    hub = _Hub([(429, 0, 150)])
    response = _transport(hub, t, quota, said).handle_request(
        httpx2.Request("POST", "http://hub/api/spaces/u/s/commit/main", content=b"{}")
    )
    assert response.status_code == 200 and hub.sent == 2
    assert t.slept == [151.0]
    assert len(said) == 1 and "rate limit resets within the run's timeout (1200s left)" in said[0]
    assert said[0].endswith("retry in 151.0s")


def test_a_429_whose_reset_comes_after_the_deadline_is_answered_at_once_naming_it():
    t, said = _Time(), []
    quota = Quota(clock=t.clock)
    quota.until(60)
    hub = _Hub([(429, 0, 150)])
    response = _transport(hub, t, quota, said).handle_request(
        httpx2.Request("GET", "http://hub/api/whoami-v2")
    )
    assert response.status_code == 429 and hub.sent == 1 and t.slept == [] and said == []
    error = explain(
        HfHubHTTPError("429", response=response), action="read the Space", space_id="u/s"
    )
    assert "resets in 151s (at " in str(error) and "after this run's timeout (60s left)" in str(
        error
    )


def test_without_a_deadline_only_the_policys_short_waits_are_made():
    t = _Time()
    quota = Quota(clock=t.clock)  # no `timeout` known yet (the hardware listing)
    hub = _Hub([(429, 0, 150), (429, 0, 2)])
    response = _transport(hub, t, quota, []).handle_request(
        httpx2.Request("GET", "http://hub/api/spaces/hardware")
    )
    assert response.status_code == 429 and t.slept == []


def test_a_spent_quota_is_waited_for_before_the_next_request_not_drawn_as_a_429():
    """The last answer said 0 left, reset in 20 s: the next request waits 21 s before it is sent."""
    t, said = _Time(), []
    quota = Quota(clock=t.clock)
    quota.until(1200)
    hub = _Hub([(200, 0, 20), (200, 99, 280)])
    transport = _transport(hub, t, quota, said)
    transport.handle_request(httpx2.Request("GET", "http://hub/api/whoami-v2"))
    assert t.slept == []
    transport.handle_request(httpx2.Request("GET", "http://hub/api/spaces/u/s"))
    assert t.slept == [21.0] and hub.sent == 2
    assert len(said) == 1 and "waiting 21.0s for its reset before GET /api/spaces/u/s" in said[0]


def test_every_answer_s_ratelimit_sets_the_pace_of_the_polls():
    """40 left for a reset 30 s away lasts at one poll per 3.5 s: no change; 4 left would not:
    the pause is SHARE times the even share (2 x 30/4 = 15 s), never past the deadline."""
    t = _Time()
    quota = Quota(clock=t.clock)
    quota.until(1200)
    transport = _transport(_Hub([(200, 40, 30), (200, 4, 30)]), t, quota, [])
    transport.handle_request(httpx2.Request("GET", "http://hub/api/spaces/u/s"))
    assert quota.pause(3.5) == 3.5
    transport.handle_request(httpx2.Request("GET", "http://hub/api/spaces/u/s"))
    assert quota.pause(3.5) == pytest.approx(SHARE * 30 / 4)
    quota.until(5)
    assert quota.pause(3.5) == 5.0  # the deadline bounds it
    t.now += 31
    assert quota.pause(3.5) == 3.5  # the window reset: no longer known to be short


def test_another_host_s_answers_do_not_move_the_quota():
    t = _Time()
    quota = Quota(clock=t.clock)
    _transport(_Hub([(200, 0, 30)]), t, quota, []).handle_request(
        httpx2.Request("GET", "http://storage.example/xorb")
    )
    assert quota.spent_for() is None


def test_the_smoke_check_polls_at_the_quota_s_pace():
    """The app answers 503 then 200; with the quota short, the one pause is the quota's."""
    t = _Time()
    quota = Quota(clock=t.clock)
    quota.note(2, 30)
    answers = [503, 200]
    app = httpx2.MockTransport(lambda request: httpx2.Response(answers.pop(0)))
    result = smoke_check(
        app, "http://app/", token=None, accept=frozenset(), timeout=100, say=lambda _: None,
        clock=t.clock, sleep=t.sleep, pace=quota.pause,
    )  # fmt: skip
    assert result.passed and t.slept == [pytest.approx(SHARE * 30 / 2)]


class _Building:
    """A Space that builds for ever; the watch's probe."""

    def info(self):
        from hf_action.hub.watch import SpaceFacts

        return SpaceFacts({"stage": "BUILDING"}, head="a" * 40)

    def newest_commit(self):
        return None

    def first_line(self, build):
        return None

    def tail(self, build):
        return ""


def test_the_build_watch_polls_at_the_quota_s_pace():
    """A quota that would not last: every pause of the watch is the quota's (bounded by its
    timeout), not its own schedule's 1 s."""
    from hf_action.errors import ActionError
    from hf_action.hub.proof import Goal
    from hf_action.hub.watch import watch_space

    t = _Time()
    quota = Quota(clock=t.clock)
    quota.note(1, 300)  # 1 left, 300 s to the reset: 2 x 300 s per poll
    quota.until(100)
    with pytest.raises(ActionError):
        watch_space(
            _Building(), Goal("commit", "a" * 40), 100, lambda _: None,
            clock=t.clock, sleep=t.sleep, pace=quota.pause,
        )  # fmt: skip
    assert t.slept == [100.0]  # one pause to the timeout, not 1 s, 1 s, 1 s ...


def test_a_quota_drained_by_other_jobs_is_waited_for_before_it_is_gone():
    """Our answers say 40 left, then 20 left 1 s later: the jobs on the token take 20 a second,
    so 20 are gone before a request half a second later lands: it waits for the reset."""
    t, said = _Time(), []
    quota = Quota(clock=t.clock)
    quota.until(1200)
    transport = _transport(_Hub([(200, 40, 30), (200, 20, 29)]), t, quota, said)
    transport.handle_request(httpx2.Request("GET", "http://hub/api/spaces/u/s"))
    t.now += 1
    transport.handle_request(httpx2.Request("GET", "http://hub/api/spaces/u/s"))
    assert t.slept == [] and quota.spent_for() is None  # 20 left, at once: enough for one
    t.now += 0.5  # 10 more went meanwhile, 10 more on our request's way
    transport.handle_request(httpx2.Request("GET", "http://hub/api/spaces/u/s"))
    assert t.slept == [pytest.approx(29 - 0.5 + 1.0)], said


def test_the_drain_of_every_job_on_the_token_slows_the_polls():
    """200 left of a window resetting in 60 s lasts at one poll per 3.5 s (57 polls), but other
    jobs drain 10 a second (20 s left): the pause stretches by 60/20 s."""
    t = _Time()
    quota = Quota(clock=t.clock)
    quota.note(300, 70)
    t.now += 10
    quota.note(200, 60)
    assert quota.pause(3.5) == pytest.approx(3.5 * 60 / 20)
