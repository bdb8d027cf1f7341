"""hubsim: a local Hugging Face Hub simulator for Spaces, spoken to by the real huggingface_hub client."""
from .faults import FaultRule, Faults
from .hub import HubSim
from .lifecycle import LifecycleTimings
from .state import Commit, FileEntry, Repo

__all__ = ["HubSim", "LifecycleTimings", "FileEntry", "Commit", "Repo", "Faults", "FaultRule"]
