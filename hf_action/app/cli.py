"""`python -m hf_action`: the action's single code path (`app.action.run_action`) driven from a command line.

One flag per action input, named exactly like the input. The flags build the same `raw` dict the
container entrypoint builds from `INPUT_*` variables, so validation, messages and behaviour are the
action's own. Outside GitHub the output is plain text and the outputs are printed as `name=value`;
with `GITHUB_ACTIONS=true` it speaks the runner's workflow commands instead.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Mapping, Sequence
from typing import NoReturn

from hf_action import __version__
from hf_action.app.action import configure_process, run_action
from hf_action.errors import ActionError
from hf_action.github.context import GitHubContext
from hf_action.github.runner import Runner
from hf_action.inputs import input_defaults

PROG = "python -m hf_action"

DESCRIPTION = """\
Deploy a folder to a Hugging Face Space, or restart, pause or delete a Space: the same
code the hf-deploy GitHub Action runs, usable from a terminal or any CI. Files are
compared with what the Space already holds and sent in one commit (large and binary
files through Xet storage, or LFS); then it waits until the Space runs that exact
commit, and fails with the build or run log if it does not.

The token comes from --hf-token or, when that flag is absent, from the HF_TOKEN
environment variable (prefer the variable: command lines are visible to other local
users). Paths are relative to the workspace: $GITHUB_WORKSPACE if set, else the
current directory. Set HF_ENDPOINT to use a Hub mirror or a local simulator. The run
ends with the outputs as name=value lines; the exit status is 0 on success, 1 on
failure (one "error:" line on stderr)."""

EPILOG = """\
examples:
  # deploy ./app to a Space (created on first deploy) and wait until it runs
  export HF_TOKEN=hf_...
  python -m hf_action --space my-org/my-app --path app

  # show what would be uploaded, deleted and configured; change nothing
  python -m hf_action --space my-org/my-app --path app --dry-run

  # restart a Space from scratch, without the build cache
  python -m hf_action --space my-org/my-app --operation restart --factory-reboot

boolean flags take true/false, or no value for true (--dry-run = --dry-run true).
"""

GROUP_NOTES = {
    "Pull-request previews": "used only on pull_request(_target) events (GITHUB_EVENT_NAME and GITHUB_EVENT_PATH)",
}

#: (group title, [(input name, metavar, help)]). Every input of the action appears exactly once.
GROUPS: list[tuple[str, list[tuple[str, str | None, str]]]] = [
    ("Target", [
        ("space", "OWNER/NAME", "target Space, 'owner/name' or just 'name' for the token's user"),
        ("hf-token", "TOKEN", "Hugging Face token with write access (default: $HF_TOKEN)"),
    ]),
    ("Files", [
        ("path", "DIR", "folder to upload, relative to the workspace"),
        ("exclude", "PATTERNS", "files not to upload: gitignore patterns, one per line (.git and .github/ always are)"),
        ("delete-removed", "BOOL", "delete Space files that are not in --path"),
        ("card", "FILE", "file that becomes the Space's README.md, e.g. README_HF.md"),
        ("commit-message", "TEXT", "commit message on the Space (default: derived from the GitHub run)"),
    ]),
    ("Space settings", [
        ("sdk", "SDK", "gradio, docker, static or streamlit (default: the card's sdk, else detected)"),
        ("hardware", "FLAVOR", "hardware, e.g. cpu-basic, t4-small (default: unchanged; new Spaces get cpu-basic)"),
        ("visibility", "VISIBILITY", "public, private or protected (default: unchanged; new Spaces are public)"),
        ("app-port", "PORT", "port the app listens on (Docker Spaces; written to app_port)"),
        ("app-file", "FILE", "main application file (Gradio/Streamlit; written to app_file)"),
        ("sdk-version", "VERSION", "SDK version to run (Gradio/Streamlit; written to sdk_version)"),
        ("sleep-time", "SECONDS", "seconds of inactivity before the Space sleeps (upgraded hardware; -1: never)"),
    ]),
    ("Secrets and variables", [
        ("secrets", "KEY=VALUE...", "Space secrets, one KEY=VALUE per line or KEY<<EOF...EOF; masked in the output"),
        ("variables", "KEY=VALUE...", "Space variables, same format as --secrets"),
        ("secrets-mode", "MODE", "merge (leave other secrets alone) or exact (delete the Space's secrets not listed)"),
        ("variables-mode", "MODE", "merge or exact, as --secrets-mode, for variables"),
    ]),
    ("Build", [
        ("wait", "BOOL", "wait until the Space runs the new commit, or failed"),
        ("timeout", "DURATION", "how long to wait: seconds or 90s, 20m, 1h"),
        ("smoke-path", "PATH", "once RUNNING, GET the app at this path (e.g. /health) until it answers 2xx"),
        ("smoke-timeout", "DURATION", "how long the smoke check may take"),
        ("smoke-status", "CODES", "statuses that also pass the smoke check, e.g. 401 or 307"),
    ]),
    ("Pull-request previews", [
        ("preview", "MODE", "auto, true or false: deploy pull requests to their own Space"),
        ("preview-name", "TEMPLATE", "preview Space name with {name} and {number}"),
        ("preview-visibility", "VIS", "public, private or protected for previews (default: no more visible than the base)"),
        ("preview-hardware", "FLAVOR", "hardware of preview Spaces; they never take --hardware"),
        ("preview-sleep-time", "SECONDS", "inactivity before a preview sleeps (upgraded hardware)"),
        ("preview-secrets", "KEY=VALUE...", "secrets of previews instead of --secrets (# none: none)"),
        ("preview-variables", "KEY=VALUE...", "variables of previews instead of --variables"),
        ("github-token", "TOKEN", "GitHub token used to comment on the pull request"),
        ("comment", "BOOL", "post and update a comment with the preview URL"),
        ("github-deployment", "MODE", "GitHub Deployments: auto (previews), true (production too) or false"),
        ("environment", "TEMPLATE", "deployment environment with {name}, {owner}, {number} (default: hf-preview/{name}-pr-{number})"),
    ]),
    ("Operations", [
        ("operation", "OP", "deploy, restart, pause, delete, rollback or cleanup-previews"),
        ("revision", "SHA", "with rollback, the Space commit to return to, or previous"),
        ("factory-reboot", "BOOL", "with restart, rebuild from scratch without the build cache"),
        ("dry-run", "BOOL", "report what would change; create, upload and configure nothing"),
    ]),
]  # fmt: skip


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Wraps flag help at spaces only: a default like hf-preview/{name}-pr-{number} stays whole."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


class _Parser(argparse.ArgumentParser):
    """Usage mistakes end in one `error:` line (exit 2), like the action's own input errors."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see '{PROG} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        usage="%(prog)s --space OWNER/NAME [--path DIR] [options]",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=lambda prog: _Formatter(prog, max_help_position=34, width=100),
    )
    parser.add_argument("--version", action="version", version=f"hf-deploy {__version__}")
    defaults = input_defaults()  # action.yml's, stated in the help as the action applies them
    for title, flags in GROUPS:
        group = parser.add_argument_group(title, GROUP_NOTES.get(title))
        for name, metavar, text in flags:
            default = defaults[name]
            if default is not None:
                text = f"{text} (default: {default})"
            if default in ("true", "false"):
                group.add_argument(
                    f"--{name}", dest=name, metavar="BOOL", help=text, nargs="?", const="true"
                )
            else:
                group.add_argument(f"--{name}", dest=name, metavar=metavar, help=text)
    return parser


def raw_inputs(args: argparse.Namespace, env: Mapping[str, str]) -> dict[str, str]:
    """The dict the entrypoint builds from `INPUT_*`: only what was given; `run_action` applies the defaults."""
    names = input_defaults()
    raw = {name: value for name, value in vars(args).items() if name in names and value is not None}
    if "hf-token" not in raw and env.get("HF_TOKEN"):
        raw["hf-token"] = env["HF_TOKEN"]
    return raw


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = dict(os.environ if env is None else env)
    github = GitHubContext.from_env(env)
    runner = Runner(
        github=github.actions,
        output_file=github.output_file,
        summary_file=github.summary_file,
        docs_base=github.docs_base,
    )
    try:
        parser = build_parser()
    except ActionError as exc:  # action.yml missing: the flags and their defaults come from it
        runner.error(exc.line, title=exc.title)
        return 1
    raw = raw_inputs(parser.parse_args(argv), env)
    xet = configure_process(env)
    try:
        return run_action(raw, env, runner, github, xet)
    except KeyboardInterrupt:
        print("error: interrupted.", file=sys.stderr)
        return 130
