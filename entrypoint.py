"""The container's entrypoint: read the runner's environment and run the action once."""

import os
import sys

from hf_action.app.action import configure_process, run_action
from hf_action.github.runner import runner_from_env
from hf_action.inputs import read_env_inputs

if __name__ == "__main__":
    configure_process(os.environ)
    sys.exit(run_action(read_env_inputs(os.environ), os.environ, runner_from_env(os.environ)))
