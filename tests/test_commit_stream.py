"""The commit request's body, streamed (hub/commit_body.py): the bytes huggingface_hub would send,
line for line, one file in memory at a time, gathered into few writes, sent again whole on a retry,
and stopped (nothing committed) when a file changes size under it. In-process, against hubsim; the
deploy's requests around it, as the runner runs the action: test_commit_stream_e2e.py."""

from __future__ import annotations

import base64
import json

import pytest

from hf_action.errors import ActionError
from hf_action.hub.commit import PREUPLOAD_FILES, _send_commit, _upload_mode_asks
from hf_action.hub.commit_body import PIECE, SEND, CommitBody
from tests import test_commit_unit as unit

SPACE, sim, api = unit.SPACE, unit.sim, unit.api  # the commit tests' Space and client (fixtures)


def _add(path: str, source, mode: str):
    from huggingface_hub import CommitOperationAdd

    op = CommitOperationAdd(path_in_repo=path, path_or_fileobj=source)
    op._upload_mode = mode
    return op


def _library_body(ops, summary: str, description: str, parent: str | None) -> bytes:
    """What huggingface_hub's _send_commit joins and sends for the same operations."""
    from huggingface_hub._commit_api import _prepare_commit_payload

    items = _prepare_commit_payload(ops, {}, summary, description, parent)
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


SIZES = [0, 1, 2, 3, 4, 5, 6, 7, PIECE - 1, PIECE, PIECE + 1, 2 * PIECE + 2]


@pytest.mark.parametrize("parent", [None, "a" * 40])
def test_the_streamed_body_is_the_librarys_byte_for_byte(tmp_path, parent):
    """Every padding of base64 (sizes 0-7), the piece boundaries, a path needing JSON escapes, an
    LFS file, a deleted file and folder, generated content; its length counted before a byte."""
    from huggingface_hub import CommitOperationDelete

    ops = []
    for n in SIZES:
        p = tmp_path / f"f{n}"
        p.write_bytes(bytes(i % 251 for i in range(n)))
        ops.append(_add(f'dir/é "q"\\{n}.txt', str(p), "regular"))
    big = _add("model.bin", b"\0" * 3000, "lfs")
    big.upload_info.sha256 = bytes(range(32))
    ops += [big, _add("README.md", b"---\nsdk: static\n---\n", "regular")]
    ops += [CommitOperationDelete("old.txt"), CommitOperationDelete("gone/", is_folder=True)]
    body = CommitBody(ops, "Deploy ✓", "Deploy-Id: 1\n\ntrailer", parent)
    sent = b"".join(body)
    assert sent == _library_body(ops, "Deploy ✓", "Deploy-Id: 1\n\ntrailer", parent)
    assert body.length == len(sent)
    assert b"".join(body) == sent  # a second pass, as a retry makes, sends it all again


def test_the_body_goes_out_one_piece_of_one_file_at_a_time(api, sim, tmp_path, monkeypatch):
    """Twelve 1.5 MB text files (regular uploads: their base64 inside the commit request): the
    request carries the body as a stream with its length, not bytes joined in memory (the library
    holds all twelve twice, ~48 MB), no piece larger than a file's piece above a write's size;
    every file lands whole. (Measured by what is handed to the client: the simulator shares this
    process.)"""
    from huggingface_hub.utils import get_session

    data = b"0123456789abcdef\n" * 90_000
    ops = []
    for i in range(12):
        (tmp_path / f"t{i}.txt").write_bytes(data)
        ops.append(_add(f"t{i}.txt", str(tmp_path / f"t{i}.txt"), "regular"))
    for ask in _upload_mode_asks(api, SPACE, ops):
        ask()
    assert {op._upload_mode for op in ops} == {"regular"}
    session, handed, pieces = get_session(), [], []
    send, stream = session.send, CommitBody.__iter__

    def handed_to_client(request, **kwargs):
        handed.append((request.stream, request.headers.get("Content-Length"),
                       request.headers.get("Transfer-Encoding")))  # fmt: skip
        return send(request, **kwargs)

    def counted(body):
        for piece in stream(body):
            pieces.append(len(piece))
            yield piece

    monkeypatch.setattr(session, "send", handed_to_client)
    monkeypatch.setattr(CommitBody, "__iter__", counted)
    info = _send_commit(api, SPACE, ops, "Deploy", "", sim.repo(SPACE).head)
    ((body, length, chunked),) = handed
    assert isinstance(body, CommitBody) and length == str(body.length) and chunked is None
    assert sum(pieces) == body.length and max(pieces) < SEND + 4 * PIECE // 3, max(pieces)
    repo = sim.repo(SPACE)
    assert info.oid == repo.head and repo.files["t11.txt"].content == data


def test_small_files_lines_are_gathered_into_few_writes():
    """2,000 small files: a write per line would be 6,000 socket writes (115 ms on loopback where
    the library's joined body takes a few); gathered, one per `SEND` bytes."""
    ops = [_add(f"src/m{i:04d}.py", b"x = %d\n" % i * 40, "regular") for i in range(2000)]
    body = CommitBody(ops, "Deploy", "", None)
    writes = list(body)
    assert len(writes) <= body.length // SEND + 1, len(writes)
    assert all(len(w) >= SEND for w in writes[:-1])


@pytest.mark.parametrize("change", [b"grown\n", None])
def test_a_file_that_changes_size_before_it_is_sent_stops_the_commit(api, sim, tmp_path, change):
    """The body's length was counted from each file's size: a file that grows (or shrinks) before
    its line is read ends the request short of its end, with one error naming the file, and the
    Space keeps its head. The counts are the ones made when the operations were (the plan's)."""
    ops = []
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_bytes(b"hello\n")
        ops.append(_add(name, str(tmp_path / name), "regular"))
    for ask in _upload_mode_asks(api, SPACE, ops):
        ask()
    if change is None:
        (tmp_path / "b.txt").write_bytes(b"hi\n")
    else:
        with open(tmp_path / "b.txt", "ab") as fh:
            fh.write(change)
    body, out = CommitBody(ops, "Deploy", "", None), []
    with pytest.raises(ActionError):
        out.extend(body._pieces())  # the lines' pieces, before they are gathered into writes
    assert sum(map(len, out)) <= body.length  # never a byte past the declared length
    if change is not None:  # nothing of the grown file: its line stops before its content
        assert b"".join(out).endswith(b'{"key": "file", "value": {"content": "')
    head = sim.repo(SPACE).head
    with pytest.raises(ActionError) as caught:
        _send_commit(api, SPACE, ops, "Deploy", "", head)
    assert caught.value.title == "File changed during the deploy"
    assert "b.txt changed size while the commit was being sent" in str(caught.value)
    assert sim.repo(SPACE).head == head and "a.txt" not in sim.repo(SPACE).files


def test_a_streamed_line_is_what_the_hub_decodes(sim, api, tmp_path):
    """The base64 pieces join into the file: a 2-piece file round-trips through the Hub."""
    data = bytes(range(256)) * ((2 * PIECE) // 256 + 3)
    (tmp_path / "two.txt").write_bytes(data)
    op = _add("two.txt", str(tmp_path / "two.txt"), "regular")
    line = b"".join(CommitBody([op], "s", "", None)).split(b"\n")[1]
    assert base64.b64decode(json.loads(line)["value"]["content"]) == data
    _send_commit(api, SPACE, [op], "Deploy", "", sim.repo(SPACE).head)
    assert sim.repo(SPACE).files["two.txt"].content == data


def test_an_addition_without_its_upload_mode_is_a_bug_named_by_its_path():
    """The body needs each file's upload mode (the preupload's answer): without one it says which."""
    op = _add("model.bin", b"\0" * 10, "lfs")
    op._upload_mode = None
    with pytest.raises(ValueError, match=r"model\.bin: no upload mode"):
        CommitBody([op], "s", "", None)


def test_the_hubs_refusal_of_a_card_names_the_errors_its_answer_lists(api):
    """The Hub's 400 lists its errors in the body (hubsim: a front matter it cannot parse): they are
    the error's words, under the card's title."""
    from hf_action.hub.commit import _check_card

    card = _add("README.md", b"---\nsdk: [gradio\n---\n", "regular")
    with pytest.raises(ActionError) as caught:
        _check_card(api, card)
    assert caught.value.title == "Invalid Space card"
    assert "Invalid YAML in README.md" in str(caught.value), str(caught.value)


CARD = b"---\ntitle: Unit\nsdk: static\n---\n"
ASKED = ("POST /api/{type}s/{repo}/preupload/{rev}", "POST /api/validate-yaml")


def _in_flight(sim, hold: float) -> dict[str, int]:
    """The most preupload and validate-yaml requests the Hub had in flight at once, each held
    `hold` s (a round trip: requests in sequence would not overlap)."""
    import threading
    import time

    original, lock, state = sim.counters.request, threading.Lock(), {"now": 0, "most": 0}

    def request(key: str, client: str = "") -> None:
        original(key, client)
        if key not in ASKED:
            return
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(hold)
        with lock:
            state["now"] -= 1

    sim.counters.request = request
    return state


def test_a_new_spaces_additions_made_ahead_are_the_ones_committed(api, sim):
    """A new Space's additions, made and asked about while it is read (`AskedAhead`: 300 files, two
    preupload requests, the card's check; at most two in flight, and the caller not held while they
    are): the commit takes those very operations, so the upload asks the Hub nothing again, and the
    Space gets every file."""
    import time

    from hf_action.hub.commit import AT_ONCE, AskedAhead, commit_plan

    local = unit.files(README_md=CARD, index_html=b"<h1>hi</h1>\n")
    local.update(unit.files(**{f"m{i:03d}_txt": b"%d\n" % i for i in range(298)}))
    flight = _in_flight(sim, 0.5)
    started = time.monotonic()
    ahead = AskedAhead(api, SPACE, list(local.values()))
    assert time.monotonic() - started < 0.9  # not held: two rounds of requests take 1 s
    made = ahead.wait()
    assert flight["most"] == AT_ONCE == 2
    assert set(made) == set(local) and all(made[p][0] is f for p, f in local.items())
    assert ahead.card is local["README.md"]
    asked = [sim.counters.requests[k] for k in ASKED]
    assert asked == [2, 1]
    replan = unit.planner(api, sim, local)
    result = commit_plan(api, SPACE, replan(), replan, "Deploy", "", [].append, ahead)
    assert [sim.counters.requests[k] for k in ASKED] == asked  # nothing asked again
    repo = sim.repo(SPACE)
    assert result.committed and all(repo.files[p].content == f.content for p, f in local.items())


def test_once_the_hub_told_the_upload_modes_the_samples_are_dropped(api, sim, tmp_path):
    """Each file's first 512 bytes go with the question of its upload mode, and are never read
    again: dropped once answered (a 2,000-file deploy held 1 MiB of them to its end), the mode
    kept; a file asked about alone and one in a chunk of 256 alike."""
    ops = []
    for i in range(PREUPLOAD_FILES + 1):
        p = tmp_path / f"f{i}.txt"
        p.write_bytes(b"%d\n" % i * 300)
        ops.append(_add(f"f{i}.txt", str(p), None))
    assert all(len(op.upload_info.sample) == 512 for op in ops)
    for ask in _upload_mode_asks(api, SPACE, ops):
        ask()
    assert all(op._upload_mode == "regular" and op.upload_info.sample == b"" for op in ops)


def test_a_retried_commit_takes_the_additions_made_ahead_again(api, sim, monkeypatch):
    """A new Space's commit whose connection drops before the Hub applied it is planned and sent
    again; the additions made and asked about ahead, and uploaded by the first attempt, serve the
    retry too: nothing is asked, nor uploaded, again."""
    import hf_action.hub.commit as module
    from hf_action.hub.commit import AskedAhead, commit_plan

    monkeypatch.setattr(module.time, "sleep", lambda seconds: None)
    local = unit.files(README_md=CARD, index_html=b"<h1>hi</h1>\n", model_bin=b"\0" * 20_000)
    ahead = AskedAhead(api, SPACE, list(local.values()))
    ahead.wait()
    asked = [sim.counters.requests[k] for k in ASKED]
    sim.faults.add(method="POST", path=r"/commit/", drop=True)
    replan = unit.planner(api, sim, local)
    result = commit_plan(api, SPACE, replan(), replan, "Deploy", "", [].append, ahead)
    assert result.committed and sim.counters.requests["POST /api/{type}s/{repo}/commit/{rev}"] == 2
    assert [sim.counters.requests[k] for k in ASKED] == asked  # nothing asked again
    assert all(sim.repo(SPACE).files[p].content == f.content for p, f in local.items())


def test_additions_made_ahead_without_a_card_ask_for_no_check(api, sim):
    from hf_action.hub.commit import AskedAhead

    local = unit.files(index_html=b"<h1>hi</h1>\n")
    ahead = AskedAhead(api, SPACE, list(local.values()))
    assert set(ahead.wait()) == {"index.html"} and ahead.card is None
    assert [sim.counters.requests[k] for k in ASKED] == [1, 0]


def test_the_cards_check_is_in_flight_with_the_upload_modes(api, sim):
    """An existing Space whose card alone changes: two questions before the upload (the card's
    check, one preupload), sent together: the check is held until the preupload arrives (or 5 s);
    a commit follows."""
    import threading

    from hf_action.hub.commit import commit_plan

    local = unit.files(index_html=b"<h1>hi</h1>\n")
    unit.commit(api, sim, local, [])
    local["README.md"] = unit.LocalFile("README.md", None, len(CARD), content=CARD)
    replan = unit.planner(api, sim, local)
    assert [c.file.path for c in replan().add] == ["README.md"]
    arrived, seen = threading.Event(), []
    sim.faults.add("POST", r"/preupload/", before=arrived.set)
    sim.faults.add("POST", r"^/api/validate-yaml$", before=lambda: seen.append(arrived.wait(5)))
    result = commit_plan(api, SPACE, replan(), replan, "Deploy", "", [].append)
    assert seen == [True] and result.committed
    assert sim.repo(SPACE).files["README.md"].content == CARD


def test_a_file_the_hub_would_ignore_is_never_left_out_silently():
    """huggingface_hub leaves out of its body a file the Hub said to ignore (the Space's
    .gitignore); the action tells the Hub to ignore nothing, so such an answer is a bug, said."""
    op = _add("src/a.py", b"x\n", "regular")
    op._should_ignore = True
    with pytest.raises(ValueError, match=r"src/a\.py: the Hub would ignore a planned file"):
        CommitBody([op], "s", "", None)
