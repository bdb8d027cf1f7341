"""`python -m hf_action --help`: run the action from a command line (see hf_action/app/cli.py)."""

import sys

from hf_action.app.cli import main

if __name__ == "__main__":
    sys.exit(main())
