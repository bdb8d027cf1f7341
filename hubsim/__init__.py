"""hubsim: a local Hugging Face Hub simulator for Spaces, for the real client."""

from .faults import FaultRule, Faults
from .hub import HubSim
from .settings import LifecycleTimings, ProtectedInfo, Settings, Variants
from .state import Commit, FileEntry, Repo

__all__ = [
    "Commit",
    "FaultRule",
    "Faults",
    "FileEntry",
    "HubSim",
    "LifecycleTimings",
    "ProtectedInfo",
    "Repo",
    "Settings",
    "Variants",
]
