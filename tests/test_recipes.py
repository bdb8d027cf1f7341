"""Every workflow in the README and docs/ runs: each is parsed, and each step of this action runs
against hubsim with its `with:` as the runner passes it (INPUT_*, hyphens kept; the event the
workflow is triggered by, from GitHub's own webhook examples for pull requests), its `if:` and the
job's evaluated for the cases the recipe names (tests/recipes.py). A workflow added to the docs
fails the first test here until a scenario runs it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import GH_TOKEN, TOKEN, copy_example
from tests.fakes.github_oidc import FakeGitHubOidc
from tests.recipes import (
    ACTION,
    Recipe,
    action_steps,
    dispatch_inputs,
    placeholder_owner,
    recipes,
    run_job,
)
from tests.webhooks import load_example

ALL = recipes()
SECRETS = {"HF_TOKEN": TOKEN, "OPENAI_API_KEY": "sk-recipe-0123456789abcdef",
           "OPENAI_TEST_KEY": "sk-recipe-test-fedcba9876543210"}  # fmt: skip
REPOSITORY = "octo-org/octo-app"


def recipe(rid: str) -> Recipe:
    (found,) = [r for r in ALL if r.id == rid]
    return found


def only_job(r: Recipe) -> dict[str, Any]:
    (job,) = r.workflow["jobs"].values()
    return job


class Runner:
    """One job of a recipe, run as the runner would, against hubsim and the fake GitHub."""

    def __init__(self, action, hub, gh) -> None:
        self.action, self.hub, self.gh = action, hub, gh
        self.env: dict[str, str] = {}

    def run(
        self,
        r: Recipe,
        event_name: str,
        event: dict[str, Any] | None = None,
        *,
        inputs: dict[str, Any] | None = None,
        matrix: dict[str, Any] | None = None,
        repository: str = REPOSITORY,
        shorter: dict[str, dict[str, str]] | None = None,
    ):
        """`shorter`: by step id, a wait the recipe sets, shortened where the case would make the
        test sit it out (a smoke check meant to fail waits its whole `smoke-timeout`)."""
        event = event or {}
        contexts = {
            "secrets": SECRETS, "inputs": inputs or {}, "matrix": matrix or {}, "vars": {},
            "github": {"repository": repository, "event": event, "event_name": event_name,
                       "token": GH_TOKEN},
        }  # fmt: skip
        env = {"GITHUB_API_URL": self.gh.api_url, "GITHUB_REPOSITORY": repository, **self.env}

        def step(key: str, given: dict[str, str]):
            given = {**given, "space": placeholder_owner(given.get("space", ""))}
            for name, value in (shorter or {}).get(key, {}).items():
                assert name in given, f"{name} is not the recipe's: nothing to shorten"
                given[name] = value
            if "pull_request" in event:
                self.gh.deliver(event)
            return self.action.run(given, event_name=event_name, event=event, env=env)

        return run_job(only_job(r), contexts, step)

    def app(self, example: str, path: str = ".") -> None:
        dest = self.action.workspace / path
        if dest.exists() and path != ".":
            shutil.rmtree(dest)
        copy_example(example, dest)


@pytest.fixture
def runner(action, hub, gh):
    hub.set_quota(pro=True)  # the recipes name paid hardware; the free plan is the README's test
    return Runner(action, hub, gh)


def test_every_workflow_in_the_docs_has_a_scenario():
    assert {r.id for r in ALL} == set(SCENARIOS)


@pytest.mark.parametrize("r", ALL, ids=lambda r: r.id)
def test_each_step_of_this_action_names_only_its_inputs(r):
    for job in r.workflow["jobs"].values():
        for step in action_steps(job):
            assert set(step.get("with") or {}) <= set(ACTION["inputs"]), r.id


# --- the scenarios, one per workflow ----------------------------------------------------------


def push_deploy(example: str) -> Callable[[Runner, Recipe], None]:
    def scenario(run: Runner, r: Recipe) -> None:
        (step,) = action_steps(only_job(r))
        run.app(example, str((step.get("with") or {}).get("path", ".")))
        done = run.run(r, "push")
        (result,) = done.results.values()
        assert result.assert_ok().outputs["stage"] == "RUNNING"

    return scenario


def preview(run: Runner, r: Recipe) -> None:
    run.app("static-site")
    repo = "Codertocat/Hello-World"  # the webhook examples' repository
    opened = run.run(r, "pull_request", load_example("opened"), repository=repo)
    (result,) = opened.results.values()
    assert result.assert_ok().outputs["preview"] == "true"
    preview_id = result.outputs["space-id"]
    assert run.hub.repo(preview_id) is not None and run.gh.comments(repo, 2)
    closed = run.run(r, "pull_request", load_example("closed"), repository=repo)
    (result,) = closed.results.values()
    assert result.assert_ok().outputs["deleted"] == "true" and run.hub.repo(preview_id) is None


def keyless(run: Runner, r: Recipe) -> None:
    assert only_job(r)["permissions"].get("id-token") == "write"
    oidc = FakeGitHubOidc(run.hub.oidc.issuer, repository=REPOSITORY).start()
    try:
        run.env = oidc.env()
        (step,) = action_steps(only_job(r))
        space = placeholder_owner(step["with"]["space"])
        run.hub.create_repo(space, sdk="static")
        run.hub.oidc.trust(space, repository=REPOSITORY)
        run.app("static-site")
        (result,) = run.run(r, "push").results.values()
        run.action.leak_guard.append(oidc.request_token)
        run.action.leak_guard.extend(t.token for t in run.hub.oidc.issued)
        assert result.assert_ok().outputs["stage"] == "RUNNING"
    finally:
        oidc.stop()


def production_and_previews(run: Runner, r: Recipe) -> None:
    """The worked example of preview settings: production on a GPU with its key, previews on
    cpu-basic with the test key."""
    run.hub.set_quota(billing=True)  # a10g-small: a payment method on file
    run.hub.create_repo("acme/my-app", sdk="gradio", private=True)
    run.app("gradio-hello")
    (result,) = run.run(r, "push").results.values()
    result.assert_ok()
    production = run.hub.repo("acme/my-app")
    assert production.hardware == "a10g-small"
    assert production.secrets["OPENAI_API_KEY"] == SECRETS["OPENAI_API_KEY"]
    repo = "Codertocat/Hello-World"
    (result,) = run.run(r, "pull_request", load_example("opened"), repository=repo).results.values()
    preview = run.hub.repo(result.assert_ok().outputs["space-id"])
    assert preview.hardware == "cpu-basic" and preview.private
    assert preview.secrets["OPENAI_API_KEY"] == SECRETS["OPENAI_TEST_KEY"]
    (result,) = run.run(r, "pull_request", load_example("closed"), repository=repo).results.values()
    assert result.assert_ok().outputs["deleted"] == "true"


def cleanup(run: Runner, r: Recipe) -> None:
    for n, state in ((1, "closed"), (2, "open")):
        run.hub.create_repo(f"acme/my-app-pr-{n}", sdk="static")
        run.gh.set_pull(REPOSITORY, n, state)
    # by hand, with the dry-run box ticked: nothing deleted
    dry = run.run(r, "workflow_dispatch", {}, inputs=dispatch_inputs(r, **{"dry-run": True}))
    (result,) = dry.results.values()
    assert result.assert_ok().outputs["deleted-previews"] == "acme/my-app-pr-1"
    assert run.hub.repo("acme/my-app-pr-1") is not None
    # on its schedule (no inputs: `inputs.dry-run || false`)
    (result,) = run.run(r, "schedule", {"schedule": "17 3 * * *"}).results.values()
    assert result.assert_ok().outputs["deleted-previews"] == "acme/my-app-pr-1"
    assert run.hub.repo("acme/my-app-pr-1") is None and run.hub.repo("acme/my-app-pr-2")


def settings_and_secrets(run: Runner, r: Recipe) -> None:
    run.app("gradio-hello", "app")
    (run.action.workspace / "app" / "tests").mkdir()
    (run.action.workspace / "app" / "tests" / "test_app.py").write_text("def test(): pass\n")
    (run.action.workspace / "app" / "explore.ipynb").write_text("{}")
    (result,) = run.run(r, "push").results.values()
    assert result.assert_ok().outputs["stage"] == "RUNNING"
    space = run.hub.repo("acme/my-app")
    assert "app.py" in space.files and "explore.ipynb" not in space.files
    assert not any(p.startswith("tests/") for p in space.files)
    assert space.hardware == "cpu-upgrade" and "OPENAI_API_KEY" in space.secrets
    assert space.variables["MODEL_ID"]["value"] == "my-org/my-model"


def exact_secrets(run: Runner, r: Recipe) -> None:
    run.app("gradio-hello")
    run.hub.create_repo("acme/my-app", sdk="gradio")
    run.hub.repo("acme/my-app").secrets["OLD_KEY"] = "stale-value-5e4d3c"  # set by hand
    run.hub.repo("acme/my-app").secret_meta["OLD_KEY"] = {"updatedAt": "2026-01-01T00:00:00.000Z"}
    (result,) = run.run(r, "push").results.values()
    result.assert_ok()
    assert set(run.hub.repo("acme/my-app").secrets) == {"OPENAI_API_KEY"}


def two_deploys(run: Runner, space: str = "acme/my-app") -> list[str]:
    """The Space's head after each of two deploys by this action (a rollback's `previous`)."""
    heads = []
    for greeting in ("first", "second"):
        run.app("gradio-hello")
        (run.action.workspace / "greeting.txt").write_text(greeting)
        run.action.run({"space": space, "hf-token": TOKEN}).assert_ok()
        heads.append(run.hub.repo(space).head)
    return heads


def rollback_by_hand(run: Runner, r: Recipe) -> None:
    run.hub.settings.serve_apps = True
    two_deploys(run)
    done = run.run(r, "workflow_dispatch", {}, inputs=dispatch_inputs(r))
    (result,) = done.results.values()
    assert result.assert_ok().outputs["stage"] == "RUNNING"
    assert run.hub.repo("acme/my-app").files["greeting.txt"].text() == "first"


def smoke_then_roll_back(run: Runner, r: Recipe) -> None:
    run.hub.settings.serve_apps = True
    two_deploys(run)
    ws = run.action.workspace
    # a good deploy: the smoke check passes, the rollback step is skipped
    (ws / "greeting.txt").write_text("third")
    done = run.run(r, "push")
    assert done.results["deploy"].assert_ok().outputs["committed"] == "true"
    assert list(done.results) == ["deploy"] and done.skipped == ["Roll back"]
    # a deploy that commits an app that answers 500: rolled back to the deploy before
    (ws / "greeting.txt").write_text("fourth")
    (ws / "broken.txt").write_text("hubsim: app-answers 500\n")
    done = run.run(r, "push", shorter={"deploy": {"smoke-timeout": "2s"}})
    assert done.results["deploy"].returncode == 1
    assert done.results["deploy"].outputs["committed"] == "true"
    assert done.results["Roll back"].assert_ok().outputs["committed"] == "true"
    assert run.hub.repo("acme/my-app").files["greeting.txt"].text() == "third"
    # a push that changes nothing, whose smoke check fails (the app broke on its own): this run
    # committed nothing, so there is nothing of it to undo
    (ws / "broken.txt").unlink()
    (ws / "greeting.txt").write_text("third")
    run.hub.settings.app_answers["acme/my-app"] = "500"
    head = run.hub.repo("acme/my-app").head
    done = run.run(r, "push", shorter={"deploy": {"smoke-timeout": "2s"}})
    assert done.results["deploy"].returncode == 1
    assert done.results["deploy"].outputs["committed"] == "false"
    assert done.results["deploy"].outputs["commit-sha"] == head  # set although nothing changed
    assert done.skipped == ["Roll back"] and run.hub.repo("acme/my-app").head == head


def monorepo(run: Runner, r: Recipe) -> None:
    examples = {"apps/chat": "gradio-hello", "apps/search": "gradio-hello",
                "apps/docs-site": "static-site"}  # fmt: skip
    for path, example in examples.items():
        run.app(example, path)
    apps = only_job(r)["strategy"]["matrix"]["app"]
    assert {a["path"] for a in apps} == set(examples)
    for app in apps:
        (result,) = run.run(r, "push", matrix={"app": app}).results.values()
        assert result.assert_ok().outputs["space-id"] == placeholder_owner(app["space"])
    again = run.run(r, "push", matrix={"app": apps[0]})
    assert next(iter(again.results.values())).outputs["changed-files"] == ""


def dry_run_plan(run: Runner, r: Recipe) -> None:
    run.app("gradio-hello")
    repo = "Codertocat/Hello-World"
    done = run.run(r, "pull_request", load_example("opened"), repository=repo)
    (result,) = done.results.values()
    assert result.assert_ok().outputs["preview"] == "false"
    assert run.hub.repo("acme/my-app") is None  # a dry run creates nothing
    fork = run.run(r, "pull_request", load_example("opened", fork=True), repository=repo)
    assert not fork.ran  # the job's `if:` keeps a fork's pull request out


def gpu_schedule(run: Runner, r: Recipe) -> None:
    run.app("gradio-hello")
    run.action.run({"space": "acme/gpu-app", "hf-token": TOKEN}).assert_ok()
    crons = [c["cron"] for c in r.on["schedule"]]
    (result,) = run.run(r, "schedule", {"schedule": crons[0]}).results.values()
    assert result.assert_ok().outputs["stage"] == "PAUSED"
    (result,) = run.run(r, "schedule", {"schedule": crons[1]}).results.values()
    assert result.assert_ok().outputs["stage"] == "RUNNING"


def operations(run: Runner, r: Recipe) -> None:
    run.app("gradio-hello")
    choices = r.on["workflow_dispatch"]["inputs"]["operation"]["options"]
    stages = {"deploy": "RUNNING", "restart": "RUNNING", "pause": "PAUSED", "delete": "DELETED"}
    assert choices == list(stages)
    for operation in choices:
        inputs = dispatch_inputs(r, operation=operation)
        (result,) = run.run(r, "workflow_dispatch", {}, inputs=inputs).results.values()
        assert result.assert_ok().outputs["stage"] == stages[operation], operation
    assert run.hub.repo("acme/my-app") is None


def separate_card(run: Runner, r: Recipe) -> None:
    ws = run.action.workspace
    (ws / "src").mkdir()
    shutil.copy(copy_example("gradio-hello", run.action.tmp / "ex") / "app.py", ws / "src/app.py")
    (ws / "requirements.txt").write_text("gradio\n")
    (ws / "README.md").write_text("# On GitHub\n")
    (ws / "README_HF.md").write_text("---\ntitle: On the Hub\nsdk: gradio\n---\n# On the Hub\n")
    (result,) = run.run(r, "push").results.values()
    result.assert_ok()
    card = run.hub.repo("acme/my-app").files["README.md"].text()
    assert "# On the Hub" in card and "app_file: src/app.py" in card


SCENARIOS: dict[str, Callable[[Runner, Recipe], None]] = {
    "README.md:Deploy to Hugging Face": push_deploy("static-site"),
    "README.md:Deploy the Gradio app": push_deploy("gradio-hello"),
    "README.md:Preview": preview,
    "README.md:Deploy (keyless)": keyless,
    "docs/keyless.md:Deploy to Hugging Face (keyless)": keyless,
    "docs/previews.md:Preview": preview,
    "docs/previews.md:Deploy": production_and_previews,
    "docs/previews.md:Clean up previews": cleanup,
    "docs/recipes.md:Deploy": settings_and_secrets,
    "docs/recipes.md:Deploy (2)": exact_secrets,
    "docs/recipes.md:Roll back the Space": rollback_by_hand,
    "docs/recipes.md:Deploy (3)": smoke_then_roll_back,
    "docs/recipes.md:Deploy apps": monorepo,
    "docs/recipes.md:Deploy plan": dry_run_plan,
    "docs/recipes.md:GPU schedule": gpu_schedule,
    "docs/recipes.md:Space operations": operations,
    "docs/recipes.md:Deploy with a separate card": separate_card,
}


@pytest.mark.parametrize("rid", list(SCENARIOS))
def test_the_recipe_runs(runner, rid):
    SCENARIOS[rid](runner, recipe(rid))
