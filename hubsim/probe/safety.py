"""What makes the probe safe to point at a real account: it only ever touches Spaces whose
names it made (a fixed prefix and a random suffix), refuses a name that exists, and runs only
when the maintainer confirmed the endpoint and owner."""

from __future__ import annotations

import re
import secrets

from .plan import Kind

PREFIX = "hf-deploy-probe-"
NAME = re.compile(rf"^{re.escape(PREFIX)}(?:{'|'.join(k.value for k in Kind)})-[0-9a-f]{{6}}$")


class Refused(Exception):
    """The probe will not go on; the message says why and what to do."""


def scratch_name(kind: Kind) -> str:
    """``hf-deploy-probe-<kind>-<6 hex>``: recognisable by ``--cleanup``, unlikely to exist."""
    name = f"{PREFIX}{kind.value}-{secrets.token_hex(3)}"
    assert NAME.match(name)
    return name


def is_scratch(repo_id: str, owner: str) -> bool:
    """Whether ``repo_id`` is one of the probe's Spaces in ``owner``'s namespace (and nothing
    else: a Space a person named with the same prefix but another shape is left alone)."""
    namespace, _, name = repo_id.partition("/")
    return namespace == owner and bool(NAME.match(name))


def confirm(yes: bool, endpoint: str, owner: str, action: str = "create Spaces") -> None:
    if not yes:
        raise Refused(
            f"refusing to {action} on {endpoint} as {owner} without --yes: read the plan "
            f"above (what it touches, the request budget, the plan it needs), then run again "
            f"with --yes"
        )
