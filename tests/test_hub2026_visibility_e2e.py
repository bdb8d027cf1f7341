"""`visibility` among public, private and protected, on a Hub whose Space info may show a protected
Space as `private: false` or `private: true`, with or without a `visibility` field (hubsim's
`protected_info` knob, four shapes; hubsim/README says why each). Every transition must land,
whatever the info shows: when it cannot tell, the wanted visibility is sent."""

from __future__ import annotations

import pytest
from huggingface_hub import HfApi

from hf_action.hub.space import SpaceState, plan_settings, shown_visibility
from hubsim import ProtectedInfo
from tests.conftest import TOKEN, copy_example

# The round trip, then on through the two transitions it leaves out (protected → private,
# private → public): every ordered pair of the three visibilities, on one Space.
ROUND_TRIP = ["public", "protected", "public", "private", "protected", "private", "public"]


def held(repo) -> str:
    """The visibility the simulated Hub holds (its state, not what its info shows)."""
    return "protected" if repo.protected else "private" if repo.private else "public"


@pytest.mark.parametrize("shape", list(ProtectedInfo), ids=lambda s: s.value)
def test_visibility_round_trip_lands_every_step_whatever_the_info_shows(action, hub, shape):
    hub.settings.variants.protected_info = shape
    copy_example("static-site", action.workspace)
    api = HfApi(endpoint=hub.url, token=TOKEN)
    landed, shown = [], []
    for want in ROUND_TRIP:
        result = action.run({"space": "user/vis", "hf-token": TOKEN, "visibility": want})
        result.assert_ok()
        landed.append(held(hub.repo("user/vis")))
        shown.append(shown_visibility(api.space_info("user/vis")))
    assert landed == ROUND_TRIP
    # What the client could read back: the field names it; `private` alone never does.
    assert shown == (ROUND_TRIP if shape.field else [None] * len(ROUND_TRIP))


@pytest.mark.parametrize(
    "private,want,sent",
    [
        (False, "public", "public"),  # `private: false` may be a protected Space
        (True, "private", "private"),  # `private: true` may be a protected Space
        (True, "public", "public"),
        (False, "private", "private"),
        (False, "protected", "protected"),
        (True, "protected", "protected"),
        (False, None, None),
    ],
)
def test_visibility_is_sent_unless_the_info_states_it(private, want, sent):
    unknown = SpaceState(exists=True, private=private, hardware="cpu-basic")
    assert plan_settings(unknown, None, want, None).visibility == sent


@pytest.mark.parametrize("have", ["public", "private", "protected"])
@pytest.mark.parametrize("want", ["public", "private", "protected"])
def test_a_stated_visibility_is_sent_only_when_it_differs(have, want):
    stated = SpaceState(exists=True, private=have != "public", visibility=have)
    assert plan_settings(stated, None, want, None).visibility == (None if have == want else want)


class _Info:
    """A SpaceInfo's visibility fields (SpaceInfo keeps unknown keys as attributes)."""

    def __init__(self, **fields: object) -> None:
        self.__dict__.update(fields)


@pytest.mark.parametrize(
    "fields,shown",
    [
        ({"private": False}, None),
        ({"private": True}, None),
        ({"private": False, "visibility": "protected"}, "protected"),
        ({"private": True, "visibility": "private"}, "private"),
        ({"private": False, "visibility": "internal"}, None),  # not one we know
        ({"private": False, "protected": True}, "protected"),
        ({"private": True, "protected": False}, "private"),
        ({"private": False, "protected": False}, "public"),
        ({"private": None, "protected": False}, None),
    ],
)
def test_the_info_tells_the_visibility_only_from_an_explicit_field(fields, shown):
    assert shown_visibility(_Info(**fields)) == shown  # type: ignore[arg-type]  # a stand-in
