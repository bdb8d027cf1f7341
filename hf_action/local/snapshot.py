"""The local side of a deploy: the files to publish, with the Space card merged in. No network here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hf_action.errors import InputError
from hf_action.excludes import excludes
from hf_action.inputs import Inputs
from hf_action.local import streamlit
from hf_action.local.card import FrontMatter, detect_sdk, merge_card, parse_card, read_text_card
from hf_action.local.files import LocalFile, SkipKind, Skipped, scan
from hf_action.local.gitindex import known_blob_ids


@dataclass
class Snapshot:
    files: dict[str, LocalFile]
    skipped: list[Skipped]
    sdk: str
    card_source: str  # where README.md came from, for the log
    warnings: list[str]
    notes: list[str] = field(default_factory=list)  # printed with the plan
    entry: str = "app.py"  # the file the Hub needs to run an app of `sdk` (see `sdk_entry`)

    def protected(self, patterns: tuple[str, ...]) -> Callable[[str], bool]:
        """Remote paths that were excluded, or that we could not read, are left alone rather than deleted."""
        rules = excludes(patterns)
        unread = tuple(
            s.path for s in self.skipped if s.kind in (SkipKind.UNREADABLE, SkipKind.FOLDER_LINK)
        )
        return lambda path: (
            rules.covers(path, False) or any(path == p or path.startswith(p + "/") for p in unread)
        )


#: What is on disk to publish: the files by Space path, and what was left out (`read_files`).
FoundFiles = tuple[dict[str, LocalFile], list[Skipped]]


def take_snapshot(inputs: Inputs, space_name: str, found: FoundFiles) -> Snapshot:
    """The files to publish, README.md's card merged with the inputs, and what may go wrong with them."""
    files, skipped = found
    text, source = _card_text(inputs, files)
    front = parse_card(text, source).front_matter if text is not None else {}
    app_file = inputs.app_file or front.get("app_file")
    sdk = inputs.sdk or front.get("sdk") or detect_sdk(inputs.path, app_file)
    if not sdk:
        raise InputError(
            "sdk",
            "was not given, the README has no 'sdk' key, and no app was recognised in the folder.",
            "Set sdk: gradio, streamlit, docker or static.",
        )
    wanted: FrontMatter = {"sdk": sdk}
    notes, warnings = [], []
    if sdk == "streamlit":  # the Hub runs Streamlit as a Docker Space now: see local/streamlit.py
        extra, note, missing = streamlit.as_docker(
            files, front, app_file=app_file, app_port=inputs.app_port, version=inputs.sdk_version
        )
        sdk = extra["sdk"]
        wanted.update(extra)
        notes.append(note)
        warnings += [missing] if missing else []
    if inputs.app_port is not None:
        wanted["app_port"] = inputs.app_port
    if inputs.app_file is not None:
        wanted["app_file"] = inputs.app_file
    if inputs.sdk_version is not None:
        wanted["sdk_version"] = inputs.sdk_version
    merged = merge_card(text, wanted, title=space_name, source=source)
    if inputs.card is not None or source != "README.md" or merged != text:
        data = merged.encode("utf-8")
        files["README.md"] = LocalFile("README.md", None, len(data), content=data)
    entry = sdk_entry(sdk, app_file)
    return Snapshot(dict(sorted(files.items())), skipped, sdk, source, warnings, notes, entry)


def read_files(inputs: Inputs) -> FoundFiles:
    """The folder's files (the `card` input left out: it becomes README.md), with the blob ids git
    vouches for; an empty folder is an input error. Needs the inputs alone: a deploy reads them while
    it connects to the Hub (`app.action`)."""
    root = inputs.path
    card_rel = None
    if inputs.card is not None and (inputs.card == root or root in inputs.card.parents):
        card_rel = inputs.card.relative_to(root).as_posix()
    files, skipped = scan(root, inputs.workspace, inputs.exclude)
    if card_rel is not None:
        files.pop(card_rel, None)
    if not files:
        raise InputError(
            "path",
            f"'{_rel(inputs)}' has no files to deploy.",
            "Point 'path' at the folder with your app, and check 'exclude'.",
        )
    # Only what the walk found as a regular file may be vouched for (a followed symlink has no stat).
    stats = {rel: file.stat for rel, file in files.items() if file.stat is not None}
    for rel, oid in known_blob_ids(root, stats).items():
        files[rel].git_oid = oid
    for file in files.values():
        file.stat = None
    return files, skipped


def _card_text(inputs: Inputs, files: dict[str, LocalFile]) -> tuple[str | None, str]:
    """The card to start from: the `card` input, else the folder's README.md, else none."""
    source_path: Path | None = None
    if inputs.card is not None:
        source_path, source = inputs.card, inputs.card.relative_to(inputs.workspace).as_posix()
    elif "README.md" in files:
        readme = files["README.md"].abs_path
        source_path, source = (Path(readme) if readme else None), "README.md"
    if source_path is None:
        return None, "generated"
    return read_text_card(source_path, source), source


def sdk_entry(sdk: str, app_file: str | None) -> str:
    """The file without which the Hub answers NO_APP_FILE: the Dockerfile of a Docker Space, the
    app file of the others (default app.py; index.html for a static Space)."""
    if sdk == "docker":
        return "Dockerfile"
    return app_file or ("index.html" if sdk == "static" else "app.py")


def _rel(inputs: Inputs) -> str:
    return (
        inputs.path.relative_to(inputs.workspace).as_posix()
        if inputs.path != inputs.workspace
        else "."
    )
