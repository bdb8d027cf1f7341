"""hubsim: a local Hugging Face Hub simulator for Spaces, for the real client."""

from .faults import FaultRule, Faults
from .hub import HubSim
from .lifecycle import LifecycleTimings
from .state import Commit, FileEntry, ProtectedInfo, Repo

__all__ = [
    "Commit",
    "FaultRule",
    "Faults",
    "FileEntry",
    "HubSim",
    "LifecycleTimings",
    "ProtectedInfo",
    "Repo",
]
