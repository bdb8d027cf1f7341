"""The messages docs/troubleshooting.md and the README's troubleshooting index quote are the ones the
action prints: each quote is found in the output of a run that provokes it (a sample value of the
docs, such as 'alice' or '#12', given as the run's own; '…' stands for any text), or, where a run
adds nothing but time or cannot steer the Hub there (a stage without the Hub's reason, the watch's
evidence, shas that share a prefix), in the `::error::` line the code a run reaches prints when
handed what the Hub or the watch hands it. Hints name the docs by absolute URL at the ref of the
action the workflow uses, and by plain name elsewhere."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

import pytest
from huggingface_hub.hf_api import GitCommitInfo

from hf_action.errors import ActionError
from hf_action.github.runner import Runner, link_docs
from hf_action.hub.explain import stage_failed, timed_out
from hf_action.hub.history import find_revision
from hf_action.hub.proof import Goal, Header, Seen, judge
from tests.action_runner import ROOT
from tests.conftest import GH_TOKEN, READ_TOKEN, TOKEN, copy_example
from tests.fakes.github_oidc import FakeGitHubOidc
from tests.webhooks import load_example

if TYPE_CHECKING:
    from huggingface_hub import HfApi

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


def quota_past_deadline(action, hub) -> Provoked:
    hub.settings.api_quota, hub.settings.api_window = 1000, 300.0
    hub.spend_api(1000, 240)  # other jobs spent the token's window, its reset 240 s away
    return _deploy(action, timeout="100s"), {"240s": "…", "21:40:12": "…", "100s": "…"}


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


# --- keyless runs: no hf-token, the job's GitHub OIDC (a fake of GitHub's id-token endpoint) ---
def _keyless(action, hub, inputs: dict[str, str], refuse: int | None = None, **run) -> str:
    github = FakeGitHubOidc(hub.oidc.issuer, repository="octo-org/octo-app", refuse=refuse).start()
    env = {**github.env(), **run.pop("env", {})}
    try:
        result = action.run({"hf-token": "", **inputs}, env=env, **run)
    finally:
        github.stop()
    return result.stdout + result.stderr


def _trusted_site(hub, space: str = "user/site") -> None:
    hub.create_repo(space, sdk="static")
    hub.oidc.trust(space, repository="octo-org/octo-app")


def keyless_without_publisher(action, hub) -> Provoked:
    hub.create_repo("user/site", sdk="static")  # no trusted publisher
    copy_example("static-site", action.workspace)
    return _keyless(action, hub, {"space": "user/site"}), {"owner/name": "user/site"}


def keyless_bare_name(action, hub) -> Provoked:
    copy_example("static-site", action.workspace)
    return _keyless(action, hub, {"space": "site"}), {"my-app": "site"}


def keyless_new_space(action, hub) -> Provoked:
    hub.oidc.trust("user/site", repository="octo-org/octo-app")  # a publisher, but no Space yet
    copy_example("static-site", action.workspace)
    return _keyless(action, hub, {"space": "user/site"}), {"owner/name": "user/site"}


def keyless_id_token_refused(action, hub) -> Provoked:
    _trusted_site(hub)
    copy_example("static-site", action.workspace)
    return _keyless(action, hub, {"space": "user/site"}, refuse=403), {}


def keyless_preview(action, hub) -> Provoked:
    _trusted_site(hub)
    copy_example("static-site", action.workspace)
    output = _keyless(action, hub, {"space": "user/site"}, event_name="pull_request",
                      event=load_example("opened"),
                      env={"GITHUB_REPOSITORY": "Codertocat/Hello-World"})  # fmt: skip
    return output, {}


def keyless_delete(action, hub) -> Provoked:
    _trusted_site(hub)
    return _keyless(action, hub, {"space": "user/site", "operation": "delete"}), {}


def keyless_cleanup_previews(action, hub) -> Provoked:
    _trusted_site(hub)
    output = _keyless(action, hub, {"space": "user/site", "operation": "cleanup-previews",
                                    "github-token": GH_TOKEN},
                      event_name="schedule", event={"schedule": "17 3 * * *"})  # fmt: skip
    return output, {}


# --- the Hub's refusals of a token it knows --------------------------------------------------
def push_forbidden(action, hub) -> Provoked:
    """A token whose whoami says write, refused the commit by the Hub (a fine-grained token
    without write access to this Space): the Hub's 403 names create_pr."""
    hub.create_repo("user/app", sdk="gradio")
    hub.auth.can_write = lambda who, owner: False
    return _deploy(action), {"my-org/my-app": "user/app"}


def other_forbidden(action, hub) -> Provoked:
    hub.create_repo("user/app", sdk="gradio")
    hub.faults.add(method="GET", path=r"^/api/spaces/user/app$", status=403, times=10)
    return _deploy(action), {}


def zerogpu_refused(action, hub) -> Provoked:
    hub.settings.enforce_plans, hub.settings.good_standing = True, False
    return _deploy(action, space="user/zero", hardware="zero-a10g"), {}


def rate_limited(action, hub) -> Provoked:
    hub.faults.add(method="POST", path=r"^/api/repos/create$", status=429, ratelimit=2,
                   times=10)  # fmt: skip
    out = _deploy(action)
    line = re.search(r'HTTP 429 \(RateLimit "api";r=0;t=(\d+)\)', out)
    attempts = re.search(r"gave up after (\d+) attempts", out)
    after = re.search(r"Retry after (\d+)s", out)
    return out, {"t=55": f"t={line[1] if line else '?'}",
                 "3 attempts": f"{attempts[1] if attempts else '?'} attempts",
                 "after 60s": f"after {after[1] if after else '?'}s"}  # fmt: skip


def xet_token_refused(action, hub) -> Provoked:
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "model.bin").write_bytes(bytes(range(256)) * 8192)  # 2 MB: through Xet
    hub.faults.add(method="GET", path=r"/xet-write-token/", status=403, times=100)
    return action.run({"space": "user/app", "hf-token": TOKEN, "wait": "false"}).stdout, {}


def xet_token_unavailable(action, hub) -> Provoked:
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "model.bin").write_bytes(bytes(range(256)) * 8192)
    hub.faults.add(method="GET", path=r"/xet-write-token/", status=503, times=10_000)
    out = action.run({"space": "user/app", "hf-token": TOKEN, "wait": "false"}).stdout
    retries = re.search(r"gave up after at most (\d+) retries", out)
    return out, {"at most N": f"at most {retries[1] if retries else '?'}"}


def smoke_foreign_host(action, hub) -> Provoked:
    foreign = hub.url.replace("127.0.0.1", "localhost") + "/_apps/user-app"
    hub.settings.serve_apps, hub.settings.app_hosts["user/app"] = True, foreign
    out = _deploy(action, visibility="private", **{"smoke-path": "/health"})
    return out, {"Hub names …": f"Hub names {foreign}", "(https://….hf.space": "(https://user-app.hf.space",
                 "Hub's …)": f"Hub's {hub.url})"}  # fmt: skip


# --- provoked without a run: the code the run reaches, with what the Hub or the watch hands it --
def printed(error: ActionError) -> str:
    """The `::error::` line the run prints for `error` (app/report.py's words)."""
    out = io.StringIO()
    Runner(github=True, stream=out).error(error.line, title=error.title)
    return out.getvalue()


def stage_without_reason() -> Provoked:
    """The watch ends on a stage whose runtime carries no errorMessage: the stage's own words."""
    stages = ("BUILD_ERROR", "RUNTIME_ERROR", "NO_APP_FILE", "CONFIG_ERROR")
    return "".join(printed(stage_failed(stage, None, "")) for stage in stages), {}


def timeout_evidence() -> Provoked:
    """The timeout's evidence is the watch's last verdict (hub/proof.py) on what it saw."""
    new, old, t = "a1b2c3d" + "0" * 33, "1a2b3c4" + "1" * 33, 1_700_000_000.0
    seen = [
        (Goal("commit", new, committed_at=t), Seen("BUILDING", header=Header(old[:7], t - 5))),
        (Goal("restart", new, before=Header(None, t - 10)), Seen("RUNNING", header=Header(None, t - 10))),
    ]  # fmt: skip
    return "".join(
        printed(timed_out("RUNNING", s.stage, 1200, judge(g, s).evidence, "")) for g, s in seen
    ), {}


class _History:
    """huggingface_hub's list_repo_commits as the Hub answers it: two shas that share a prefix."""

    endpoint = "https://huggingface.co"

    def list_repo_commits(self, space_id: str, repo_type: str) -> list[GitCommitInfo]:
        shas = ("abc1234" + "0" * 33, "abc1234" + "f" * 33)
        return [GitCommitInfo(commit_id=sha, authors=[], created_at=datetime.now(UTC),
                              title="x", message="", formatted_title=None, formatted_message=None)
                for sha in shas]  # fmt: skip


def ambiguous_revision() -> Provoked:
    try:
        find_revision(cast("HfApi", _History()), "user/app", "abc1234")
    except ActionError as exc:
        return printed(exc), {}
    return "", {}


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
    "The Hub's API rate limit for this token is used up (429) while trying to …: it resets in 240s"
    " (at 21:40:12 UTC), after this run's timeout (100s left), so the run stops now instead of"
    " waiting.": quota_past_deadline,
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
    "The Hub said: Invalid credentials in Authorization header": wrong_token,
    "Smoke check not run: the Hub names … as the app's address, not the Space's own"
    " (https://….hf.space, or the Hub's …); the token is not sent there": smoke_foreign_host,
    "Smoke check not run": smoke_foreign_host,
    "The token may not push to 'my-org/my-app' (403): it has no write access to that namespace.":
    push_forbidden,
    "(403)": push_forbidden,
    "The Hub forbade this (403) while trying to <step>.": other_forbidden,
    "GitHub refused to mint an OIDC id token (403).": keyless_id_token_refused,
    "The Hub refused the keyless token exchange for spaces/owner/name (400). The Hub said: …":
    keyless_without_publisher,
    "keyless token exchange": keyless_without_publisher,
    "'space' is 'my-app': a keyless deploy needs it as owner/name.": keyless_bare_name,
    "The Space 'owner/name' does not exist, and a keyless token works on one existing Space only:"
    " it cannot create it.": keyless_new_space,
    "Pull-request previews need an hf-token: …": keyless_preview,
    "operation: delete needs an hf-token: …": keyless_delete,
    "operation: cleanup-previews needs an hf-token: …": keyless_cleanup_previews,
    "… (402): ZeroGPU has its own limits.": zerogpu_refused,
    "The Hub's rate limit was hit (429) while trying to create or configure the Space (gave up"
    " after 3 attempts). Retry after 60s.": rate_limited,
    'HTTP 429 (RateLimit "api";r=0;t=55)': rate_limited,
    "RateLimit": rate_limited,
    "Could not upload the large files to Xet storage: …": xet_token_refused,
    "Could not upload the large files to Xet storage": xet_token_refused,
    "Nothing was committed: the Space's files are unchanged.": xet_token_refused,
    "the Hub refused an upload token (403 Forbidden; not retried: …)": xet_token_refused,
    "the Hub gave no upload token (503 Service Unavailable; gave up after at most N retries)":
    xet_token_unavailable,
    "(503)": hub_down,
    "The Space did not reach RUNNING within 1200s (last stage BUILDING; …).": build_timeout,
}  # fmt: skip

#: The same, provoked without a run: the code the run reaches, called as the run calls it.
UNIT_PROVOKERS: dict[str, Callable[[], Provoked]] = {
    "The Space's build failed.": stage_without_reason,
    "The app crashed at start.": stage_without_reason,
    "NO_APP_FILE: The Space has no app file to run.": stage_without_reason,
    "CONFIG_ERROR: The Space's configuration (README front matter) is invalid.":
    stage_without_reason,
    "NO_APP_FILE": stage_without_reason,
    "CONFIG_ERROR": stage_without_reason,
    "the build log header names 1a2b3c4, not our commit": timeout_evidence,
    "the build log is still the one shown before our change": timeout_evidence,
    "The revision 'abc1234' matches 2 commits": ambiguous_revision,
}  # fmt: skip


@pytest.mark.parametrize("quote", quotes())
def test_every_quoted_message_is_provoked_here(quote):
    """A quote added to the docs needs a run (or the code a run reaches) here that prints it."""
    assert quote in PROVOKERS or quote in UNIT_PROVOKERS, quote


def _check(provoke: Callable[..., Provoked], provokers: dict, output: str, samples: dict) -> None:
    for quote in [q for q, f in provokers.items() if f is provoke]:
        assert quote in quotes(), f"no longer quoted in the docs: {quote}"
        assert found_in(quote, output, samples), f"not printed: {quote}\n---\n{output}"


@pytest.mark.parametrize("provoke", sorted(set(PROVOKERS.values()), key=lambda f: f.__name__),
                         ids=lambda f: f.__name__)  # fmt: skip
def test_the_run_prints_what_the_docs_quote(action, hub, provoke):
    _check(provoke, PROVOKERS, *provoke(action, hub))


@pytest.mark.parametrize("provoke", sorted(set(UNIT_PROVOKERS.values()), key=lambda f: f.__name__),
                         ids=lambda f: f.__name__)  # fmt: skip
def test_the_code_prints_what_the_docs_quote(provoke):
    _check(provoke, UNIT_PROVOKERS, *provoke())


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
