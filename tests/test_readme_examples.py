"""The README's workflows do what the README says, run as the runner runs them against hubsim.

test_metadata lints them (actionlint, zizmor); here the `with:` of each example's hf-deploy step
becomes the INPUT_* of a real run: the 30-second start must work for a free account (the plan rules
of 2026-07-21 refuse to create Gradio/Docker Spaces there), the keyless example must deploy with no
token, and the permissions each example grants must be the ones its feature needs, on the job only.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.action_runner import ROOT
from tests.conftest import TOKEN, copy_example
from tests.fakes.github_oidc import FakeGitHubOidc

README = (ROOT / "README.md").read_text(encoding="utf-8")


def workflows() -> list[dict]:
    blocks = re.findall(r"^```ya?ml[^\n]*\n(.*?)^```", README, flags=re.M | re.S)
    return [yaml.safe_load(b) for b in blocks if re.search(r"^jobs:", b, flags=re.M)]


def section_workflow(heading: str) -> dict:
    """The workflow under the README heading that starts with `heading`."""
    start = README.index(f"\n## {heading}")
    end = README.find("\n## ", start + 1)
    block = re.search(r"^```ya?ml\n(.*?)^```", README[start:end], flags=re.M | re.S)
    assert block, f"no yaml block under '## {heading}'"
    return yaml.safe_load(block[1])


def only_job(workflow: dict) -> dict:
    (job,) = workflow["jobs"].values()
    return job


def deploy_inputs(job: dict) -> dict[str, str]:
    """The hf-deploy step's `with:`, as the runner would pass it: the secret resolved to the
    simulator's token, the README's placeholder owners mapped to the simulator's user."""
    (step,) = [s for s in job["steps"] if "/hf-deploy@" in s.get("uses", "")]
    inputs = {}
    for name, value in (step.get("with") or {}).items():
        value = str(value).replace("${{ secrets.HF_TOKEN }}", TOKEN)
        inputs[name] = re.sub(r"^(my-name|my-org)/", "user/", value)
    return inputs


def test_every_workflow_keeps_permissions_on_the_jobs():
    for workflow in workflows():
        assert workflow.get("permissions") == {}, workflow.get("name")
        for job in workflow["jobs"].values():
            assert "permissions" in job, workflow.get("name")


def test_the_30_second_start_works_for_a_free_account(action, hub):
    hub.settings.enforce_plans = True  # a free personal account, after 2026-07-21
    inputs = deploy_inputs(only_job(section_workflow("30-second start")))
    copy_example("static-site", action.workspace / inputs.get("path", "."))
    result = action.run(inputs).assert_ok()
    assert result.outputs["stage"] == "RUNNING"
    space = hub.repo(inputs["space"])
    assert space is not None and "index.html" in space.files


def test_the_30_second_start_says_what_a_gradio_app_needs():
    start = README.index("## 30-second start")
    text = README[start : README.index("\n## ", start + 1)]
    for words in ("Static Spaces are free", "PRO", "organizations with a paid", "402"):
        assert words in text, words


@pytest.fixture
def github(hub):
    fake = FakeGitHubOidc(hub.oidc.issuer, repository="octo-org/octo-app").start()
    yield fake
    fake.stop()


def test_the_keyless_example_deploys_with_no_token(action, hub, github, leak_guard):
    job = only_job(section_workflow("Keyless"))
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    inputs = deploy_inputs(job)
    assert "hf-token" not in inputs
    hub.create_repo(inputs["space"], sdk="static")
    hub.oidc.trust(inputs["space"], repository="octo-org/octo-app")
    copy_example("static-site", action.workspace)
    result = action.run(inputs, env=github.env())
    leak_guard.append(github.request_token)
    leak_guard.extend(t.token for t in hub.oidc.issued)
    result.assert_ok()
    assert hub.counters.requests["POST /oauth/token"] == 1
    assert result.outputs["stage"] == "RUNNING"


def test_the_preview_example_grants_what_previews_use():
    workflow = section_workflow("Pull-request previews")
    on = workflow.get("on") or workflow.get(True)  # YAML 1.1 reads a bare `on` as True
    assert set(on["pull_request"]["types"]) >= {"opened", "synchronize", "closed"}
    job = only_job(workflow)
    assert job["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "deployments": "write",
    }
    assert "environment" not in job  # the action makes one environment per pull request
    assert deploy_inputs(job)["hf-token"] == TOKEN  # previews create Spaces: keyless cannot
    assert "cleanup-previews" in README


def _gradio_inputs(action, hardware: bool = True) -> dict[str, str]:
    inputs = deploy_inputs(only_job(section_workflow("Gradio app")))
    copy_example("gradio-hello", action.workspace / inputs["path"])
    return inputs if hardware else {k: v for k, v in inputs.items() if k != "hardware"}


def test_the_gradio_start_runs_free_on_zerogpu(action, hub):
    hub.settings.enforce_plans = True  # a free account, after 2026-07-21
    inputs = _gradio_inputs(action)
    assert inputs["hardware"] == "zero-a10g" and inputs["sdk"] == "gradio"
    result = action.run(inputs).assert_ok()
    assert result.outputs["stage"] == "RUNNING"
    assert hub.repo(inputs["space"]).hardware == "zero-a10g"


def test_the_gradio_start_without_zerogpu_is_refused_for_a_free_account(action, hub):
    hub.settings.enforce_plans = True
    inputs = _gradio_inputs(action, hardware=False)
    result = action.run(inputs)
    assert result.returncode == 1 and "(402)" in result.stdout
    assert hub.repo(inputs["space"]) is None  # nothing written


def test_the_gradio_start_on_pro_leaves_out_hardware_for_cpu_basic(action, hub):
    hub.settings.enforce_plans = True
    hub.set_quota(pro=True)
    inputs = _gradio_inputs(action, hardware=False)
    assert action.run(inputs).assert_ok().outputs["stage"] == "RUNNING"
    assert hub.repo(inputs["space"]).hardware == "cpu-basic"


def test_with_path_dot_the_repository_readme_becomes_the_space_card(action, hub):
    """The caveat the Gradio start states, as it happens."""
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "README.md").write_text("# octo-app\n\nThe repository's own README.\n")
    inputs = deploy_inputs(only_job(section_workflow("Gradio app")))
    action.run({**inputs, "path": "."}).assert_ok()
    card = hub.repo(inputs["space"]).files["README.md"].text()
    assert "The repository's own README." in card and "sdk: gradio" in card
