"""The plan's comparisons, one rule at a time: what counts as unchanged, what is read, what is refused.

Fast and in-process (the mutation run uses them). A file that must not be read is given a path that
does not exist: reading it would raise."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from hf_action.errors import ActionError
from hf_action.local.files import LocalFile
from hf_action.plan import (
    Change,
    ChangeKind,
    Plan,
    RemoteFile,
    blob_sha1,
    content_sha256,
    make_plan,
)

MIN_SIZE = 10 << 20  # blobmap.MIN_SIZE: files this large get their two ids recorded
UNREADABLE = "/nonexistent/hf-deploy-test/never-read"


def git_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def on_disk(tmp_path: Path, name: str, data: bytes, *, git: bool = False) -> LocalFile:
    path = tmp_path / name
    path.write_bytes(data)
    return LocalFile(name, str(path), len(data), git_oid(data) if git else None)


def unreadable(name: str, size: int, oid: str | None) -> LocalFile:
    return LocalFile(name, UNREADABLE, size, oid)


def regular(name: str, data: bytes) -> RemoteFile:
    return RemoteFile(name, git_oid(data), len(data))


def lfs(name: str, data: bytes) -> RemoteFile:
    pointer = pointer_of(data)
    return RemoteFile(name, git_oid(pointer), len(data), sha256(data))


def pointer_of(data: bytes) -> bytes:
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256(data)}\nsize {len(data)}\n"
    ).encode()


def plan(local, remote, **kw) -> Plan:
    kw.setdefault("delete_removed", True)
    return make_plan({f.path: f for f in local}, {r.path: r for r in remote}, "h" * 40, **kw)


def kinds(p: Plan) -> dict[str, str]:
    return {c.file.path: c.kind for c in p.add}


def never(*_a):
    raise AssertionError("the blob map was fetched although no comparison needed it")


# --- regular (non-LFS) files ------------------------------------------------------------------------


def test_a_file_git_vouches_for_is_matched_by_blob_id_without_being_read():
    data = b"print('hi')\n"
    p = plan(
        [unreadable("app.py", len(data), git_oid(data))], [regular("app.py", data)], blob_map=never
    )
    assert p.empty and p.unchanged == 1 and p.hashed_bytes == 0 and p.head == "h" * 40


def test_a_different_size_is_a_change_without_reading():
    # Files over 1 KiB cannot be pointers: nothing is opened.
    p = plan([unreadable("app.py", 5000, None)], [RemoteFile("app.py", "r" * 40, 4000)])
    assert kinds(p) == {"app.py": "changed"} and p.hashed_bytes == 0


def test_same_size_is_hashed_as_git_does(tmp_path):
    same = on_disk(tmp_path, "same.txt", b"abc\n")
    other = on_disk(tmp_path, "other.txt", b"xyz\n")
    p = plan([same, other], [regular("same.txt", b"abc\n"), regular("other.txt", b"abc\n")])
    assert kinds(p) == {"other.txt": "changed"} and p.unchanged == 1 and p.hashed_bytes == 8


def test_a_stale_git_oid_falls_back_to_the_content(tmp_path):
    f = on_disk(tmp_path, "a.txt", b"new!\n")
    f.git_oid = git_oid(b"old!\n")  # git's idea differs from the Space's: compare the bytes
    p = plan([f], [regular("a.txt", b"new!\n")])
    assert p.unchanged == 1 and p.hashed_bytes == 5


def test_new_files_and_their_kind(tmp_path):
    p = plan([on_disk(tmp_path, "new.txt", b"n")], [])
    assert [(c.file.path, c.kind) for c in p.add] == [("new.txt", "new")]
    assert p.upload_bytes == 1 and not p.empty


# --- LFS files on the Space -------------------------------------------------------------------------


def test_lfs_content_with_another_size_is_changed_without_reading():
    p = plan([unreadable("m.bin", 3000, None)], [RemoteFile("m.bin", "p" * 40, 4000, "s" * 64)])
    assert kinds(p) == {"m.bin": "changed"} and p.hashed_bytes == 0


def test_lfs_content_is_compared_by_sha256(tmp_path):
    same = on_disk(tmp_path, "a.bin", b"\0same")
    other = on_disk(tmp_path, "b.bin", b"\0diff")
    p = plan([same, other], [lfs("a.bin", b"\0same"), lfs("b.bin", b"\0same")])
    assert kinds(p) == {"b.bin": "changed"} and p.hashed_bytes == 10


def test_a_large_tracked_file_records_both_ids_after_hashing(tmp_path):
    data = b"\0" * MIN_SIZE
    f = on_disk(tmp_path, "big.bin", data, git=True)
    p = plan([f], [lfs("big.bin", data)])
    assert p.unchanged == 1 and p.blob_ids == {"big.bin": (git_oid(data), sha256(data))}


def test_a_small_or_untracked_file_records_no_ids(tmp_path):
    small = on_disk(tmp_path, "s.bin", b"\0" * (MIN_SIZE - 1), git=True)
    untracked = on_disk(tmp_path, "u.bin", b"\1" * MIN_SIZE)
    p = plan(
        [small, untracked], [lfs("s.bin", b"\0" * (MIN_SIZE - 1)), lfs("u.bin", b"\1" * MIN_SIZE)]
    )
    assert p.unchanged == 2 and p.blob_ids == {}


def test_the_blob_map_matches_a_tracked_lfs_file_without_reading_it():
    data_sha, oid = sha256(b"x"), "a" * 40
    remote = RemoteFile("w.bin", "p" * 40, MIN_SIZE, data_sha)
    calls = []

    def blob_map():
        calls.append(1)
        return {"w.bin": (oid, data_sha), "v.bin": (oid, data_sha)}

    p = plan(
        [unreadable("w.bin", MIN_SIZE, oid), unreadable("v.bin", MIN_SIZE, oid)],
        [remote, RemoteFile("v.bin", "p" * 40, MIN_SIZE, data_sha)],
        blob_map=blob_map,
    )
    assert p.unchanged == 2 and p.hashed_bytes == 0 and calls == [1]  # fetched once for both
    assert p.blob_ids == {"w.bin": (oid, data_sha), "v.bin": (oid, data_sha)}


def test_the_blob_map_says_changed_when_git_has_another_blob():
    data_sha = sha256(b"x")
    p = plan(
        [unreadable("w.bin", MIN_SIZE, "b" * 40)],
        [RemoteFile("w.bin", "p" * 40, MIN_SIZE, data_sha)],
        blob_map=lambda: {"w.bin": ("a" * 40, data_sha)},
    )
    assert kinds(p) == {"w.bin": "changed"} and p.hashed_bytes == 0 and p.blob_ids == {}


def test_a_blob_map_entry_for_other_content_is_not_trusted(tmp_path):
    data = b"\0content"
    f = on_disk(tmp_path, "w.bin", data, git=True)
    p = plan([f], [lfs("w.bin", data)], blob_map=lambda: {"w.bin": (f.git_oid, "0" * 64)})
    assert p.unchanged == 1 and p.hashed_bytes == len(data)


def test_a_tracked_file_below_the_map_threshold_never_asks_for_the_blob_map(tmp_path):
    """The map holds only files of MIN_SIZE or more: a no-op with smaller LFS files makes no request
    for it (hashing them costs less than the request)."""
    data = b"\0" * (MIN_SIZE - 1)
    f = on_disk(tmp_path, "w.bin", data, git=True)
    p = plan([f], [lfs("w.bin", data)], blob_map=never)
    assert p.unchanged == 1 and p.hashed_bytes == len(data)


def test_an_untracked_file_never_asks_for_the_blob_map(tmp_path):
    f = on_disk(tmp_path, "w.bin", b"\0c")
    assert plan([f], [lfs("w.bin", b"\0c")], blob_map=never).unchanged == 1


# --- Git LFS pointers in the workspace --------------------------------------------------------------


def test_a_pointer_to_content_the_space_has_is_unchanged(tmp_path):
    model = b"\0model weights"
    f = on_disk(tmp_path, "m.bin", pointer_of(model))
    p = plan([f], [lfs("m.bin", model)])
    assert p.empty and p.unchanged == 1


@pytest.mark.parametrize("remote", ["other-lfs", "regular", "absent"])
def test_a_pointer_to_content_the_space_lacks_is_refused(tmp_path, remote):
    f = on_disk(tmp_path, "m.bin", pointer_of(b"\0new model"))
    theirs = {
        "other-lfs": [lfs("m.bin", b"\0old model")],
        "regular": [regular("m.bin", b"real content")],
        "absent": [],
    }[remote]
    with pytest.raises(ActionError) as err:
        plan([f], theirs)
    assert "'m.bin' is a Git LFS pointer" in err.value.message
    assert err.value.hint.startswith(
        "Check out with LFS content: in actions/checkout set 'lfs: true'"
    )
    assert err.value.title == "Git LFS pointer in the workspace"


def test_a_pointer_committed_as_such_to_the_space_is_matched_by_blob_id(tmp_path):
    pointer = pointer_of(b"\0m")
    f = on_disk(tmp_path, "m.bin", pointer, git=True)
    assert plan([f], [regular("m.bin", pointer)]).unchanged == 1


def test_text_that_only_resembles_a_pointer_is_content(tmp_path):
    text = pointer_of(b"x").replace(b"version", b"Version")
    f = on_disk(tmp_path, "notes.txt", text)
    assert kinds(plan([f], [])) == {"notes.txt": "new"}


# --- deletions --------------------------------------------------------------------------------------


def test_deletions_and_what_is_kept(tmp_path):
    remote = [regular(n, b"x") for n in ("gone.txt", ".gitattributes", "data/keep.csv", "a.txt")]
    local = [on_disk(tmp_path, "a.txt", b"x")]
    p = plan(local, remote, protected=lambda path: path.startswith("data/"))
    assert p.delete == ["gone.txt"] and p.kept == [".gitattributes", "data/keep.csv"]
    assert not p.empty and p.upload_bytes == 0


def test_nothing_is_deleted_when_delete_removed_is_off():
    p = plan([], [regular("gone.txt", b"x")], delete_removed=False)
    assert p.delete == [] and p.kept == ["gone.txt"] and p.empty


# --- hashing ----------------------------------------------------------------------------------------


def test_hashes_of_generated_and_on_disk_content(tmp_path):
    data = b"x" * (3 << 20)  # several read chunks
    f = on_disk(tmp_path, "f", data)
    card = LocalFile("README.md", None, len(data), content=data)
    assert blob_sha1(f) == blob_sha1(card) == git_oid(data)
    assert content_sha256(f) == content_sha256(card) == sha256(data)


def test_a_generated_file_is_compared_by_its_content():
    card = b"---\nsdk: gradio\n---\n"
    f = LocalFile("README.md", None, len(card), content=card)
    assert plan([f], [regular("README.md", card)]).unchanged == 1
    assert Change(f, ChangeKind.NEW).kind == "new"


def test_plan_restore_copies_what_differs_and_deletes_what_the_revision_lacks():
    from hf_action.plan import RemoteFile, Restore, plan_restore

    same = RemoteFile("same.txt", "a" * 40, 3)
    head = {
        "same.txt": same,
        "app.py": RemoteFile("app.py", "b" * 40, 10),
        "model.bin": RemoteFile("model.bin", "c" * 40, 5000, "1" * 64),
        "new.txt": RemoteFile("new.txt", "d" * 40, 2),
    }
    app_then = RemoteFile("app.py", "e" * 40, 12)
    model_then = RemoteFile("model.bin", "f" * 40, 4000, "2" * 64)
    gone = RemoteFile("notes.txt", "0" * 40, 7)
    then = {"same.txt": same, "app.py": app_then, "model.bin": model_then, "notes.txt": gone}
    restore = plan_restore(head, then, "h" * 40)
    assert restore == Restore(
        "h" * 40, (app_then, model_then, gone), ("new.txt",), 1, ("notes.txt",)
    )
    assert restore.resend_bytes == 12 + 7  # the LFS file is copied by reference
    assert not restore.empty
    assert plan_restore(then, then, "x").empty and plan_restore(then, then, "x").unchanged == 4
