"""The Hub's plan rules (2026): which rule refused a 402, from what the request asked (the SDK, the
hardware, the visibility, creating a Space or changing one) and what the Hub said, so the advice
(hub/explain.py) never names a way out that the rules close (cpu-basic does not get a free account a
new Gradio Space). The rules and their sources: docs/troubleshooting.md#402-a-paid-plan-is-required.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

FREE_HARDWARE = "cpu-basic"
ZEROGPU = "zero-a10g"


class Gate(Enum):
    """Which rule of the plans a 402 comes from."""

    COMPUTE_SPACE = "creating a Gradio or Docker Space needs a paid plan"
    ZEROGPU = "ZeroGPU has its own limits"
    PAID_HARDWARE = "paid hardware needs a payment method"
    PROTECTED = "protected Spaces need PRO"
    UNKNOWN = "the Hub did not say which rule"


@dataclass(frozen=True)
class Asked:
    """The request the Hub refused, as far as the plan rules care."""

    sdk: str
    hardware: str | None = None  # None: not asked (a new Space gets cpu-basic)
    visibility: str | None = None
    creating: bool = False


def gate(asked: Asked, said: str = "") -> Gate:
    """The Hub's words first (they name the rule when they can), then the shape of the request."""
    text = said.lower()
    if "zerogpu" in text:
        return Gate.ZEROGPU
    if "static spaces" in text:
        return Gate.COMPUTE_SPACE
    if "protected" in text:
        return Gate.PROTECTED
    hardware = asked.hardware or FREE_HARDWARE
    if hardware == ZEROGPU:  # not billed by the minute: its limits are what refuse it
        return Gate.ZEROGPU
    if "payment method" in text:
        return Gate.PAID_HARDWARE
    if asked.creating and asked.sdk != "static" and hardware == FREE_HARDWARE:
        return Gate.COMPUTE_SPACE
    if hardware != FREE_HARDWARE:
        return Gate.PAID_HARDWARE
    if asked.visibility == "protected":
        return Gate.PROTECTED
    return Gate.UNKNOWN
