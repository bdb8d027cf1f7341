"""Failure triggers, stale window, static Spaces, pause/restart and restarts on settings changes."""

from __future__ import annotations

import time

from huggingface_hub import CommitOperationAdd

GRADIO_APP = "import gradio as gr\ngr.Interface(lambda x: x, 'text', 'text').launch()\n"
DOCKER_README = "---\ntitle: t\nsdk: docker\napp_port: 8000\n---\n"


def _commit(api, repo_id, files: dict[str, str], message="deploy"):
    ops = [CommitOperationAdd(p, c.encode()) for p, c in files.items()]
    return api.create_commit(repo_id, ops, commit_message=message, repo_type="space")


def _settle(api, repo_id, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rt = api.get_space_runtime(repo_id)
        if (
            rt.stage not in ("BUILDING", "APP_STARTING")
            and rt.raw.get("sha") == api.space_info(repo_id).sha
        ):
            return rt
        time.sleep(0.02)
    raise AssertionError(f"{repo_id} did not settle: {rt.raw}")


def test_dockerfile_failing_run_gives_build_error(sim, api):
    api.create_repo("user/dock", repo_type="space", space_sdk="docker")
    dockerfile = (
        "FROM python:3.11\nWORKDIR /app\nRUN pip install fastapi\n"
        'RUN make assets && exit 1\nCMD ["python", "main.py"]\n'
    )
    _commit(
        api,
        "user/dock",
        {"README.md": DOCKER_README, "Dockerfile": dockerfile, "main.py": "print(1)\n"},
    )
    rt = _settle(api, "user/dock")
    assert rt.stage == "BUILD_ERROR" and "exit code: 1" in rt.raw["errorMessage"]
    log = "".join(api.fetch_space_logs("user/dock", build=True))
    assert "--> FROM docker.io/library/python:3.11" in log and "--> RUN pip install fastapi" in log
    assert (
        '--> ERROR: process "/bin/sh -c make assets && exit 1" did not complete successfully: '
        "exit code: 1" in log
    )
    assert "CMD" not in log and "Pushing image" not in log


def test_fail_build_marker_and_healthy_docker(sim, api):
    api.create_repo("user/dock2", repo_type="space", space_sdk="docker")
    good = "FROM python:3.11\nRUN pip install fastapi uvicorn\nCMD uvicorn main:app --port 8000\n"
    _commit(
        api, "user/dock2", {"README.md": DOCKER_README, "Dockerfile": good, "main.py": "app = 1\n"}
    )
    assert _settle(api, "user/dock2").stage == "RUNNING"
    assert "Uvicorn running on http://0.0.0.0:8000" in "".join(api.fetch_space_logs("user/dock2"))
    _commit(
        api, "user/dock2", {"Dockerfile": "FROM python:3.11\n# hubsim: fail-build\nRUN echo ok\n"}
    )
    assert _settle(api, "user/dock2").stage == "BUILD_ERROR"


def test_missing_app_file_gives_no_app_file(sim, api):
    api.create_repo("user/noapp", repo_type="space", space_sdk="streamlit")
    _commit(
        api,
        "user/noapp",
        {"README.md": "---\nsdk: streamlit\napp_file: src/main.py\n---\n", "app.py": "x=1\n"},
    )
    rt = _settle(api, "user/noapp")
    assert rt.stage == "NO_APP_FILE" and "src/main.py" in rt.raw["errorMessage"]


def test_invalid_front_matter_gives_config_error(sim, api):
    api.create_repo("user/cfgerr", repo_type="space", space_sdk="gradio")
    _commit(api, "user/cfgerr", {"README.md": "---\nsdk: flask\n---\n", "app.py": GRADIO_APP})
    rt = _settle(api, "user/cfgerr")
    assert rt.stage == "CONFIG_ERROR" and "flask" in rt.raw["errorMessage"]
    _commit(api, "user/cfgerr", {"README.md": "---\nsdk: docker\napp_port: eighty\n---\n"})
    assert _settle(api, "user/cfgerr").stage == "CONFIG_ERROR"


def test_unparsable_front_matter_is_rejected_by_validate_yaml(sim, api):
    import pytest

    api.create_repo("user/yaml", repo_type="space", space_sdk="gradio")
    with pytest.raises(ValueError, match=r"Invalid metadata in README\.md"):
        _commit(api, "user/yaml", {"README.md": "---\nsdk: [gradio\n---\n"})
    assert sim.repo("user/yaml").commits[-1].title == "initial commit"


def test_crashing_app_gives_runtime_error_with_traceback(sim, api):
    api.create_repo("user/crash", repo_type="space", space_sdk="gradio")
    _commit(api, "user/crash", {"app.py": "import sys\nprint('boot')\nsys.exit(1)\n"})
    rt = _settle(api, "user/crash")
    assert rt.stage == "RUNTIME_ERROR"
    run = "".join(api.fetch_space_logs("user/crash"))
    assert "Traceback (most recent call last):" in run and 'app.py", line 3, in <module>' in run
    assert "SystemExit: 1" in run


def test_stale_window_reports_previous_stage_and_sha(sim, api):
    from hubsim import LifecycleTimings

    api.create_repo("user/stale", repo_type="space", space_sdk="gradio")
    first = _commit(api, "user/stale", {"app.py": GRADIO_APP})
    assert _settle(api, "user/stale").stage == "RUNNING"
    sim.time_scale = 1.0
    sim.lifecycle = LifecycleTimings(stale=0.5, building=0.1, starting=0.1)
    second = _commit(api, "user/stale", {"app.py": "import sys\nsys.exit(1)\n"})
    rt = api.get_space_runtime("user/stale")
    assert (rt.stage, rt.raw["sha"]) == ("RUNNING", first.oid)  # old build still reported
    assert sim.repo("user/stale").head == second.oid
    rt = _settle(api, "user/stale")
    assert (rt.stage, rt.raw["sha"]) == ("RUNTIME_ERROR", second.oid)


def test_static_space_goes_live_without_build(sim, api):
    api.create_repo("user/site", repo_type="space", space_sdk="static")
    assert api.get_space_runtime("user/site").stage == "RUNNING"
    ci = _commit(api, "user/site", {"index.html": "<h1>v2</h1>"})
    rt = _settle(api, "user/site")
    assert rt.stage == "RUNNING" and rt.raw["sha"] == ci.oid and rt.hardware is None
    assert list(api.fetch_space_logs("user/site", build=True)) == []


def test_pause_restart_and_settings_changes_restart(sim, api):
    api.create_repo("user/life", repo_type="space", space_sdk="gradio")
    _commit(api, "user/life", {"app.py": GRADIO_APP})
    _settle(api, "user/life")
    assert api.pause_space("user/life").stage == "PAUSED"
    api.add_space_variable("user/life", "K", "v")  # a paused Space stays paused
    assert api.get_space_runtime("user/life").stage == "PAUSED" and sim.counters.restarts == 0
    assert api.restart_space("user/life").stage == "BUILDING"
    assert _settle(api, "user/life").stage == "RUNNING"
    api.add_space_secret("user/life", "S", "v")
    assert api.get_space_runtime("user/life").stage == "BUILDING"
    _settle(api, "user/life")
    api.restart_space("user/life", factory_reboot=True)
    assert sim.counters.restarts == 3 and sim.counters.builds == 4
    assert sim.repo("user/life").stage == "BUILDING"
    rt = api.set_space_sleep_time("user/life", 3600)
    assert rt.sleep_time == 3600 and sim.repo("user/life").sleep_time == 3600
