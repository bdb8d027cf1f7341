"""The Hub's plan rules (2026) and the advice a 402 gets: what the refused request asked (the SDK,
the hardware, the visibility, creating a Space or changing one) decides which rule refused it and
what gets past it, so the advice never names a way out that the rules close (cpu-basic does not
get a free account a new Gradio Space).

Sources (quoted in docs/troubleshooting.md#402-a-paid-plan-is-required):
- hub-docs `spaces-overview` (#2624, 2026-07-21): static Spaces are free for everyone; Gradio and
  Docker Spaces run on compute and need a paid plan to be created (PRO for personal accounts, Team
  or Enterprise for organizations); free personal accounts in good standing may still host 2 Gradio
  Spaces on ZeroGPU. `spaces-gpus`: "CPU Basic has no hourly cost, but creating a new Space that
  runs on compute (Gradio or Docker) requires a paid plan".
- hub-docs `spaces-zerogpu`: free accounts in good standing (verified email, older than 30 days)
  host up to 2 ZeroGPU Spaces, PRO accounts up to 10, organizations with Team or Enterprise;
  ZeroGPU runs the Gradio SDK only.
- The Hub's own 402 texts users report: "Static Spaces are free for everyone, but hosting Gradio
  and Docker Spaces on free cpu-basic requires a PRO subscription…", "You must be subscribed to PRO
  to host Spaces with ZeroGPU. If you recently created your account, please wait 30 days or request
  a community grant…".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from hf_action.errors import ActionError

FREE_HARDWARE = "cpu-basic"
ZEROGPU = "zero-a10g"
PRO_URL = "https://huggingface.co/pro"
BILLING_URL = "https://huggingface.co/settings/billing"
DOCS = "https://huggingface.co/docs/hub/spaces-overview"
ZEROGPU_DOCS = "https://huggingface.co/docs/hub/spaces-zerogpu"


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


def refusal(space_id: str, asked: Asked, said: str = "") -> ActionError:
    """The 402 as one error whose advice is true under the rules for what was asked."""
    rule = gate(asked, said)
    verb = "create" if asked.creating else "change"
    head = f"The Hub refused to {verb} the {asked.sdk} Space '{space_id}' (402)"
    tail = (" Nothing was written." if asked.creating else " Nothing has changed.") + (
        f" The Hub said: {said.strip()}" if said.strip() else ""
    )
    message, hint, title = _ADVICE[rule](asked)
    return ActionError(f"{head}: {message}{tail}", hint, title=title)


Advice = tuple[str, str, str]  # what refused it, the ways out, the error's title


def _compute_space(asked: Asked) -> Advice:
    zerogpu = (
        "; a Gradio app may also run on ZeroGPU (hardware: zero-a10g), which a free account in"
        " good standing may host twice"
        if asked.sdk == "gradio"
        else ""
    )
    return (
        "since 2026-07-21 creating a Gradio or Docker Space needs a paid plan, on cpu-basic too.",
        "Ways out: deploy a static Space (sdk: static; free for everyone), subscribe to PRO"
        f" ({PRO_URL}), or deploy to an organization with a paid plan (Team or Enterprise)"
        f"{zerogpu}. Spaces that already exist keep deploying; each pull-request preview is a new"
        f" Space, so previews need the plan too. See {DOCS}.",
        "Paid plan required to create this Space",
    )


def _zerogpu(asked: Asked) -> Advice:
    gradio_only = (
        f" ZeroGPU runs the Gradio SDK only, and this Space is {asked.sdk}."
        if asked.sdk != "gradio"
        else ""
    )
    return (
        f"{Gate.ZEROGPU.value}.{gradio_only}",
        "A free personal account in good standing (verified email, older than 30 days) may host"
        " 2 ZeroGPU Spaces, a PRO account 10, an organization needs Team or Enterprise. Wait until"
        " the account is 30 days old or request a community grant, move another of its ZeroGPU"
        f" Spaces to other hardware, or subscribe to PRO ({PRO_URL}). See {ZEROGPU_DOCS}.",
        "ZeroGPU not available to this account",
    )


def _paid_hardware(asked: Asked) -> Advice:
    compute = asked.sdk != "static"
    plan = (
        " Creating a Gradio or Docker Space also needs a paid plan (PRO, or an organization with"
        " Team or Enterprise), on cpu-basic too."
        if asked.creating and compute
        else ""
    )
    billing_at = f"a payment method ({BILLING_URL}, or the organization's billing settings)"
    if not asked.creating:
        fix = (
            f"Add {billing_at}, or leave `hardware` unset or ask for cpu-basic: the existing Space"
            " keeps deploying on it."
        )
    elif compute:
        fix = (
            f"Subscribe to PRO ({PRO_URL}) or use an organization with Team or Enterprise, with"
            f" {billing_at}; or deploy a static Space (sdk: static), free for everyone."
        )
    else:
        fix = f"Add {billing_at}, or leave `hardware` unset: static Spaces are free for everyone."
    return (
        f"{Gate.PAID_HARDWARE.value}. '{asked.hardware}' is billed by the minute and needs a"
        f" payment method on the account or organization.{plan}",
        f"{fix} See {DOCS}.",
        "Payment required for this hardware",
    )


def _protected(asked: Asked) -> Advice:
    return (
        f"{Gate.PROTECTED.value}.",
        f"Subscribe to PRO ({PRO_URL}) or use an organization with a paid plan, or set"
        " `visibility` to public or private.",
        "Protected visibility needs PRO",
    )


def _unknown(asked: Asked) -> Advice:
    return (
        "payment required.",
        "Check the plan and the billing settings of the account or organization"
        f" ({BILLING_URL}); static Spaces are free for everyone. See {DOCS}.",
        "Payment required",
    )


_ADVICE: dict[Gate, Callable[[Asked], Advice]] = {
    Gate.COMPUTE_SPACE: _compute_space,
    Gate.ZEROGPU: _zerogpu,
    Gate.PAID_HARDWARE: _paid_hardware,
    Gate.PROTECTED: _protected,
    Gate.UNKNOWN: _unknown,
}
