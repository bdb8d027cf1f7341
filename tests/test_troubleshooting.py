"""The messages docs/troubleshooting.md and the README's troubleshooting index quote are the ones the
action prints: each quote is found in the output of a run that provokes it (a sample value of the
docs, such as 'alice' or '#12', given as the run's own; '…' stands for any text). Hints name the
docs by absolute URL at the ref of the action the workflow uses, and by plain name elsewhere."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from hf_action.github.runner import link_docs
from tests.action_runner import ROOT
from tests.conftest import READ_TOKEN, TOKEN, copy_example
from tests.webhooks import load_example

TROUBLESHOOTING = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quotes() -> list[str]:
    """The messages quoted: backticked spans of four words or more (code aside), and the first
    column of the README's index."""
    text = re.sub(r"^```.*?^```", "", TROUBLESHOOTING, flags=re.M | re.S)
    spans = [" ".join(s.split()) for s in re.findall(r"`([^`]+)`", text)]
    found = [s for s in spans if len(s.split()) >= 4 and "${{" not in s]
    index = README[README.index("## Troubleshooting index") :]
    for cell in re.findall(r"^\| ([^|]*?) \| \[", index, flags=re.M):
        found += [s for s in re.findall(r"`([^`]+)`", cell) if s not in ("BUILD_ERROR",)]
    return list(dict.fromkeys(found))


def found_in(quote: str, output: str, samples: dict[str, str]) -> bool:
    """`quote` in `output` (whitespace folded), its samples replaced by the run's own values."""
    for sample, actual in samples.items():
        quote = quote.replace(sample, actual)
    quote = quote.replace("<step>", "…")  # the step the run was at: any
    parts = [re.escape(p) for p in quote.split("…")]
    return re.search(r".*?".join(parts), " ".join(output.split()), flags=re.S) is not None


# --- the runs that provoke them ---------------------------------------------------------------

Provoked = tuple[str, dict[str, str]]  # the run's output, {a sample of the docs: the run's value}


def _deploy(action, **inputs: str) -> str:
    copy_example("gradio-hello", action.workspace)
    result = action.run({"space": "user/app", "hf-token": TOKEN, **inputs})
    return result.stdout + result.stderr


def empty_token(action, hub) -> Provoked:
    return _deploy(action, **{"hf-token": ""}), {}


def empty_token_on_own_pr(action, hub) -> Provoked:
    copy_example("gradio-hello", action.workspace)
    event = load_example("opened")
    result = action.run({"space": "user/app", "hf-token": ""}, event_name="pull_request",
                        event=event, env={"GITHUB_REPOSITORY": "Codertocat/Hello-World"})  # fmt: skip
    return result.stdout + result.stderr, {"#12": f"#{event['number']}"}


def fork_pr_without_token(action, hub) -> Provoked:
    copy_example("gradio-hello", action.workspace)
    event = load_example("opened", fork=True)
    result = action.run({"space": "user/app", "hf-token": ""}, event_name="pull_request",
                        event=event, env={"GITHUB_REPOSITORY": "Codertocat/Hello-World"})  # fmt: skip
    return result.stdout + result.stderr, {}


def wrong_token(action, hub) -> Provoked:
    return _deploy(action, **{"hf-token": "hf_unknown_token_zzz"}), {}


def token_with_a_space(action, hub) -> Provoked:
    return _deploy(action, **{"hf-token": "hf_abc def"}), {}


def read_token(action, hub) -> Provoked:
    return _deploy(action, **{"hf-token": READ_TOKEN}), {"alice": "user"}


def not_a_member(action, hub) -> Provoked:
    return _deploy(action, space="stranger-org/app"), {"alice": "user", "my-org": "stranger-org"}


def read_only_member(action, hub) -> Provoked:
    return _deploy(action, space="readers/app"), {"alice": "user", "my-org": "readers"}


def name_taken(action, hub) -> Provoked:
    hub.take_name("user/taken")
    can_read = hub.auth.can_read
    hub.auth.can_read = lambda who, owner, private: (
        False if private else can_read(who, owner, private)
    )
    return _deploy(action, space="user/taken"), {"my-org/my-app": "user/taken"}


def missing_path(action, hub) -> Provoked:
    return _deploy(action, path="app"), {}


def lfs_pointer(action, hub) -> Provoked:
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{'a' * 64}\nsize 12345\n"
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "model.bin").write_text(pointer)
    result = action.run({"space": "user/app", "hf-token": TOKEN})
    return result.stdout + result.stderr, {}


def paid_creation_on_a_free_account(action, hub) -> Provoked:
    hub.settings.enforce_plans = True
    return _deploy(action, space="user/my-app"), {"alice": "user"}


def paused_space(action, hub) -> Provoked:
    _deploy(action)
    hub.pause(hub.repo("user/app"))
    (action.workspace / "new.txt").write_text("new")
    result = action.run({"space": "user/app", "hf-token": TOKEN})
    return result.stdout + result.stderr, {}


def no_app_file(action, hub) -> Provoked:
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "app.py").rename(action.workspace / "main.py")
    result = action.run({"space": "user/app", "hf-token": TOKEN})
    return result.stdout + result.stderr, {}


def docker_without_dockerfile(action, hub) -> Provoked:
    return _deploy(action, sdk="docker"), {}


def paid_hardware(action, hub) -> Provoked:
    return _deploy(action, hardware="a10g-small"), {}


def creation_quota(action, hub) -> Provoked:
    hub.set_quota(space_creations=0)
    return _deploy(action), {}


def build_timeout(action, hub) -> Provoked:
    hub.settings.lifecycle.building = 30.0  # a build longer than the run waits
    return _deploy(action, timeout="2s"), {"1200s": "2s"}


def build_error(action, hub) -> Provoked:
    copy_example("gradio-hello", action.workspace)
    with open(action.workspace / "requirements.txt", "a") as fh:
        fh.write("hubsim-fail-build\n")
    result = action.run({"space": "user/app", "hf-token": TOKEN})
    return result.stdout + result.stderr, {}


def app_crash(action, hub) -> Provoked:
    copy_example("gradio-hello", action.workspace)
    with open(action.workspace / "app.py", "a") as fh:
        fh.write("\nraise SystemExit(1)\n")
    result = action.run({"space": "user/app", "hf-token": TOKEN})
    return result.stdout + result.stderr, {}


def card_not_yaml(action, hub) -> Provoked:
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "README.md").write_text("---\ntitle: x\nsdk: [gradio\n---\n")
    result = action.run({"space": "user/app", "hf-token": TOKEN})
    return result.stdout + result.stderr, {"(line 3)": "(line 3)"}


def card_bad_port(action, hub) -> Provoked:
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "README.md").write_text("---\nsdk: docker\napp_port: web\n---\n")
    (action.workspace / "Dockerfile").write_text("FROM python:3.11\n")
    result = action.run({"space": "user/app", "hf-token": TOKEN})
    return result.stdout + result.stderr, {}


def hub_unreachable(action, hub) -> Provoked:
    copy_example("gradio-hello", action.workspace)
    result = action.run({"space": "user/app", "hf-token": TOKEN},
                        env={"HF_ENDPOINT": "http://127.0.0.1:9"})  # fmt: skip
    return result.stdout + result.stderr, {"https://huggingface.co": "http://127.0.0.1:9"}


def hub_down(action, hub) -> Provoked:
    _deploy(action, wait="false")
    (action.workspace / "c.txt").write_text("c\n")
    hub.faults.add(method=None, path=r"^/api/spaces/user/app", status=503, times=10_000)
    return _deploy(action), {}


def _history_of(hub, space: str) -> int:
    return len(hub.repo(space).commits)


def revision_not_in_history(action, hub) -> Provoked:
    _deploy(action)
    result = action.run({"space": "user/app", "hf-token": TOKEN, "operation": "rollback",
                         "revision": "0123abc"}, event_name="workflow_dispatch")  # fmt: skip
    count = _history_of(hub, "user/app")
    return result.stdout + result.stderr, {
        "'0123abc…'": "'0123abc'",
        "owner/app": "user/app",
        "12 commits": f"{count} commits",
    }


def no_earlier_deploy(action, hub) -> Provoked:
    _deploy(action)
    result = action.run({"space": "user/app", "hf-token": TOKEN, "operation": "rollback"},
                        event_name="workflow_dispatch")  # fmt: skip
    return result.stdout + result.stderr, {"owner/app": "user/app"}


def smoke_fails(action, hub) -> Provoked:
    hub.settings.serve_apps = True
    hub.settings.app_answers["user/app"] = "500"
    out = _deploy(action, **{"smoke-path": "/health", "smoke-timeout": "2s"})
    url = re.search(r"GET (\S+/health)", out)
    return out, {"abc1234": hub.repo("user/app").head[:7],
                 "https://owner-app.hf.space/health": url[1] if url else "?"}  # fmt: skip


def smoke_no_answer(action, hub) -> Provoked:
    hub.settings.serve_apps = True
    hub.settings.app_answers["user/app"] = "none"
    return _deploy(action, **{"smoke-path": "/", "smoke-timeout": "2s"}), {"120s": "2s"}


def fork_pr_target_to_production(action, hub) -> Provoked:
    copy_example("gradio-hello", action.workspace)
    event = load_example("opened", fork=True)
    result = action.run({"space": "user/app", "hf-token": TOKEN, "preview": "false"},
                        event_name="pull_request_target", event=event,
                        env={"GITHUB_REPOSITORY": "Codertocat/Hello-World"})  # fmt: skip
    fork = event["pull_request"]["head"]["repo"]["full_name"]
    return result.stdout + result.stderr, {"#12": f"#{event['number']}", "octo-forker/app": fork}


def card_link_into_git(action, hub) -> Provoked:
    copy_example("gradio-hello", action.workspace)
    (action.workspace / ".git").mkdir()
    (action.workspace / ".git" / "config").write_text("[core]\n")
    (action.workspace / "README_HF.md").symlink_to(action.workspace / ".git" / "config")
    result = action.run({"space": "user/app", "hf-token": TOKEN, "card": "README_HF.md"})
    return result.stdout + result.stderr, {}


PROVOKERS: dict[str, Callable[..., Provoked]] = {
    "Input 'hf-token': is empty, and this job cannot mint a GitHub OIDC id token for a keyless"
    " deploy.": empty_token,
    "Input 'hf-token': is empty": empty_token,
    "Input 'hf-token': is empty on pull request #12, which comes from this repository (not a fork),"
    " so the secret it is given is missing or misnamed.": empty_token_on_own_pr,
    "No hf-token on this pull request (GitHub gives no secrets to workflows of fork PRs): the"
    " preview is skipped. A maintainer can deploy it by pushing the branch to this repository.":
    fork_pr_without_token,
    "The Hub refused the token (401) while trying to check the token (whoami).": wrong_token,
    "The Hub refused the token (401)": wrong_token,
    "Input 'hf-token': contains whitespace or control characters.": token_with_a_space,
    "The Hugging Face token of 'alice' is read-only.": read_token,
    "read-only": read_token,
    "The token belongs to 'alice', who is not a member of 'my-org'.": not_a_member,
    "not a member": not_a_member,
    "'alice' has only read access to the organization 'my-org'.": read_only_member,
    "The name 'my-org/my-app' is already taken (409).": name_taken,
    "already taken (409)": name_taken,
    "Input 'path': 'app' does not exist in the workspace.": missing_path,
    "Input 'path': … does not exist": missing_path,
    "'model.bin' is a Git LFS pointer, not the file's content, and the Space does not have that"
    " content.": lfs_pointer,
    "is a Git LFS pointer": lfs_pointer,
    "The Hub refused to create the gradio Space 'alice/my-app' (402): since 2026-07-21 creating a"
    " Gradio or Docker Space needs a paid plan, on cpu-basic too. Nothing was written.":
    paid_creation_on_a_free_account,
    "The Space is paused, so it will not start this commit (the files are on the Space).":
    paused_space,
    "The Space is paused": paused_space,
    "cannot mint a GitHub OIDC id token": empty_token,
    "The gradio Space would have no 'app.py', so the Hub could not run it (NO_APP_FILE); nothing"
    " was changed on the Space.": no_app_file,
    "The docker Space would have no 'Dockerfile', …": docker_without_dockerfile,
    "(402)": paid_creation_on_a_free_account,
    "… (402): paid hardware needs a payment method.": paid_hardware,
    "rate limit was hit (429)": creation_quota,
    "did not reach RUNNING within": build_timeout,
    "BUILD_ERROR: … Read the build log below; the failing step is near the end.": build_error,
    "Build failed with exit code: 1": build_error,
    "BUILD_ERROR: last lines of the log": build_error,
    "RUNTIME_ERROR: … Read the run log below for the app's traceback.": app_crash,
    "Exit code: 1. Reason: SystemExit: 1": app_crash,
    "RUNTIME_ERROR": app_crash,
    "The front matter of README.md is not valid YAML (line 3).": card_not_yaml,
    "The front matter of README.md has an invalid 'app_port': …": card_bad_port,
    "Could not reach the Hub at https://huggingface.co while trying to <step> …": hub_unreachable,
    "Could not reach the Hub": hub_unreachable,
    "The Hub failed (503) while trying to <step> …": hub_down,
    "The revision '0123abc…' is not in the history of 'owner/app' (its main branch has 12"
    " commits); nothing was changed.": revision_not_in_history,
    "There is no earlier deploy in the history of 'owner/app'": no_earlier_deploy,
    "Smoke check failed: the Space is RUNNING abc1234, but GET https://owner-app.hf.space/health"
    " answered 500 (…); body: '…'.": smoke_fails,
    "… did not answer (no answer within 120s)": smoke_no_answer,
    "Untrusted pull request refused": fork_pr_target_to_production,
    "Input 'card': 'README_HF.md' is inside .git or an always-excluded path.": card_link_into_git,
    "This pull_request_target run is for pull request #12 from the fork octo-forker/app, and"
    " preview: false would deploy its code to the Space itself.": fork_pr_target_to_production,
}  # fmt: skip


@pytest.mark.parametrize("quote", quotes())
def test_every_quoted_message_is_known_to_this_test(quote):
    """A quote added to the docs needs a run here that prints it (or is one not yet proven)."""
    assert quote in PROVOKERS or quote in NOT_YET_PROVOKED, quote


@pytest.mark.parametrize("provoke", sorted(set(PROVOKERS.values()), key=lambda f: f.__name__),
                         ids=lambda f: f.__name__)  # fmt: skip
def test_the_run_prints_what_the_docs_quote(action, hub, provoke):
    output, samples = provoke(action, hub)
    for quote in [q for q, f in PROVOKERS.items() if f is provoke]:
        assert quote in quotes(), f"no longer quoted in the docs: {quote}"
        assert found_in(quote, output, samples), f"not printed: {quote}\n---\n{output}"


def test_a_hint_links_the_docs_at_the_actions_ref(action, hub):
    env = {"GITHUB_ACTION_REPOSITORY": "octo-org/hf-deploy", "GITHUB_ACTION_REF": "v1"}
    copy_example("gradio-hello", action.workspace)
    linked = action.run({"space": "user/app", "hf-token": ""}, env=env)
    assert "https://github.com/octo-org/hf-deploy/blob/v1/docs/keyless.md" in linked.errors[0]
    plain = action.run({"space": "user/app", "hf-token": ""})  # no action named: the plain name
    assert "docs/keyless.md" in plain.errors[0] and "https://" not in plain.errors[0]


def test_link_docs_leaves_urls_and_other_text_alone():
    base = "https://ghe.example/o/hf-deploy/blob/abc1234/docs"
    assert (
        link_docs("see docs/previews.md#visibility.", base) == f"see {base}/previews.md#visibility."
    )
    url = "https://huggingface.co/docs/hub/spaces-zerogpu and x/docs/a.md"
    assert link_docs(url, base) == url
    assert link_docs("see docs/keyless.md", None) == "see docs/keyless.md"


#: Quotes no test provokes yet: each is a message of the code (grep finds it), not proven printed
#: by a run here. The list only shrinks.
NOT_YET_PROVOKED: set[str] = {
    "Smoke check not run: the Hub names … as the app's address, not the Space's own"
    " (https://….hf.space, or the Hub's …); the token is not sent there",
    "The Hub said: Invalid credentials in Authorization header",
    "The token may not push to 'my-org/my-app' (403): it has no write access to that namespace.",
    "The Hub forbade this (403) while trying to <step>.",
    "GitHub refused to mint an OIDC id token (403).",
    "The Hub refused the keyless token exchange for spaces/owner/name (400). The Hub said: …",
    "'space' is 'my-app': a keyless deploy needs it as owner/name.",
    "The Space 'owner/name' does not exist, and a keyless token works on one existing Space only: it cannot create it.",
    "Pull-request previews need an hf-token: …",
    "operation: delete needs an hf-token: …",
    "operation: cleanup-previews needs an hf-token: …",
    "… (402): ZeroGPU has its own limits.",
    "The Hub's rate limit was hit (429) while trying to create or configure the Space (gave up after 3 attempts). Retry after 60s.",
    'HTTP 429 (RateLimit "api";r=0;t=55)',
    "Could not upload the large files to Xet storage: …",
    "Nothing was committed: the Space's files are unchanged.",
    "the Hub refused an upload token (403 Forbidden; not retried …)",
    "the Hub gave no upload token (503 Service Unavailable; gave up after at most N retries)",
    "The Space's build failed.",
    "The app crashed at start.",
    "NO_APP_FILE: The Space has no app file to run.",
    "CONFIG_ERROR: The Space's configuration (README front matter) is invalid.",
    "The Space did not reach RUNNING within 1200s (last stage BUILDING; …).",
    "the build log header names 1a2b3c4, a previous commit",
    "the build log is still the one shown before our change",
    "The revision 'abc1234' matches 2 commits",
    "Smoke check not run",
    "(403)",
    "keyless token exchange",
    "RateLimit",
    "Could not upload the large files to Xet storage",
    "NO_APP_FILE",
    "CONFIG_ERROR",
    "(503)",
}


def test_the_list_of_quotes_not_yet_provoked_holds_only_quotes_of_the_docs():
    assert set(quotes()) >= NOT_YET_PROVOKED
    assert not NOT_YET_PROVOKED & set(PROVOKERS)
