# ruff: noqa: E501  (a table of exact messages reads better one case per line)
"""The build watch over the real client against the Hub simulator, in-process: what `HubProbe` reads
(Space info, runtime, the logs' first event and tail) and `watch_space` from a commit to RUNNING or to
the failing stage with its log. The end-to-end tests run the same through the entrypoint; these are
the ones the mutation run can see."""

from __future__ import annotations

import re
import time

import pytest

from hf_action.errors import BuildFailed
from hf_action.hub.proof import Goal, Header
from hf_action.hub.watch import HubProbe, build_log_header, failure, parse_header, watch_space
from hubsim import HubSim, LifecycleTimings
from tests.conftest import TOKEN

SPACE = "user/watched"
APP = b"import gradio as gr\ngr.Interface(lambda x: x, 'text', 'text').launch()\n"
CARD = b"---\nsdk: gradio\napp_file: app.py\n---\n"


@pytest.fixture
def sim(monkeypatch):
    monkeypatch.setenv("HF_DEPLOY_POLL_SCALE", "0.02")
    hub = HubSim(user="user", tokens={TOKEN: "write"}, xet=False)
    hub.lifecycle = LifecycleTimings(stale=0.05, building=0.1, starting=0.05)
    hub.start()
    yield hub
    hub.stop()


@pytest.fixture
def api(sim):
    from huggingface_hub import HfApi

    return HfApi(endpoint=sim.url, token=TOKEN)


def push(api, files: dict[str, bytes]) -> str:
    from huggingface_hub import CommitOperationAdd

    ops = [CommitOperationAdd(path, data) for path, data in files.items()]
    return api.create_commit(SPACE, repo_type="space", operations=ops, commit_message="c").oid


def test_a_commit_is_watched_until_it_runs(api, sim):
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    sha = push(api, {"app.py": APP, "README.md": CARD, "requirements.txt": b"gradio\n"})
    said: list[str] = []
    result = watch_space(HubProbe(api, SPACE), Goal("commit", sha), 20, said.append)
    assert result.stage == "RUNNING" and result.polls >= 2 and result.evidence
    assert said[-1] == f"Evidence: {result.evidence}."
    assert re.fullmatch(r"\[ *\d+\.\ds\] [A-Z_]+.*", said[0]) and said[-2].endswith("] RUNNING")
    view = sim.repo(SPACE).space.runtime_view(time.monotonic())
    assert (view["stage"], view["sha"]) == ("RUNNING", sha)


def test_the_probe_reads_facts_runtime_and_logs(api, sim):
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    sha = push(api, {"app.py": APP, "README.md": CARD})
    probe = HubProbe(api, SPACE)
    facts = probe.info()
    assert facts.head == sha and facts.sdk == "gradio" and facts.modified is not None
    assert facts.runtime["stage"] and probe.runtime()["stage"]
    watch_space(probe, Goal("commit", sha), 20, lambda m: None)
    first = probe.first_line(True)
    assert first is not None and isinstance(first[1], float)
    header = parse_header(first)
    assert isinstance(header, Header) and header.commit == sha[:7]
    assert build_log_header(api, SPACE) == header
    assert probe.tail(True).splitlines()[0] == first[0]
    run = probe.first_line(False)
    assert run is not None and "Application Startup" in run[0]


def test_an_empty_log_reads_as_none(api, sim):
    api.create_repo(SPACE, repo_type="space", space_sdk="static")  # static: no image is built
    probe = HubProbe(api, SPACE, read_timeout=0.2)
    assert probe.first_line(True) is None
    assert probe.info().sdk == "static"


def test_a_failing_build_fails_with_its_log(api, sim):
    api.create_repo(SPACE, repo_type="space", space_sdk="docker")
    dockerfile = b"FROM python:3.11\nRUN python -c 'import missing_module' && false\n"
    sha = push(
        api, {"Dockerfile": dockerfile, "README.md": b"---\nsdk: docker\napp_port: 8000\n---\n"}
    )
    said: list[str] = []
    with pytest.raises(BuildFailed) as err:
        watch_space(HubProbe(api, SPACE), Goal("commit", sha), 20, said.append)
    assert err.value.stage == "BUILD_ERROR" and "import missing_module" in err.value.log_tail
    assert err.value.hint == "Read the build log below; the failing step is near the end."
    assert any(line.startswith("Evidence: ") for line in said)


def test_a_build_that_takes_too_long_times_out_with_the_log(api, sim):
    sim.lifecycle = LifecycleTimings(stale=0.05, building=30.0, starting=0.05)
    api.create_repo(SPACE, repo_type="space", space_sdk="gradio")
    sha = push(api, {"app.py": APP, "README.md": CARD})
    with pytest.raises(BuildFailed) as err:
        watch_space(HubProbe(api, SPACE), Goal("commit", sha), 0.5, lambda m: None)
    assert err.value.stage == "TIMEOUT" and err.value.message.startswith(
        "The Space did not reach RUNNING within 0s (last stage "
    )
    assert (
        err.value.hint == "Raise 'timeout' if the build is just slow, or read the build log below."
    )


class _Broken:
    def tail(self, build: bool) -> str:
        raise ConnectionError("gone")


@pytest.mark.parametrize(
    "stage,message,tail",
    [
        ("PAUSED", "The Space is paused, so it will not start this commit (the files are on the Space).", ""),
        ("DELETING", "The Space is being deleted.", ""),
        ("RUNTIME_ERROR", "RUNTIME_ERROR: The app crashed at start.", "(could not fetch the run log: ConnectionError)"),
        ("CONFIG_ERROR", "CONFIG_ERROR: The Space's configuration (README front matter) is invalid.", "(could not fetch the build log: ConnectionError)"),
        ("NO_APP_FILE", "NO_APP_FILE: The Space has no app file to run.", "(could not fetch the build log: ConnectionError)"),
        ("STOPPED", "STOPPED: The Space ended in STOPPED.", "(could not fetch the build log: ConnectionError)"),
    ],
)  # fmt: skip
def test_failure_messages_and_an_unreadable_log(stage, message, tail):
    err = failure(stage, {}, _Broken())  # type: ignore[arg-type]
    assert (err.message, err.stage, err.log_tail) == (message, stage, tail)


def test_the_hubs_error_message_wins():
    err = failure("BUILD_ERROR", {"errorMessage": "Docker build failed"}, _Broken())  # type: ignore[arg-type]
    assert err.message == "BUILD_ERROR: Docker build failed"
