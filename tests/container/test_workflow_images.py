"""The image steps of the shipped workflows, run on the image scripts/image-test built: ci.yml's smoke
step and release.yml's build step (with its labels and the same smoke), verbatim, as the runner runs
them (tests/workflow_steps.py). The build's `--pull` is the one thing left out: the base image may be
a stand-in here (scripts/image-test), so a `docker` on PATH drops it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.container.conftest import IMAGE
from tests.workflow_steps import ROOT, step


def _docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=False)


def test_ci_smoke_step_passes_on_the_built_image(tmp_path):
    assert _docker("tag", IMAGE, "hf-deploy:ci").returncode == 0
    try:
        done = step("ci.yml", "image", "Smoke-test the image").execute(
            ROOT, {}, {"HOME": str(tmp_path)}
        )
    finally:
        _docker("rmi", "hf-deploy:ci")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "refuses a run without inputs" in done.stdout


def test_the_smoke_step_fails_on_an_image_without_a_runtime_module(tmp_path):
    (tmp_path / "Dockerfile").write_text(f"FROM {IMAGE}\nRUN pip uninstall -q -y pathspec\n")
    built = _docker("build", "-q", "-t", "hf-deploy:ci", str(tmp_path))
    assert built.returncode == 0, built.stderr
    try:
        done = step("ci.yml", "image", "Smoke-test the image").execute(
            ROOT, {}, {"HOME": str(tmp_path)}
        )
    finally:
        _docker("rmi", "hf-deploy:ci")
    assert done.returncode != 0 and "No module named 'pathspec'" in done.stderr


def _docker_without_pull(tmp_path: Path) -> dict[str, str]:
    shim = tmp_path / "bin" / "docker"
    shim.parent.mkdir()
    real = subprocess.run(["bash", "-c", "command -v docker"], capture_output=True, text=True)
    shim.write_text(
        '#!/usr/bin/env bash\nargs=()\nfor a in "$@"; do [[ $a == --pull ]] || args+=("$a"); done\n'
        f'DOCKER_BUILDKIT=0 exec {real.stdout.strip()} "${{args[@]}}"\n'
    )
    shim.chmod(0o755)
    return {"PATH": f"{shim.parent}:{os.environ['PATH']}"}


def test_release_build_step_builds_labels_and_smoke_tests_the_image(tmp_path):
    image, major = "ghcr.io/octo-org/hf-deploy:1.4.0", "ghcr.io/octo-org/hf-deploy:1"
    values = {"steps.meta.outputs.image": image, "steps.meta.outputs.image_major": major}
    runner = {**_docker_without_pull(tmp_path), "HOME": str(tmp_path), "GITHUB_SERVER_URL": "https://github.com",
              "GITHUB_REPOSITORY": "octo-org/hf-deploy", "GITHUB_SHA": "c0ffee" * 6 + "c0ff"}  # fmt: skip
    try:
        done = step("release.yml", "image", "Build").execute(ROOT, values, runner)
        assert done.returncode == 0, done.stdout + done.stderr
        labels = json.loads(_docker("inspect", "--format", "{{json .Config.Labels}}", major).stdout)
    finally:
        _docker("rmi", image, major)
    assert labels["org.opencontainers.image.source"] == "https://github.com/octo-org/hf-deploy"
    assert labels["org.opencontainers.image.revision"] == runner["GITHUB_SHA"]
    assert "refuses a run without inputs" in done.stdout
