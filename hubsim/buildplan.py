"""Decide how a Space build of a given tree ends, and write the build/run logs it would produce.

Triggers (see README): broken front matter -> CONFIG_ERROR; missing app file -> NO_APP_FILE;
a failing Dockerfile RUN step (or requirements marker) -> BUILD_ERROR; an app that exits at
start -> RUNTIME_ERROR. Everything else -> RUNNING.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import frontmatter
from .state import FileEntry

DEFAULT_APP_FILE = {"gradio": "app.py", "streamlit": "app.py", "static": "index.html"}
_FAILING_RUN = re.compile(r"(\bexit\s+[1-9]\d*\b|(^|[;&|]\s*)false(\s*$|\s*[;&|]))")
_ANSWERS = re.compile(r"hubsim:\s*app-answers\s+(200|500|none)\b")
_CRASH = re.compile(r"^(sys\.exit\(\s*[1-9]\d*\s*\)|raise SystemExit\b)|#\s*hubsim:\s*crash", re.M)


@dataclass
class BuildPlan:
    """Outcome of a build plus its log lines; ``build_log`` is empty when no image is built."""

    sdk: str | None
    outcome: str  # RUNNING | BUILD_ERROR | CONFIG_ERROR | NO_APP_FILE | RUNTIME_ERROR
    error_message: str | None = None
    build_log: list[str] = field(default_factory=list)
    run_log: list[str] = field(default_factory=list)
    answers: str = "200"  # what the running app answers a GET: "200", "500" or "none" (apps.py)

    @property
    def builds_image(self) -> bool:
        return self.outcome not in ("CONFIG_ERROR", "NO_APP_FILE") and self.sdk != "static"


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _image(ref: str) -> str:
    """Expand ``python:3.11`` to ``docker.io/library/python:3.11`` like BuildKit prints it."""
    ref = ref.split()[0]
    if "/" not in ref:
        ref = "library/" + ref
    if "." not in ref.split("/")[0]:
        ref = "docker.io/" + ref
    return ref


def _text(files: Mapping[str, FileEntry], path: str) -> str | None:
    entry = files.get(path)
    return None if entry is None else entry.content.decode("utf-8", errors="replace")


def _requirements(files: Mapping[str, FileEntry]) -> list[str]:
    text = _text(files, "requirements.txt") or ""
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def _pip_lines(reqs: list[str]) -> list[str]:
    names = [re.split(r"[<>=~!\[; ]", r, maxsplit=1)[0] for r in reqs]
    out = []
    for r, name in zip(reqs, names, strict=True):
        out.append(f"Collecting {r}")
        out.append(f"  Downloading {name.replace('-', '_')}-1.0.0-py3-none-any.whl (120 kB)")
    if reqs:
        out.append("Installing collected packages: " + ", ".join(names))
        out.append("Successfully installed " + " ".join(n + "-1.0.0" for n in names))
    return out


def _crash_log(app_file: str, source: str) -> tuple[list[str], str]:
    lineno, code = 1, "sys.exit(1)"
    for i, line in enumerate(source.splitlines(), 1):
        if _CRASH.search(line):
            lineno, code = i, line.strip()
            break
    exc = (
        "SystemExit: 1"
        if "exit" in code.lower()
        else "RuntimeError: hubsim: simulated crash at startup"
    )
    lines = [
        "Traceback (most recent call last):",
        f'  File "/home/user/app/{app_file}", line {lineno}, in <module>',
        f"    {code}",
        exc,
    ]
    return lines, f"Exit code: 1. Reason: {exc}"


def _docker_plan(files: Mapping[str, FileEntry], card: dict, commit: str) -> BuildPlan:
    dockerfile = _text(files, "Dockerfile")
    if dockerfile is None:
        return BuildPlan("docker", "NO_APP_FILE", "Dockerfile not found in the repository")
    log: list[str] = []
    fail_marker = False
    for raw in dockerfile.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            fail_marker = fail_marker or bool(re.search(r"hubsim:\s*fail-build", line))
            continue
        instr, _, args = line.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            log += [f"--> FROM {_image(args)}@{_digest(args)}", "DONE 0.0s", ""]
        elif instr == "RUN":
            log.append(f"--> RUN {args}")
            if fail_marker or _FAILING_RUN.search(args):
                log += [
                    "",
                    f'--> ERROR: process "/bin/sh -c {args}" did not complete successfully: '
                    "exit code: 1",
                ]
                return BuildPlan("docker", "BUILD_ERROR", "Build failed with exit code: 1", log)
            if "pip install" in args:
                log += _pip_lines(
                    _requirements(files)
                    if "requirements" in args
                    else args.split("pip install", 1)[1].split()
                )
            log += ["DONE 1.2s", ""]
        elif instr in ("COPY", "ADD", "WORKDIR", "ENV", "USER", "ARG"):
            log += [f"--> {instr} {args}", "DONE 0.1s", ""]
    log += ["--> Pushing image", "DONE 1.1s", "", "--> Exporting cache", "DONE 0.3s"]
    port = card.get("app_port") or 7860
    cmd = next(
        (
            ln
            for ln in reversed(dockerfile.splitlines())
            if ln.strip().upper().startswith(("CMD", "ENTRYPOINT"))
        ),
        "",
    )
    for token in re.findall(r"[\w./-]+\.py", cmd):
        source = _text(files, token.lstrip("./"))
        if source is not None and _CRASH.search(source):
            run, msg = _crash_log(token.lstrip("./"), source)
            return BuildPlan("docker", "RUNTIME_ERROR", msg, log, run)
    if re.search(r"#\s*hubsim:\s*crash", dockerfile):
        run, msg = _crash_log("app.py", "raise SystemExit(1)  # hubsim: crash")
        return BuildPlan("docker", "RUNTIME_ERROR", msg, log, run)
    run = [
        "INFO:     Started server process [1]",
        "INFO:     Waiting for application startup.",
        "INFO:     Application startup complete.",
        f"INFO:     Uvicorn running on http://0.0.0.0:{port} (Press CTRL+C to quit)",
    ]
    return BuildPlan("docker", "RUNNING", None, log, run)


def _python_plan(sdk: str, files: Mapping[str, FileEntry], card: dict) -> BuildPlan:
    app_file = card.get("app_file") or DEFAULT_APP_FILE[sdk]
    source = _text(files, app_file)
    if source is None:
        return BuildPlan(sdk, "NO_APP_FILE", f"Application file {app_file} not found")
    version = card.get("sdk_version") or ("5.9.1" if sdk == "gradio" else "1.41.1")
    reqs = _requirements(files)
    log = [
        "--> FROM docker.io/library/python:3.10@" + _digest("python:3.10"),
        "DONE 0.0s",
        "",
        "--> RUN pip install --no-cache-dir pip -U && "
        'pip install --no-cache-dir datasets "huggingface-hub>=0.19"',
        "DONE 4.1s",
        "",
        "--> COPY --link --chown=1000 ./ /home/user/app",
        "DONE 0.1s",
        "",
    ]
    if reqs:
        log.append(
            "--> RUN --mount=target=/tmp/requirements.txt,source=requirements.txt "
            "pip install --no-cache-dir -r /tmp/requirements.txt"
        )
        for r in reqs:
            if "hubsim-fail-build" in r or "hubsim: fail-build" in r:
                log += [
                    f"ERROR: Could not find a version that satisfies the requirement {r} "
                    "(from versions: none)",
                    f"ERROR: No matching distribution found for {r}",
                    "",
                    '--> ERROR: process "/bin/sh -c pip install --no-cache-dir -r '
                    '/tmp/requirements.txt" did not complete successfully: exit code: 1',
                ]
                return BuildPlan(sdk, "BUILD_ERROR", "Build failed with exit code: 1", log)
        log += [*_pip_lines(reqs), "DONE 6.3s", ""]
    log += [
        f"--> RUN pip install --no-cache-dir {sdk}=={version}",
        f"Successfully installed {sdk}-{version}",
        "DONE 9.8s",
        "",
        "--> Pushing image",
        "DONE 1.4s",
        "",
        "--> Exporting cache",
        "DONE 0.2s",
    ]
    if _CRASH.search(source):
        run, msg = _crash_log(app_file, source)
        return BuildPlan(sdk, "RUNTIME_ERROR", msg, log, run)
    if sdk == "gradio":
        run = [
            "* Running on local URL:  http://0.0.0.0:7860",
            "",
            "To create a public link, set `share=True` in `launch()`.",
        ]
    else:
        run = [
            "",
            "Collecting usage statistics. To deactivate, set browser.gatherUsageStats to false.",
            "",
            "",
            "  You can now view your Streamlit app in your browser.",
            "",
            "  URL: http://0.0.0.0:8501",
            "",
        ]
    return BuildPlan(sdk, "RUNNING", None, log, run)


def plan_build(
    files: Mapping[str, FileEntry], repo_sdk: str | None, commit: str | None
) -> BuildPlan:
    """Evaluate the failure triggers on a tree and produce the build's outcome and logs."""
    readme = _text(files, "README.md")
    try:
        card = frontmatter.parse_readme(readme) if readme is not None else None
    except frontmatter.FrontMatterError as exc:
        return BuildPlan(repo_sdk, "CONFIG_ERROR", f"Invalid YAML metadata in README.md: {exc}")
    if card is None:
        return BuildPlan(
            repo_sdk,
            "CONFIG_ERROR",
            "Missing configuration in README. Base README.md template: sdk is required",
        )
    problem = frontmatter.config_problem(card)
    if problem:
        return BuildPlan(repo_sdk, "CONFIG_ERROR", problem)
    sdk = card["sdk"]
    # A commit build names its commit; a restart or wake of the same commit does not.
    queued = (
        f"===== Build Queued at {{queued}} / Commit SHA: {commit[:7]} =====" if commit else None
    )
    header = [queued or "===== Build Queued at {queued} =====", ""]
    if sdk == "static":
        app_file = card.get("app_file") or "index.html"
        if app_file not in files:
            return BuildPlan(sdk, "NO_APP_FILE", f"Application file {app_file} not found")
        return BuildPlan(sdk, "RUNNING", answers=_answers(files))
    plan = (
        _docker_plan(files, card, commit or "")
        if sdk == "docker"
        else _python_plan(sdk, files, card)
    )
    if plan.build_log:
        plan.build_log = header + plan.build_log
    if plan.run_log:
        plan.run_log = ["===== Application Startup at {started} =====", "", *plan.run_log]
    plan.answers = _answers(files)
    return plan


def _answers(files: Mapping[str, FileEntry]) -> str:
    """An app-answers marker in a small regular file of the commit, else 200."""
    for entry in files.values():
        if entry.lfs_sha256 is None and entry.size < 65536:
            found = _ANSWERS.search(entry.text())
            if found:
                return found.group(1)
    return "200"
