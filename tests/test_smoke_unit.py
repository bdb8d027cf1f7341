"""The smoke check's loop, in-process: a mock transport for the app, a fake clock for the bound."""

from __future__ import annotations

import httpx2
import pytest

from hf_action.hub.smoke import MIN_TRY, SmokeResult, smoke_check


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def run(answers, *, timeout=10.0, accept=frozenset(), token=None):
    """`answers`: statuses (int) or exceptions, one per request; the last one repeats."""
    clock, seen, said = Clock(), [], []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        clock.now += 0.1
        answer = answers[min(len(seen), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return httpx2.Response(answer, text=f"body of {answer}")

    result = smoke_check(
        httpx2.MockTransport(handler), "http://app.test/health", token=token, accept=accept,
        timeout=timeout, say=said.append, clock=clock, sleep=clock.sleep,
    )  # fmt: skip
    return result, seen, said, clock


def test_a_2xx_passes_at_once_without_a_token_unless_given():
    result, seen, said, _ = run([204])
    assert result == SmokeResult("http://app.test/health", True, 204, "body of 204", None, 1, 0.1)
    assert said == [] and "authorization" not in seen[0].headers
    _, seen, _, _ = run([200], token="hf_tok")
    assert seen[0].headers["authorization"] == "Bearer hf_tok"


def test_it_tries_again_until_the_app_answers():
    result, seen, said, _ = run([503, 503, 500, 200])
    assert result.passed and result.status == 200 and result.tries == 4 == len(seen)
    # one line per change of answer, not one per try
    assert said == [
        "Smoke check: answered 503; trying again until 10s have passed",
        "Smoke check: answered 500; trying again until 10s have passed",
    ]


def test_an_error_answer_until_the_timeout_fails_with_the_last_answer():
    result, seen, _, clock = run([500], timeout=5.0)
    assert not result.passed and result.status == 500 and result.body == "body of 500"
    assert result.tries == len(seen) > 1
    assert clock.now <= 5.0 + 0.1  # the bound holds, the last request included
    assert result.describe().startswith("GET http://app.test/health answered 500 (")


@pytest.mark.parametrize("status", [401, 302])
def test_a_listed_status_passes_and_redirects_are_not_followed(status):
    assert run([status], accept=frozenset({401, 302}))[0].passed
    result, seen, _, _ = run([status], timeout=2.0)
    assert not result.passed and all(r.url.path == "/health" for r in seen)


def test_no_answer_is_named_and_bounded():
    result, _, said, clock = run([httpx2.ConnectError("refused")], timeout=3.0)
    assert not result.passed and result.status is None
    assert result.error == "ConnectError: refused"
    assert (
        said[0]
        == "Smoke check: no answer (ConnectError: refused); trying again until 3s have passed"
    )
    assert clock.now <= 3.0 + 0.1
    timed_out = run([httpx2.ReadTimeout("slow")], timeout=3.0)[0]
    assert timed_out.error.startswith("no answer within ")


def test_no_request_is_sent_with_less_than_min_try_left():
    result, seen, _, _ = run([200], timeout=MIN_TRY / 2)
    assert seen == [] and not result.passed and result.error == "not tried"


def test_the_excerpt_is_one_line_and_cut():
    long = SmokeResult("u", False, 500, "a\n  b " + "x" * 400, None, 1, 1.0)
    assert long.excerpt() == "a b " + "x" * 296 + "…"
