"""The deploy's requests around its streamed commit, run as the runner runs the action: the commit
sent again whole on a retry, the card's check beside the upload modes, a new Space's upload modes
asked while it is read, and the Hub's refusal of the card before any upload."""

from __future__ import annotations

import hashlib
import threading

from tests.conftest import TOKEN, both_lanes, copy_example, hub_writes


@both_lanes
def test_a_commit_answered_503_is_sent_again_whole(action, hub):
    """The transport retries the commit (parentCommit makes a replay safe): the streamed body
    starts again from its first line, and the Space gets every file intact, the binary's line
    (an LFS or Xet file, by its sha256) with the small files'."""
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "notes.txt").write_bytes(b"n" * 100_000)
    weights = bytes(range(256)) * 4096
    (action.workspace / "weights.bin").write_bytes(weights)
    hub.faults.add("POST", r"^/api/spaces/user/again/commit/main$", status=503)
    result = action.run({"space": "user/again", "hf-token": TOKEN, "wait": "false"}).assert_ok()
    assert "Hub HTTP 503 on POST /api/spaces/user/again/commit/main; retry 1/" in result.stdout
    repo = hub.repo("user/again")
    assert repo.files["notes.txt"].content == b"n" * 100_000
    assert repo.files["weights.bin"].lfs_sha256 == hashlib.sha256(weights).hexdigest()
    assert repo.files["app.py"].content == (action.workspace / "app.py").read_bytes()
    assert hub.counters.commits == 1


def _held_until(hub, method: str, path: str, held: str) -> list[bool]:
    """`held` (a path pattern) waits up to 5 s for a `method` `path` request to arrive: True in the
    list when it did, so the two were in flight together."""
    arrived, seen = threading.Event(), []
    hub.faults.add(method, path, before=arrived.set, times=50)
    hub.faults.add(None, held, before=lambda: seen.append(arrived.wait(5)))
    return seen


@both_lanes
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


@both_lanes
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


@both_lanes
def test_the_hubs_refusal_of_the_card_stops_the_deploy_before_any_upload(action, hub):
    """A card our check lets through and the Hub refuses (validate-yaml's 400): one error, with the
    Hub's words in it, and nothing written but the Space's creation and the questions asked before
    the upload: no LFS or Xet upload, no commit."""
    copy_example("gradio-hello", action.workspace)
    (action.workspace / "weights.bin").write_bytes(bytes(range(256)) * 4096)
    hub.faults.add("POST", r"^/api/validate-yaml$", status=400, message="colorFrom must be a color")
    result = action.run({"space": "user/refused", "hf-token": TOKEN, "wait": "false"})
    assert result.returncode == 1 and len(result.errors) == 1, result.stdout
    assert "title=Invalid Space card" in result.errors[0]
    assert "The Hub refused the Space card's front matter (README.md)" in result.errors[0]
    assert "The Hub said: colorFrom must be a color" in result.errors[0]
    asked = {"POST /api/repos/create", "POST /api/validate-yaml",
             "POST /api/{type}s/{repo}/preupload/{rev}"}  # fmt: skip
    assert set(hub_writes(hub)) <= asked, hub_writes(hub)
    assert hub.counters.commits == 0 and hub.counters.snapshot().get("cas_xorb_bytes", 0) == 0
