"""Names vulture cannot see used: hooks a library calls by name. Each says which library and why.

Read by `vulture` (pyproject.toml [tool.vulture], run by scripts/test); never imported or run."""

from huggingface_hub.lfs import UploadInfo

from hf_action.app.cli import _Formatter
from hf_action.hub.progress import _XetReporter

# argparse's HelpFormatter calls _split_lines to wrap each flag's help text.
_ = _Formatter._split_lines
# huggingface_hub's Xet upload calls these on the reporter it constructs (our stand-in for its tqdm one).
_ = _XetReporter.update_progress
_ = _XetReporter.reset_for_next_commit
# huggingface_hub's preupload reads UploadInfo.sample; hub/commit.py empties it once answered.
_ = UploadInfo.sample
