"""The 402 advice under the plan rules of 2026 (hf_action/hub/billing.py), for every SDK, hardware
and kind of request: it names the rule that refused it and no way out that the rules close."""

from __future__ import annotations

import itertools

import pytest

from hf_action.hub.billing import Asked, Gate, gate
from hf_action.hub.explain import payment_refused as refusal
from hubsim.plans import PLAN_REQUIRED, ZEROGPU_REQUIRED

SDKS = ("static", "gradio", "docker")
HARDWARE = (None, "cpu-basic", "zero-a10g", "t4-small")
# The Hub's own words: the 2026 creation gate, the ZeroGPU refusal, hubsim's paid-hardware 402.
PAYMENT_METHOD = (
    "Payment required: you need to add a payment method to your account to use 't4-small'"
    " hardware. Free accounts can only use cpu-basic."
)


def expected_gate(asked: Asked) -> Gate:
    hardware = asked.hardware or "cpu-basic"
    if hardware == "zero-a10g":
        return Gate.ZEROGPU
    if hardware != "cpu-basic":
        return Gate.PAID_HARDWARE
    if asked.creating and asked.sdk != "static":
        return Gate.COMPUTE_SPACE
    return Gate.UNKNOWN


CASES = [
    Asked(sdk, hw, creating=creating)
    for sdk, hw, creating in itertools.product(SDKS, HARDWARE, (True, False))
]


@pytest.mark.parametrize("asked", CASES, ids=lambda a: f"{a.sdk}-{a.hardware}-{a.creating}")
def test_every_request_gets_the_rule_its_shape_implies_and_true_advice(asked):
    assert gate(asked) is expected_gate(asked)
    line = refusal("me/app", asked).line
    assert "me/app" in line and "402" in line
    if asked.creating and asked.sdk != "static":
        # cpu-basic does not get a free account a new Gradio or Docker Space: never the way out.
        assert "ask for cpu-basic" not in line and "Choose free hardware" not in line
        if expected_gate(asked) is not Gate.ZEROGPU:
            assert "PRO" in line and "Team or Enterprise" in line
    if asked.sdk == "static" and asked.hardware in (None, "cpu-basic"):
        assert "needs a paid plan" not in line and "free for everyone" in line


def test_a_free_account_creating_a_gradio_space_hears_all_the_ways_out():
    line = refusal("me/app", Asked("gradio", None, creating=True), PLAN_REQUIRED).line
    assert "on cpu-basic too" in line and "Nothing was written" in line
    for way in ("sdk: static", "PRO", "organization with a paid plan", "ZeroGPU"):
        assert way in line
    assert PLAN_REQUIRED in line  # the Hub's own words, quoted
    docker = refusal("me/app", Asked("docker", "cpu-basic", creating=True), PLAN_REQUIRED).line
    assert "ZeroGPU" not in docker  # ZeroGPU runs Gradio only


def test_zerogpu_refusals_give_the_zerogpu_rules_whatever_the_hub_says():
    for said in (ZEROGPU_REQUIRED, "", PAYMENT_METHOD):
        asked = Asked("gradio", "zero-a10g", creating=True)
        assert gate(asked, said) is Gate.ZEROGPU
    line = refusal("me/app", Asked("gradio", "zero-a10g", creating=True), ZEROGPU_REQUIRED).line
    for rule in ("2 ZeroGPU Spaces", "PRO account 10", "30 days", "community grant"):
        assert rule in line
    assert "cpu-basic" not in line
    docker = refusal("me/app", Asked("docker", "zero-a10g", creating=False)).line
    assert "Gradio SDK only" in docker and "Nothing has changed" in docker


def test_the_hubs_words_name_the_rule_before_the_shape_of_the_request():
    asked = Asked("gradio", "t4-small", creating=True)
    assert gate(asked) is Gate.PAID_HARDWARE
    assert gate(asked, PLAN_REQUIRED) is Gate.COMPUTE_SPACE
    assert gate(Asked("gradio", "cpu-basic"), PAYMENT_METHOD) is Gate.PAID_HARDWARE
    assert gate(Asked("static", visibility="protected")) is Gate.PROTECTED
    assert gate(Asked("static"), "Protected Spaces are a PRO feature") is Gate.PROTECTED


def test_paid_hardware_on_an_existing_space_may_fall_back_to_cpu_basic():
    line = refusal("me/app", Asked("gradio", "t4-small"), PAYMENT_METHOD).line
    assert "payment method" in line and "cpu-basic" in line and "Nothing has changed" in line
    new = refusal("me/app", Asked("gradio", "t4-small", creating=True), PAYMENT_METHOD).line
    assert "also needs a paid plan" in new and "ask for cpu-basic" not in new
