"""The commit request's body, streamed (hub/commit_body.py): the bytes huggingface_hub would send,
line for line, one file in memory at a time, sent again whole on a retry, and stopped (nothing
committed) when a file changes size under it. With the deploy's requests before the upload: the
card's check beside the upload modes, a new Space's upload modes asked while it is read."""

from __future__ import annotations

import base64
import json
import threading

import pytest

from hf_action.errors import ActionError
from hf_action.hub.commit import _send_commit, _upload_mode_asks
from hf_action.hub.commit_body import PIECE, SEND, CommitBody
from hubsim import HubSim
from tests.conftest import TOKEN, copy_example, hub_writes

SPACE = "user/stream"


@pytest.fixture
def sim():
    hub = HubSim(user="user", tokens={TOKEN: "write"})
    hub.start()
    hub.create_repo(SPACE, sdk="static")
    yield hub
    hub.stop()


@pytest.fixture
def api(sim):
    from huggingface_hub import HfApi

    return HfApi(endpoint=sim.url, token=TOKEN)


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


def test_a_commit_answered_503_is_sent_again_whole(action, hub):
    """The transport retries the commit (parentCommit makes a replay safe): the streamed body
    starts again from its first line, and the Space gets every file intact."""
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "notes.txt").write_bytes(b"n" * 100_000)
    hub.faults.add("POST", r"^/api/spaces/user/again/commit/main$", status=503)
    result = action.run({"space": "user/again", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert "Hub HTTP 503 on POST /api/spaces/user/again/commit/main; retry 1/" in result.stdout
    repo = hub.repo("user/again")
    assert repo.files["notes.txt"].content == b"n" * 100_000
    assert repo.files["app.py"].content == (action.workspace / "app.py").read_bytes()
    assert hub.counters.commits == 1


def _held_until(hub, method: str, path: str, held: str) -> list[bool]:
    """`held` (a path pattern) waits up to 5 s for a `method` `path` request to arrive: True in the
    list when it did, so the two were in flight together."""
    arrived, seen = threading.Event(), []
    hub.faults.add(method, path, before=arrived.set, times=50)
    hub.faults.add(None, held, before=lambda: seen.append(arrived.wait(5)))
    return seen


def test_the_cards_check_goes_out_with_the_upload_modes(action, hub):
    """An existing Space whose card changes: the Hub's check of README.md waits for no round trip
    of its own (held until the preupload arrives, or 5 s)."""
    copy_example("gradio-hello", action.workspace)
    action.run({"space": "user/card", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    readme = action.workspace / "README.md"
    readme.write_text(readme.read_text() + "\nMore words.\n")
    seen = _held_until(
        hub, "POST", r"^/api/spaces/user/card/preupload/main$", r"^/api/validate-yaml$"
    )
    action.run({"space": "user/card", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert seen == [True]


def test_a_new_spaces_upload_modes_are_asked_while_it_is_read(action, hub):
    """Created, the Space is read once for its head (the commit's parentCommit): its files' upload
    modes and the card's check go out meanwhile (the read held until both arrive, or 5 s)."""
    copy_example("gradio-hello", action.workspace)
    modes, card, seen = threading.Event(), threading.Event(), []
    created = threading.Event()
    hub.faults.add("POST", r"^/api/repos/create$", before=created.set)
    hub.faults.add("POST", r"^/api/spaces/user/fresh/preupload/main$", before=modes.set)
    hub.faults.add("POST", r"^/api/validate-yaml$", before=card.set)

    def read() -> None:
        if created.is_set():  # the read once created, not the one before
            seen.append(modes.wait(5) and card.wait(5))

    hub.faults.add("GET", r"^/api/spaces/user/fresh$", before=read, times=2)
    action.run({"space": "user/fresh", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert seen == [True]
    assert hub.counters.requests["POST /api/{type}s/{repo}/preupload/{rev}"] == 1
    assert hub.counters.requests["POST /api/validate-yaml"] == 1  # not asked again at the upload


def test_the_hubs_refusal_of_the_card_stops_the_deploy_before_any_upload(action, hub):
    """A card our check lets through and the Hub refuses (validate-yaml's 400): one error, the
    Hub's words in it, nothing uploaded to the Xet store and nothing committed."""
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "weights.bin").write_bytes(bytes(range(256)) * 4096)
    hub.faults.add("POST", r"^/api/validate-yaml$", status=400, message="colorFrom must be a color")
    result = action.run({"space": "user/refused", "hf-token": TOKEN, "wait": "false"})
    assert result.returncode == 1 and len(result.errors) == 1, result.stdout
    assert "title=Invalid Space card" in result.errors[0]
    assert "The Hub refused the Space card's front matter (README.md)" in result.errors[0]
    assert hub.counters.commits == 0
    assert hub.counters.snapshot().get("cas_xorb_bytes", 0) == 0
    assert all("commit" not in w for w in hub_writes(hub))


def test_a_streamed_line_is_what_the_hub_decodes(sim, api, tmp_path):
    """The base64 pieces join into the file: a 2-piece file round-trips through the Hub."""
    data = bytes(range(256)) * ((2 * PIECE) // 256 + 3)
    (tmp_path / "two.txt").write_bytes(data)
    op = _add("two.txt", str(tmp_path / "two.txt"), "regular")
    line = b"".join(CommitBody([op], "s", "", None)).split(b"\n")[1]
    assert base64.b64decode(json.loads(line)["value"]["content"]) == data
    _send_commit(api, SPACE, [op], "Deploy", "", sim.repo(SPACE).head)
    assert sim.repo(SPACE).files["two.txt"].content == data
