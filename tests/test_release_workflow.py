"""The release as it ships (.github/workflows/release.yml), run here short of GHCR: the image names a
tag gives, the check that the tagged commit builds the Dockerfile, and the release commit whose
action.yml runs the pushed image, with both tags force-moved to it, against a local bare repository
in a scratch clone, as actions/checkout leaves one. The image steps run in tests/container
(scripts/image-test); every shell step of ci.yml and release.yml is accounted for below."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workflow_steps import ROOT, shell_steps, step

DIGEST = "ghcr.io/octo-org/hf-deploy@sha256:" + "ab" * 32

#: Where each shell step of the shipped workflows runs in this project's CI (.ci/run).
WHERE = {
    (
        "ci.yml",
        "test",
        "Run the test suite (hash-locked venv + npm fixtures)",
    ): ".ci/run is this run",
    ("ci.yml", "image", "Build"): "scripts/image-test builds the image (the legacy builder)",
    ("ci.yml", "image", "Smoke-test the image"): "tests/container/test_workflow_images.py",
    ("release.yml", "image", "Compute image names"): "here",
    ("release.yml", "image", "Check the tagged commit still builds from the Dockerfile"): "here",
    ("release.yml", "image", "Build"): "tests/container/test_workflow_images.py",
    ("release.yml", "image", "Push to GHCR"): "not here: it needs GHCR and its token",
    ("release.yml", "release-commit", "Rewrite action.yml, commit, move the tags"): "here",
}


def test_every_shell_step_of_the_shipped_workflows_is_run_or_said_why_not():
    found = {(wf, job, name) for wf in ("ci.yml", "release.yml") for job, name in shell_steps(wf)}
    assert found == set(WHERE)


def _git(cwd: Path, *args: str) -> str:
    env = {"PATH": os.environ["PATH"], "HOME": str(cwd), "GIT_CONFIG_GLOBAL": "/dev/null",
           "GIT_CONFIG_NOSYSTEM": "1"}  # fmt: skip
    ident = ["-c", "user.name=dev", "-c", "user.email=dev@example.com"]
    return subprocess.run(
        ["git", *ident, *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare repository holding a main whose action.yml is this one, tagged v1.4.0 (and an old v1)."""
    work = tmp_path / "work"
    work.mkdir()
    for name in ("action.yml", "Dockerfile"):
        (work / name).write_bytes((ROOT / name).read_bytes())
    _git(work, "init", "-q", "-b", "main")
    _git(work, "add", "-A")
    _git(work, "commit", "-qm", "source")
    _git(work, "tag", "v1")  # the previous release's major tag
    (work / "Dockerfile").write_text((ROOT / "Dockerfile").read_text() + "# 1.4.0\n")
    _git(work, "commit", "-qam", "1.4.0")
    _git(work, "tag", "-a", "v1.4.0", "-m", "v1.4.0")
    bare = tmp_path / "origin.git"
    _git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return bare


def _checkout(origin: Path, tag: str, into: Path) -> Path:
    _git(into.parent, "clone", "-q", "--branch", tag, str(origin), str(into))
    return into


def _runner_env(tmp_path: Path) -> dict[str, str]:
    return {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
            "GITHUB_OUTPUT": str(tmp_path / "output")}  # fmt: skip


def test_the_image_names_of_a_tag(tmp_path):
    names = step("release.yml", "image", "Compute image names")
    done = names.execute(
        tmp_path, {"github.ref_name": "v1.4.0"},
        {**_runner_env(tmp_path), "GITHUB_REPOSITORY": "Octo-Org/HF-Deploy"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "output").read_text().splitlines() == [
        "image=ghcr.io/octo-org/hf-deploy:1.4.0",
        "image_major=ghcr.io/octo-org/hf-deploy:1",
    ]


@pytest.mark.parametrize("tag", ["v1.4", "1.4.0", "v1.4.0-rc1"])
def test_a_tag_that_is_not_a_version_stops_the_release(tmp_path, tag):
    names = step("release.yml", "image", "Compute image names")
    env = {**_runner_env(tmp_path), "GITHUB_REPOSITORY": "o/r"}
    done = names.execute(tmp_path, {"github.ref_name": tag}, env)
    assert done.returncode == 1
    assert f"::error::tag {tag} is not of the form vX.Y.Z" in done.stdout


def test_the_tagged_commit_is_checked_to_build_the_dockerfile(tmp_path, origin):
    clone = _checkout(origin, "v1.4.0", tmp_path / "clone")
    check = step("release.yml", "image", "Check the tagged commit still builds from the Dockerfile")
    assert check.execute(clone, {}, _runner_env(tmp_path)).returncode == 0
    release = step("release.yml", "release-commit", "Rewrite action.yml, commit, move the tags")
    values = {"needs.image.outputs.image": DIGEST, "github.ref_name": "v1.4.0",
              "secrets.GITHUB_TOKEN": "ghs_push"}  # fmt: skip
    assert release.execute(clone, values, _runner_env(tmp_path)).returncode == 0
    # a tag of a release commit (action.yml runs an image) is refused
    assert check.execute(clone, {}, _runner_env(tmp_path)).returncode == 1


def _release(tmp_path: Path, origin: Path, tag: str) -> subprocess.CompletedProcess[str]:
    clone = _checkout(origin, tag, tmp_path / f"clone-{tag}")
    release = step("release.yml", "release-commit", "Rewrite action.yml, commit, move the tags")
    values = {"needs.image.outputs.image": DIGEST, "github.ref_name": tag,
              "secrets.GITHUB_TOKEN": "ghs_push"}  # fmt: skip
    return release.execute(clone, values, _runner_env(tmp_path))


def test_the_release_commit_runs_the_image_and_both_tags_move_to_it(tmp_path, origin):
    source = _git(origin, "rev-parse", "v1.4.0^{commit}")
    done = _release(tmp_path, origin, "v1.4.0")
    assert done.returncode == 0, done.stderr
    released = _git(origin, "rev-parse", "v1.4.0^{commit}")
    assert released != source and _git(origin, "rev-parse", "v1^{commit}") == released
    assert _git(origin, "rev-parse", f"{released}^") == source
    assert _git(origin, "diff", "--name-only", source, released) == "action.yml"
    action = _git(origin, "show", f"{released}:action.yml")
    assert f"\n  image: docker://{DIGEST}\n" in action + "\n" and "image: Dockerfile" not in action
    assert _git(origin, "cat-file", "-t", "v1") == "tag"  # annotated, as `git describe` wants
    assert _git(origin, "rev-parse", "main") == source  # main keeps building from source
    # The rewritten action.yml is still a valid action
    (tmp_path / "action.yml").write_text(action)
    schema = subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema",
         "vendor.github-actions", str(tmp_path / "action.yml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert schema.returncode == 0, schema.stdout + schema.stderr


def test_a_next_release_moves_the_major_tag_again(tmp_path, origin):
    assert _release(tmp_path, origin, "v1.4.0").returncode == 0
    work = tmp_path / "next"
    _git(tmp_path, "clone", "-q", "--branch", "main", str(origin), str(work))
    (work / "Dockerfile").write_text((work / "Dockerfile").read_text() + "# 1.5.0\n")
    _git(work, "commit", "-qam", "1.5.0")
    _git(work, "tag", "-a", "v1.5.0", "-m", "v1.5.0")
    _git(work, "push", "-q", "origin", "main", "v1.5.0")
    assert _release(tmp_path, origin, "v1.5.0").returncode == 0
    assert _git(origin, "rev-parse", "v1^{commit}") == _git(origin, "rev-parse", "v1.5.0^{commit}")
    assert _git(origin, "rev-parse", "v1.5.0^{commit}^") == _git(origin, "rev-parse", "main")
