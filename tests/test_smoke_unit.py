"""The smoke check's loop, in-process: a mock transport for the app, a fake clock for the bound."""

from __future__ import annotations

import itertools

import httpx2
import pytest

from hf_action.hub.smoke import BODY_BYTES, MIN_TRY, SmokeResult, intervals, smoke_check
from hf_action.hub.urls import own_app_host

START = 100.0  # not 0: a duration measured wrongly from it shows


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def run(answers, *, timeout=10.0, accept=frozenset(), token=None):
    """`answers`: statuses (int), exceptions or responses, one per request; the last one repeats."""
    clock, seen, said = Clock(), [], []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        clock.now += 0.1
        answer = answers[min(len(seen), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx2.Response):
            return answer
        return httpx2.Response(answer, text=f"body of {answer}")

    result = smoke_check(
        httpx2.MockTransport(handler), "http://app.test/health", token=token, accept=accept,
        timeout=timeout, say=said.append, clock=clock, sleep=clock.sleep,
    )  # fmt: skip
    return result, seen, said, clock


def test_a_2xx_passes_at_once_without_a_token_unless_given():
    result, seen, said, _ = run([204])
    assert result == SmokeResult(
        "http://app.test/health", True, 204, "body of 204", None, 1, pytest.approx(0.1)
    )
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
    assert result.passed is False and result.status == 500 and result.body == "body of 500"
    assert result.tries == len(seen) > 1
    assert clock.now - START <= 5.0 + 0.1  # the bound holds, the last request included
    assert result.seconds == pytest.approx(clock.now - START)
    # each request may take at most the time left: the first one all of it
    assert seen[0].extensions["timeout"]["read"] == pytest.approx(5.0)
    assert seen[1].extensions["timeout"]["read"] < 5.0
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
    assert clock.now - START <= 3.0 + 0.1
    timed_out = run([httpx2.ReadTimeout("slow")], timeout=3.0)[0]
    assert timed_out.error.startswith("no answer within ")


def test_no_request_is_sent_with_less_than_min_try_left():
    result, seen, _, _ = run([200], timeout=MIN_TRY / 2)
    assert seen == [] and not result.passed and result.error == "not tried" and result.body == ""


def test_the_excerpt_is_one_line_and_cut():
    long = SmokeResult("u", False, 500, "a\n  b " + "x" * 400, None, 1, 1.0)
    assert long.excerpt() == "a b " + "x" * 296 + "…"


def test_300_is_not_a_success():
    assert not run([300], timeout=1.0)[0].passed


def test_exactly_min_try_left_still_sends_one_request():
    result, seen, _, _ = run([200], timeout=MIN_TRY)
    assert len(seen) == 1 and result.passed


def test_the_body_is_read_in_chunks_up_to_a_limit_and_decoded_leniently():
    chunks = [b"ab", b"\xff", b"c" * (BODY_BYTES * 2)]
    result = run([httpx2.Response(500, content=iter(chunks))], timeout=1.0)[0]
    assert result.body.startswith("ab\ufffdccc") and len(result.body) == BODY_BYTES


def test_intervals_grow_to_five_seconds_scaled():
    gaps = list(itertools.islice(intervals(0.5), 7))
    assert gaps == pytest.approx([0.5, 0.75, 1.125, 1.6875, 2.5, 2.5, 2.5])
    assert list(itertools.islice(intervals(), 2)) == [1.0, 1.5]  # unscaled by default


def test_the_wait_between_tries_never_outlasts_the_timeout():
    # tries at 0.1, 1.2, 2.8 s; the third pause would be 2.25 s but only 0.8 s are left
    _, seen, _, clock = run([500], timeout=3.6)
    assert len(seen) == 3 and clock.now - START == pytest.approx(3.6)


def test_describe_and_excerpt():
    one = SmokeResult("http://a/h", True, 200, "", None, 1, 0.04)
    assert one.describe() == "GET http://a/h answered 200 (1 try, 0.0s)"
    none = SmokeResult("http://a/h", False, None, "", "no answer within 5s", 3, 5.0)
    assert none.describe() == "GET http://a/h did not answer (no answer within 5s) (3 tries, 5.0s)"
    exact = SmokeResult("u", False, 500, "y" * 300, None, 1, 1.0)
    assert exact.excerpt() == "y" * 300  # at the limit: whole, no ellipsis


def test_a_get_without_redirects_and_no_body_without_an_answer():
    moved = httpx2.Response(302, headers={"Location": "http://elsewhere.test/login"})
    result, seen, _, _ = run([moved], timeout=1.0)
    assert [(r.method, r.url.host) for r in seen] == [("GET", "app.test")] * len(seen)
    assert result.status == 302 and not result.passed
    assert run([httpx2.ConnectError("x")], timeout=1.0)[0].body == ""
    assert run([httpx2.ReadTimeout("x")], timeout=1.0)[0].body == ""


def test_a_body_dripped_past_the_bound_is_not_read_to_its_end():
    clock = Clock()
    sent: list[int] = []

    def drip():  # a byte a second, for far longer than the check's bound
        for i in range(60):
            clock.now += 1.0
            sent.append(i)
            yield b"x"

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(500, content=drip())

    result = smoke_check(
        httpx2.MockTransport(handler), "http://app.test/", token=None, accept=frozenset(),
        timeout=10.0, say=lambda _: None, clock=clock, sleep=clock.sleep,
    )  # fmt: skip
    assert not result.passed and result.status == 500 and result.tries == 1
    assert len(sent) == 10 and result.seconds == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("url", "own"),
    [
        ("https://user-app.hf.space", True),
        ("HTTPS://User-App.HF.space:443/", True),
        ("https://huggingface.co/spaces/user/app", True),  # the Hub itself
        ("http://user-app.hf.space", False),  # not https
        ("https://other-app.hf.space", False),  # another Space's app
        ("https://user-app.hf.space.evil.example", False),
        ("https://user-app.hf.space:8443", False),
        ("https://x@user-app.hf.space", False),  # user info: a host a reader may misread
        ("https://evil.example", False),
        ("javascript:alert(1)", False),
        ("https://[::1", False),  # not a URL
    ],
)
def test_the_token_goes_only_to_the_spaces_own_app_host(url, own):
    assert own_app_host(url, "user-app", "https://huggingface.co") is own


def test_a_mirror_serves_apps_on_its_own_origin():
    mirror = "http://127.0.0.1:8080"
    assert own_app_host("http://127.0.0.1:8080/_apps/user-app", "user-app", mirror)
    assert not own_app_host("http://127.0.0.1:8081/_apps/user-app", "user-app", mirror)
    assert not own_app_host("http://localhost:8080/_apps/user-app", "user-app", mirror)
    assert not own_app_host("https://x.hf.space", None, mirror)
