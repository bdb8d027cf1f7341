"""The container's entrypoint: read the runner's environment and run the action once."""

import gc
import os
import sys

from hf_action.app.action import configure_process, run_action
from hf_action.app.report import Reporter
from hf_action.errors import ActionError
from hf_action.github.context import GitHubContext, step_inputs
from hf_action.github.runner import Runner

if __name__ == "__main__":
    gc.disable()  # while the Hub client and the deploy modules load: see app.action._loaded
    xet = configure_process(os.environ)
    github = GitHubContext.from_env(os.environ)
    runner = Runner(
        github=github.in_runner,
        output_file=github.output_file,
        summary_file=github.summary_file,
        docs_base=github.docs_base,
    )
    try:
        raw = step_inputs(os.environ)  # the input names come from action.yml
    except ActionError as exc:  # action.yml missing from the image: one error line
        sys.exit(Reporter(runner).failed(exc))
    code = run_action(raw, os.environ, runner, github, xet)
    # The process ends here, and its memory with it: the interpreter's last collection would first
    # walk every object the run loaded (~40 ms of a no-op deploy, bench/results.md). Frozen, it skips them.
    gc.freeze()
    sys.exit(code)
