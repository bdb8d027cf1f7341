"""The container's entrypoint: read the runner's environment and run the action once."""

import os
import sys

from hf_action.app.action import configure_process, run_action
from hf_action.app.report import Reporter
from hf_action.errors import ActionError
from hf_action.github.runner import runner_from_env
from hf_action.inputs import read_env_inputs

if __name__ == "__main__":
    configure_process(os.environ)
    runner = runner_from_env(os.environ)
    try:
        raw = read_env_inputs(os.environ)  # the input names come from action.yml
    except ActionError as exc:  # action.yml missing from the image: one error line
        sys.exit(Reporter(runner).failed(exc))
    sys.exit(run_action(raw, os.environ, runner))
