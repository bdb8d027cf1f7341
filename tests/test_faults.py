"""Faults injected into the Hub simulator: every class of call the deploy makes survives transient
errors with exactly one commit; a lost commit response is not committed twice; races end in one
deploy's files; a Hub that stays down is given up on in a stated, bounded time."""

from __future__ import annotations

import time

import pytest

from tests.conftest import TOKEN, copy_example, hub_writes

# (name, method, path regex) for every class of Hub call a deploy makes.
CALLS = [
    ("whoami", "GET", r"^/api/whoami-v2$"),
    ("create", "POST", r"^/api/repos/create$"),
    ("info", "GET", r"^/api/spaces/user/[^/]+$"),  # with ?blobs=true: the file listing too
    ("preupload", "POST", r"/preupload/"),
    ("xet-token", "GET", r"/xet-write-token/main$"),  # Xet (production); the CAS: test_xet_e2e
    ("lfs-batch", "POST", r"/info/lfs/objects/batch$"),  # classic LFS lane
    ("lfs-upload", "PUT", r"^/lfs-upload/"),  # classic LFS lane
    ("commit", "POST", r"/commit/main$"),
    ("watch", "GET", r"^/api/spaces/user/[^/]+$", r"expand=runtime"),  # the watch's polls
    ("secrets", "POST", r"/secrets$"),
    ("variables", "POST", r"/variables$"),
    ("settings", "PUT", r"/settings$"),
    ("hardware", "POST", r"/hardware$"),
]
FAULTS = [(500, None), (502, None), (503, None), (429, 1)]


def _prepare(action, hub, name: str) -> dict:
    """A Space that exists (so settings calls happen) and a change that needs every kind of call."""
    copy_example("gradio-hello", action.workspace)
    hub.set_quota(pro=True)
    inputs = {"space": f"user/{name}", "hf-token": TOKEN}
    if not name.startswith("create"):
        hub.create_repo(inputs["space"], sdk="gradio")
    (action.workspace / "weights.bin").write_bytes(
        b"\0\x01binary" * 4096
    )  # binary: uploaded through LFS
    return {
        **inputs,
        "secrets": "API_KEY=s3cr3t-value-1",
        "variables": "MODE=prod",
        "visibility": "private",
        "hardware": "cpu-upgrade",
    }


CLASSIC_ONLY = ("lfs-batch", "lfs-upload")


@pytest.mark.parametrize("status,retry_after", FAULTS, ids=[str(s) for s, _ in FAULTS])
@pytest.mark.parametrize(
    "hub,call,method,path,query",
    [("classic" if c[0] in CLASSIC_ONLY else "xet", *(*c, None)[:4]) for c in CALLS],
    ids=[c[0] for c in CALLS],
    indirect=["hub"],
)
def test_transient_faults_are_survived_with_exactly_one_commit(
    action, hub, call, method, path, query, status, retry_after
):
    times = {500: 1, 502: 2, 503: 3, 429: 2}[status]
    if call == "lfs-upload":
        times = min(
            times, 2
        )  # huggingface_hub retries LFS uploads itself, with unscaled 1 s, 2 s waits
    name = f"{call}-{status}"
    inputs = _prepare(action, hub, name)
    before = len(hub.repo(inputs["space"]).commits) if hub.repo(inputs["space"]) else 0
    hub.faults.add(
        method=method, path=path, status=status, times=times, retry_after=retry_after, query=query
    )
    result = action.run({**inputs, "wait": "true" if call == "watch" else "false"})
    assert result.returncode == 0, result.stdout
    repo = hub.repo(inputs["space"])
    deploy_commits = [c for c in repo.commits[before:] if "Deploy-Id:" in c.message]
    assert len(deploy_commits) == 1, [c.title for c in repo.commits]
    assert not hub.faults.pending, f"fault never hit: {hub.faults.pending}"
    assert repo.files["weights.bin"].lfs_sha256 is not None
    assert repo.secrets == {"API_KEY": "s3cr3t-value-1"} and repo.private is True
    # Our transport says each retry; huggingface_hub retries LFS uploads, hf_xet its token requests,
    # past it and without a word.
    assert ("retry" in result.stdout.lower()) is (call not in ("lfs-upload", "xet-token"))


def _new_commits(repo, before: int) -> int:
    return len(repo.commits) - before


def test_lost_commit_response_is_not_committed_twice(action, hub):
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/lost", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    before = len(hub.repo("user/lost").commits)
    (action.workspace / "app.py").write_text("import gradio as gr\n# v2\n")
    hub.faults.add(method="POST", path=r"/commit/", drop=True, after_apply=True)
    result = action.run({"space": "user/lost", "hf-token": TOKEN})
    assert result.returncode == 0, result.stdout
    repo = hub.repo("user/lost")
    assert _new_commits(repo, before) == 1
    assert result.outputs["commit-sha"] == repo.head
    assert result.outputs["changed-files"] == "app.py"
    assert repo.files["app.py"].text().endswith("# v2\n")


def test_commit_failing_after_apply_with_500_is_not_duplicated(action, hub):
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/lost500", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    before = len(hub.repo("user/lost500").commits)
    (action.workspace / "new.txt").write_text("new\n")
    hub.faults.add(method="POST", path=r"/commit/", status=500, after_apply=True)
    result = action.run({"space": "user/lost500", "hf-token": TOKEN})
    assert result.returncode == 0, result.stdout
    assert _new_commits(hub.repo("user/lost500"), before) == 1


def test_stale_parent_replans_and_commits_once(action, hub):
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/stale", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    before = len(hub.repo("user/stale").commits)
    (action.workspace / "b.txt").write_text("b\n")
    hub.faults.add(method="POST", path=r"/commit/", status=412, times=1)
    result = action.run({"space": "user/stale", "hf-token": TOKEN})
    assert result.returncode == 0, result.stdout
    assert "planning again" in result.stdout
    assert _new_commits(hub.repo("user/stale"), before) == 1


def test_two_runs_at_once_end_with_exactly_one_deploys_files(action, hub, tmp_path):
    """Two workflows race to the same Space: each commit is whole, and the final tree is one of them."""
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/race2", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    other = tmp_path / "other-workspace"
    copy_example("gradio-hello", other)
    (action.workspace / "a-only.txt").write_text("from run A\n")
    (other / "b-only.txt").write_text("from run B\n")
    (other / "app.py").write_text("import gradio as gr\n# B\n")
    import threading

    results = {}

    def run(key, ws):
        action_env = {"GITHUB_WORKSPACE": str(ws)}
        results[key] = action.run(
            {"space": "user/race2", "hf-token": TOKEN, "wait": "false"}, env=action_env
        )

    threads = [
        threading.Thread(target=run, args=("A", action.workspace)),
        threading.Thread(target=run, args=("B", other)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.returncode == 0 for r in results.values()), [r.stdout for r in results.values()]
    files = set(hub.repo("user/race2").files)
    a_files = {"a-only.txt"} & files
    b_files = {"b-only.txt"} & files
    assert bool(a_files) != bool(b_files), f"a mix of both deploys: {sorted(files)}"
    for commit in hub.repo("user/race2").commits[-2:]:
        has_a, has_b = "a-only.txt" in commit.files, "b-only.txt" in commit.files
        assert not (has_a and has_b)


def test_hub_that_stays_down_is_given_up_on_in_bounded_time(action, hub):
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/down", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    head = hub.repo("user/down").head
    (action.workspace / "c.txt").write_text("c\n")
    hub.faults.add(method=None, path=r"^/api/spaces/user/down", status=503, times=10_000)
    started = time.monotonic()
    result = action.run({"space": "user/down", "hf-token": TOKEN})
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert (
        len(result.errors) == 1
        and "503" in result.errors[0]
        and "gave up after 5 attempts" in result.errors[0]
    )
    assert elapsed < 30
    assert hub.repo("user/down").head == head


def _hidden_name(hub, repo_id: str) -> None:
    """The name exists but the token cannot see it (e.g. another member's private Space): 404, then 409."""
    hub.take_name(repo_id)
    can_read = hub.auth.can_read
    hub.auth.can_read = lambda who, owner, private: (
        False if private else can_read(who, owner, private)
    )


@pytest.mark.parametrize(
    "setup,inputs,expected",
    [
        (lambda hub: None, {"hf-token": "hf_unknown_token_zzz"}, "refused the token (401)"),
        (
            lambda hub: None,
            {"space": "readers/app"},
            "only read access to the organization 'readers'",
        ),
        (lambda hub: None, {"space": "stranger-org/app"}, "not a member of 'stranger-org'"),
        (lambda hub: None, {"hardware": "a10g-small"}, "(402): paid hardware needs a payment"),
        (
            lambda hub: _hidden_name(hub, "user/taken"),
            {"space": "user/taken"},
            "already taken (409)",
        ),
        (lambda hub: hub.set_quota(space_creations=0), {}, "rate limit was hit (429)"),
    ],
    ids=["401", "403-read-org", "403-not-member", "402", "409", "429-create-quota"],
)
def test_hub_refusals_map_to_one_actionable_error(action, hub, setup, inputs, expected):
    copy_example("gradio-hello", action.workspace)
    setup(hub)
    result = action.run({"space": "user/refused", "hf-token": TOKEN, **inputs})
    assert result.returncode == 1
    assert len(result.errors) == 1, result.stdout
    assert expected in result.errors[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert hub.counters.commits == 0


def test_read_only_token_is_refused_before_any_write(action, hub):
    from tests.conftest import READ_TOKEN

    copy_example("gradio-hello", action.workspace)
    result = action.run({"space": "user/ro", "hf-token": READ_TOKEN})
    assert result.returncode == 1 and "read-only" in result.errors[0]
    assert hub_writes(hub) == []


def test_a_failure_after_the_commit_still_writes_the_outputs(action, hub):
    copy_example("gradio-hello", action.workspace)
    watch = {"path": r"^/api/spaces/user/after$", "query": r"expand=runtime"}
    hub.faults.add(method="GET", status=503, times=10_000, **watch)
    result = action.run({"space": "user/after", "hf-token": TOKEN})
    assert result.returncode == 1 and len(result.errors) == 1
    assert result.outputs["commit-sha"] == hub.repo("user/after").head
    assert "Failed" in result.summary
