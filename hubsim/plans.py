"""Plan rules of the Hub since 2026-07-21 and the Spaces hardware listing.

Since then, creating a Gradio or Docker Space (anything that runs on compute, cpu-basic included)
needs a paid plan: PRO for a personal account, Team or Enterprise for an organization. Static Spaces
stay free and existing Spaces keep deploying (the rule is checked at creation only). The 402 text is
the one users report from ``POST /api/repos/create`` (e.g. github.com/ed-donner/agents/issues/1469).
Off by default so older tests keep their free Gradio Spaces: ``settings.enforce_plans = True``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import HubError

if TYPE_CHECKING:
    from .model import Hub

PLAN_REQUIRED = (
    "Static Spaces are free for everyone, but hosting Gradio and Docker Spaces on free cpu-basic "
    "requires a PRO subscription. Subscribe at https://huggingface.co/pro"
)
PAID_ORG_PLANS = ("team", "enterprise")
ZEROGPU = "zero-a10g"
#: hub-docs spaces-zerogpu: free accounts in good standing host up to 2 ZeroGPU Spaces, PRO up to
#: 10, organizations with Team or Enterprise up to 50.
ZEROGPU_LIMITS = {"free": 2, "pro": 10, "org": 50}
#: The 402 users report for a ZeroGPU Space the account may not host (hubsim/README).
ZEROGPU_REQUIRED = (
    "You must be subscribed to PRO to host Spaces with ZeroGPU. If you recently created your "
    "account, please wait 30 days or request a community grant. Visit your billing settings to "
    "subscribe: https://huggingface.co/settings/billing"
)


@dataclass
class Plans:
    """``org_plans``: org -> "team" | "enterprise"; ``hardware``: the Hub's hardware listing.
    Whether the rules apply is ``settings.enforce_plans``."""

    org_plans: dict[str, str] = field(default_factory=dict)
    #: what GET /api/spaces/hardware lists; append a flavor the library does not know yet
    hardware: list[dict[str, Any]] = field(default_factory=lambda: [dict(h) for h in HARDWARE])

    def check_create(
        self, hub: Hub, namespace: str, sdk: str | None, hardware: str | None = None
    ) -> None:
        """402 when a free account or an org without a plan creates a Space that needs compute;
        a Gradio Space on ZeroGPU is the free account's exception (its own limits: check_zerogpu)."""
        if (
            not hub.settings.enforce_plans
            or sdk == "static"
            or (sdk == "gradio" and hardware == ZEROGPU)
        ):
            return
        if not self.paid(hub, namespace):
            raise HubError(402, PLAN_REQUIRED)

    def paid(self, hub: Hub, namespace: str) -> bool:
        if namespace in hub.auth.orgs:
            return self.org_plans.get(namespace) in PAID_ORG_PLANS
        return hub.auth.pro

    def check_zerogpu(self, hub: Hub, namespace: str, repo_id: str | None = None) -> None:
        """402 when the namespace may host no more ZeroGPU Spaces than it already does."""
        if namespace in hub.auth.orgs:
            limit = ZEROGPU_LIMITS["org"] if self.paid(hub, namespace) else 0
        elif hub.auth.pro:
            limit = ZEROGPU_LIMITS["pro"]
        else:
            limit = ZEROGPU_LIMITS["free"] if hub.settings.good_standing else 0
        hosted = sum(
            1
            for (rtype, rid), r in list(hub.repos.items())
            if rtype == "space" and r.owner == namespace and rid != repo_id
            and r.hardware == ZEROGPU
        )  # fmt: skip
        if hosted >= limit:
            raise HubError(402, ZEROGPU_REQUIRED)


def _hw(name: str, pretty: str, cpu: str, ram: str, cost: int, gpu: str | None = None) -> dict:
    item: dict[str, Any] = {
        "name": name,
        "prettyName": pretty,
        "cpu": cpu,
        "ram": ram,
        "ephemeralStorage": "50 GB",
        "unitCostMicroUSD": cost,
        "unitCostUSD": cost / 1e6,
        "unitLabel": "minute",
    }
    if gpu:
        count = name.rsplit("x", 1)[-1] if name[-2:-1] == "x" else "1"
        item["accelerator"] = {
            "type": "gpu",
            "model": gpu,
            "quantity": count if count.isdigit() else "1",
            "vram": "N/A",
            "manufacturer": "Nvidia",
        }
    return item


# The shape of GET /api/spaces/hardware (huggingface_hub ``list_spaces_hardware``); names follow
# the library's SpaceHardware enum of 2.4, including the rtx-pro-6000 flavors.
HARDWARE = [
    _hw("cpu-basic", "CPU Basic", "2 vCPU", "16 GB", 0),
    _hw("cpu-upgrade", "CPU Upgrade", "8 vCPU", "32 GB", 500),
    _hw("zero-a10g", "ZeroGPU", "dynamic", "dynamic", 0, "H200"),
    _hw("t4-small", "Nvidia T4 - small", "4 vCPU", "15 GB", 6667, "T4"),
    _hw("t4-medium", "Nvidia T4 - medium", "8 vCPU", "30 GB", 10000, "T4"),
    _hw("l4x1", "1x Nvidia L4", "8 vCPU", "30 GB", 13333, "L4"),
    _hw("l4x4", "4x Nvidia L4", "48 vCPU", "186 GB", 63333, "L4"),
    _hw("l40sx1", "1x Nvidia L40S", "8 vCPU", "62 GB", 30000, "L40S"),
    _hw("l40sx4", "4x Nvidia L40S", "48 vCPU", "382 GB", 138333, "L40S"),
    _hw("l40sx8", "8x Nvidia L40S", "192 vCPU", "1534 GB", 391667, "L40S"),
    _hw("a10g-small", "Nvidia A10G - small", "4 vCPU", "15 GB", 16667, "A10G"),
    _hw("a10g-large", "Nvidia A10G - large", "12 vCPU", "46 GB", 25000, "A10G"),
    _hw("a10g-largex2", "2x Nvidia A10G - large", "24 vCPU", "92 GB", 50000, "A10G"),
    _hw("a10g-largex4", "4x Nvidia A10G - large", "48 vCPU", "184 GB", 83333, "A10G"),
    _hw("a100-large", "Nvidia A100 - large", "12 vCPU", "142 GB", 41667, "A100"),
    _hw("a100x4", "4x Nvidia A100", "48 vCPU", "568 GB", 166667, "A100"),
    _hw("a100x8", "8x Nvidia A100", "96 vCPU", "1136 GB", 333333, "A100"),
    _hw("rtx-pro-6000", "1x Nvidia RTX PRO 6000", "16 vCPU", "96 GB", 45000, "RTX PRO 6000"),
    _hw("rtx-pro-6000x2", "2x Nvidia RTX PRO 6000", "32 vCPU", "192 GB", 90000, "RTX PRO 6000"),
    _hw("rtx-pro-6000x4", "4x Nvidia RTX PRO 6000", "64 vCPU", "384 GB", 180000, "RTX PRO 6000"),
    _hw("rtx-pro-6000x8", "8x Nvidia RTX PRO 6000", "128 vCPU", "768 GB", 360000, "RTX PRO 6000"),
]
