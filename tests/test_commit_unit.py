"""The commit step against the Hub simulator, in-process: one commit with `parentCommit`, a re-plan
after a 412, a lost response not committed twice, and the error when the Space keeps changing."""

from __future__ import annotations

import threading
import time

import pytest

from hf_action import blobmap
from hf_action.errors import ActionError
from hf_action.hub.commit import AT_ONCE, MAX_ATTEMPTS, commit_plan
from hf_action.hub.tree import remote_tree
from hf_action.local.files import LocalFile
from hf_action.plan import Plan, make_plan
from hubsim import HubSim, LifecycleTimings
from tests.conftest import TOKEN

SPACE = "user/unit"


def changed(plan: Plan) -> list[str]:
    """Paths the plan adds, changes or deletes."""
    return sorted([c.file.path for c in plan.add] + plan.delete)


@pytest.fixture
def sim():
    hub = HubSim(user="user", tokens={TOKEN: "write"})  # Xet on, as the in-process client
    hub.settings.lifecycle = LifecycleTimings(stale=0.01, building=0.01, starting=0.01)
    hub.start()
    hub.create_repo(SPACE, sdk="static")
    yield hub
    hub.stop()


@pytest.fixture
def api(sim):
    from huggingface_hub import HfApi

    return HfApi(endpoint=sim.url, token=TOKEN)


def files(**contents: bytes) -> dict[str, LocalFile]:
    return {
        path.replace("__", "/").replace("_", "."): LocalFile(
            path.replace("__", "/").replace("_", "."), None, len(data), content=data
        )
        for path, data in contents.items()
    }


def planner(api, sim, local: dict[str, LocalFile], calls: list[str] | None = None):
    """The deploy's re-plan: list the Space at its current head, compare again."""

    def replan() -> Plan:
        if calls is not None:
            calls.append(sim.repo(SPACE).head)
        head = sim.repo(SPACE).head
        return make_plan(local, remote_tree(api, SPACE, head), head, delete_removed=True)

    return replan


def colleague(sim, name: str = "theirs.txt"):
    def commit() -> None:
        repo = sim.repo(SPACE)
        extra = {name: sim.store_regular(f"{name} {len(repo.commits)}\n".encode())}
        sim.apply_commit(repo, {**repo.files, **extra}, "web edit", "", "colleague")

    return commit


def commit(api, sim, local, said, calls=None):
    replan = planner(api, sim, local, calls)
    return commit_plan(api, SPACE, replan(), replan, "Deploy", "Deploy-Id: 1", said.append)


def test_one_commit_with_exactly_the_plan(api, sim):
    said: list[str] = []
    local = files(index_html=b"<h1>hi</h1>\n", a_txt=b"a\n")
    before = sim.repo(SPACE).head
    result = commit(api, sim, local, said)
    repo = sim.repo(SPACE)
    assert result.committed and result.sha == repo.head != before
    assert result.url == f"{sim.url}/spaces/{SPACE}/commit/{repo.head}"
    assert set(changed(result.plan)) >= {"index.html", "a.txt"}
    assert repo.files["a.txt"].content == b"a\n" and said == []
    assert repo.commits[-1].title == "Deploy" and repo.commits[-1].message == "Deploy-Id: 1"
    assert repo.commits[-1].parent == before


def test_an_empty_plan_makes_no_commit(api, sim):
    said: list[str] = []
    local = files(index_html=b"x\n")
    commit(api, sim, local, said)
    head = sim.repo(SPACE).head
    result = commit(api, sim, local, said)
    assert not result.committed and result.sha == head and result.url is None
    assert result.plan.empty and len(sim.repo(SPACE).commits) == 2


def test_another_writers_commit_is_planned_again(api, sim):
    said: list[str] = []
    sim.faults.add(method="POST", path=r"/commit/", before=colleague(sim))
    calls: list[str] = []
    result = commit(api, sim, files(index_html=b"ours\n"), said, calls)
    repo = sim.repo(SPACE)
    assert result.committed and result.sha == repo.head
    assert repo.commits[-2].title == "web edit" and "theirs.txt" not in repo.files
    assert (
        result.plan.delete == ["README.md", "theirs.txt"]
        and len(calls) == 2
        and calls[0] != calls[1]
    )
    assert said == [
        "The Space changed while we were uploading (412); planning again against its new head."
    ]


def test_a_space_that_keeps_changing_is_given_up_on(api, sim):
    said: list[str] = []
    rule = sim.faults.add(method="POST", path=r"/commit/", before=colleague(sim), times=99)
    with pytest.raises(ActionError) as err:
        commit(api, sim, files(ours_txt=b"ours\n"), said)
    assert rule.hits == MAX_ATTEMPTS == 3 and len(said) == MAX_ATTEMPTS - 1
    assert err.value.message == "The Space kept changing while we tried to commit."
    assert "concurrency group" in err.value.hint
    assert "ours.txt" not in sim.repo(SPACE).files


def test_a_lost_response_is_not_committed_twice(api, sim):
    said: list[str] = []
    sim.faults.add(method="POST", path=r"/commit/", drop=True, after_apply=True)
    before = len(sim.repo(SPACE).commits)
    result = commit(api, sim, files(index_html=b"ours\n"), said, calls := [])
    repo = sim.repo(SPACE)
    assert len(repo.commits) == before + 1 and result.committed
    assert result.sha == repo.head and result.url is None
    # What we committed (the template's README.md replaced), not the empty re-plan:
    assert changed(result.plan) == ["README.md", "index.html"]
    assert len(calls) == 2 and "connection dropped" in said[0]


def test_other_http_errors_are_not_retried(api, sim):
    from huggingface_hub.errors import HfHubHTTPError

    said: list[str] = []
    sim.faults.add(method="POST", path=r"/commit/", status=403)
    with pytest.raises(HfHubHTTPError):
        commit(api, sim, files(index_html=b"ours\n"), said, calls := [])
    assert len(calls) == 1 and said == []


def test_the_spaces_gitignore_drops_none_of_the_planned_files(api, sim):
    said: list[str] = []
    commit(api, sim, files(_gitignore=b"dist/\n*.map\n", index_html=b"x\n"), said)
    local = files(_gitignore=b"dist/\n*.map\n", index_html=b"x\n", dist__a_js=b"a\n", b_map=b"{}\n")
    result = commit(api, sim, local, said)
    assert {"dist/a.js", "b.map"} <= set(sim.repo(SPACE).files) and result.committed


def test_large_tracked_files_record_their_two_ids(api, sim, monkeypatch):
    monkeypatch.setattr(blobmap, "MIN_SIZE", 8)
    said: list[str] = []
    big = LocalFile("big.bin", None, 9, git_oid="a" * 40, content=b"\0" * 9)
    small = LocalFile("small.bin", None, 7, git_oid="b" * 40, content=b"\0" * 7)
    untracked = LocalFile("u.bin", None, 9, content=b"\1" * 9)
    commit(api, sim, {"big.bin": big, "small.bin": small, "u.bin": untracked}, said)
    message = sim.repo(SPACE).commits[-1].message
    assert blobmap.parse(message) == {
        "big.bin": ("a" * 40, sim.repo(SPACE).files["big.bin"].lfs_sha256)
    }
    assert message.startswith("Deploy-Id: 1\n\nHf-Deploy-Blob: ")


def test_files_on_disk_are_uploaded_from_their_path(api, sim, tmp_path):
    said: list[str] = []
    (tmp_path / "big.bin").write_bytes(b"\0disk content")
    (tmp_path / "note.txt").write_text("on disk\n")
    local = {
        "big.bin": LocalFile("big.bin", str(tmp_path / "big.bin"), 13),
        "note.txt": LocalFile("note.txt", str(tmp_path / "note.txt"), 8),
    }
    commit(api, sim, local, said)
    repo = sim.repo(SPACE)
    assert repo.files["note.txt"].content == b"on disk\n"
    assert repo.files["big.bin"].lfs_sha256 is not None


def test_a_file_exactly_at_the_size_limit_records_its_ids(api, sim, monkeypatch):
    monkeypatch.setattr(blobmap, "MIN_SIZE", 8)
    said: list[str] = []
    edge = LocalFile("edge.bin", None, 8, git_oid="c" * 40, content=b"\0" * 8)
    commit(api, sim, {"edge.bin": edge}, said)
    assert set(blobmap.parse(sim.repo(SPACE).commits[-1].message)) == {"edge.bin"}


def test_an_empty_plan_on_a_space_without_commits_has_no_sha(api, sim):
    result = commit_plan(api, SPACE, Plan(head=None), lambda: Plan(head=None), "m", "d", print)
    assert result.sha == "" and not result.committed


def test_a_dropped_connection_waits_a_second_and_says_why(api, sim, monkeypatch):
    import hf_action.hub.commit as module

    slept: list[float] = []
    monkeypatch.setattr(module.time, "sleep", slept.append)
    said: list[str] = []
    sim.faults.add(method="POST", path=r"/commit/", drop=True)
    result = commit(api, sim, files(ours_txt=b"ours\n"), said)
    assert result.committed and slept == [1]
    assert said == [
        "The connection dropped while committing; checking what the Space holds before trying again."
    ]


def test_a_rollback_shares_the_loop_its_lost_answer_is_not_committed_twice(api, sim):
    """The rollback's commit of copies runs the deploy's loop: a dropped answer after the commit
    landed re-plans, finds nothing left to do, and reports the copies that commit carried."""
    from hf_action.hub.commit import commit_restore
    from hf_action.plan import plan_restore

    old = sim.repo(SPACE).head
    colleague(sim)()
    head, before = sim.repo(SPACE).head, len(sim.repo(SPACE).commits)

    def replan():
        now = sim.repo(SPACE).head
        return plan_restore(remote_tree(api, SPACE, now), remote_tree(api, SPACE, old), now)

    sim.faults.add(method="POST", path=r"/commit/", drop=True, after_apply=True)
    said: list[str] = []
    sha, url, carried = commit_restore(
        api, SPACE, old, replan(), replan, "Roll back", "", said.append
    )
    repo = sim.repo(SPACE)
    assert len(repo.commits) == before + 1
    assert sha == repo.head != head and url is None and "theirs.txt" not in repo.files
    assert tuple(carried.delete) == ("theirs.txt",) and "connection dropped" in said[0]


def test_upload_modes_of_many_files_are_asked_at_once(api, sim, monkeypatch):
    """2,600 files: eleven preupload requests (256 files each at most), two in flight together,
    not one after another (a round trip each on a distant link); every file still lands, the
    binary in the Xet store, the text files in the commit, none dropped by the Space's .gitignore
    (each request tells the Hub there are no ignore rules, as the rest of the deploy does)."""
    original, lock, state = sim.counters.request, threading.Lock(), {"now": 0, "most": 0, "n": 0}

    def request(key: str, client: str = "") -> None:
        original(key, client)
        if "/preupload/" not in key:
            return
        with lock:
            state["now"] += 1
            state["n"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.3)  # the round trip: a request in sequence would start after this one ends
        with lock:
            state["now"] -= 1

    commit(api, sim, files(_gitignore=b"src/\n"), [])  # the Space's own ignore rules
    monkeypatch.setattr(sim.counters, "request", request)
    local = {f"src/m{i:04d}.py": LocalFile(f"src/m{i:04d}.py", None, 6, content=b"x = 1\n")
             for i in range(2598)}  # fmt: skip
    local["model.bin"] = LocalFile("model.bin", None, 4096, content=bytes(range(256)) * 16)
    local[".gitignore"] = LocalFile(".gitignore", None, 5, content=b"src/\n")
    result = commit(api, sim, local, [])
    repo = sim.repo(SPACE)
    assert result.committed and set(local) <= set(repo.files)
    assert repo.files["model.bin"].lfs_sha256 is not None
    assert repo.files["src/m0000.py"].content == b"x = 1\n"
    assert state["n"] == 11 and state["most"] == AT_ONCE == 2, state
