"""The Hub's runtime stages grouped by what they mean for a deploy. Its own module, with no
dataclass in it: the no-op deploy asks "does the Space run?" without loading the build watch."""

from __future__ import annotations

from huggingface_hub import SpaceStage

SLEEPING = "SLEEPING"  # the Hub shows it for a Space without visitors; SpaceStage has no member
# A Space asleep for lack of visitors: SLEEPING (huggingface.js) or STOPPED (hub-docs, SpaceStage);
# it wakes on its next visit, so either is the end of a watch that proved the stage ours.
ASLEEP = frozenset({SLEEPING, SpaceStage.STOPPED})
BUSY = frozenset(
    {
        SpaceStage.BUILDING,
        SpaceStage.APP_STARTING,
        SpaceStage.RUNNING_BUILDING,
        SpaceStage.RUNNING_APP_STARTING,
    }
)
FAILED = frozenset(
    {
        SpaceStage.BUILD_ERROR,
        SpaceStage.CONFIG_ERROR,
        SpaceStage.NO_APP_FILE,
        SpaceStage.RUNTIME_ERROR,
    }
)
NO_BUILD = frozenset({SpaceStage.CONFIG_ERROR, SpaceStage.NO_APP_FILE})  # no image built
HALTED = frozenset({SpaceStage.PAUSED, SpaceStage.DELETING})  # waiting never brings RUNNING
