"""hubsim's API quota (settings.api_quota per api_window, times time_scale): per user, fixed
windows, the RateLimit headers on every /api/ answer, 429 once spent, other jobs' use."""

from __future__ import annotations

import time

import httpx2
from huggingface_hub.utils import parse_ratelimit_headers

from tests.hubsim.conftest import READ, WRITE


def _get(sim, path="/api/whoami-v2", token=WRITE):
    return httpx2.get(sim.url + path, headers={"Authorization": f"Bearer {token}"})


def test_no_quota_no_headers(sim):
    assert "RateLimit" not in _get(sim).headers


def test_a_window_s_requests_then_429_until_it_resets(sim):
    sim.settings.api_quota, sim.settings.api_window = 3, 20.0  # x 0.05: 1 s
    answers = [_get(sim) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    infos = [parse_ratelimit_headers(a.headers) for a in answers]
    assert [i.remaining for i in infos] == [2, 1, 0, 0]
    assert (infos[0].limit, infos[0].window_seconds, infos[0].reset_in_seconds) == (3, 1, 1)
    assert "Retry-After" not in answers[3].headers  # the Hub's 429: RateLimit only
    assert _get(sim, token=READ).status_code == 429  # the same user, another token: spent too
    assert sum(sim.counters.rate_limited.values()) == 2
    time.sleep(1.05)
    assert _get(sim).status_code == 200


def test_other_jobs_spent_the_window(sim):
    sim.settings.api_quota, sim.settings.api_window = 1000, 300.0
    sim.spend_api(1000, 150)  # x 0.05: 7.5 s
    refused = _get(sim)
    assert refused.status_code == 429
    assert parse_ratelimit_headers(refused.headers).reset_in_seconds == 8
    assert "RateLimit" not in httpx2.get(sim.url + "/user/x/resolve/main/a").headers  # not /api/
