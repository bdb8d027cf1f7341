"""The two baselines, run as scripts under probe.py so their reads and memory are their own.

    python bench/baselines.py perfile|folder FOLDER SPACE      (HF_ENDPOINT, HF_TOKEN from the env)

perfile: what simple deployers do: one `upload_file` call, hence one commit, per local file; files that
    are gone locally are removed with one `delete_file` (one commit) each, after listing the Space.
folder: what the official sync action does: one `upload_folder(..., delete_patterns="*")`.
Both create the Space first (`create_repo(exist_ok=True)`), as the action does.
"""

import os
import sys


def local_files(folder: str) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for name in sorted(filenames):
            out.append(os.path.relpath(os.path.join(dirpath, name), folder).replace(os.sep, "/"))
    return out


def main() -> int:
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    from huggingface_hub import HfApi

    kind, folder, space = sys.argv[1], sys.argv[2], sys.argv[3]
    api = HfApi(endpoint=os.environ["HF_ENDPOINT"], token=os.environ["HF_TOKEN"])
    api.create_repo(space, repo_type="space", space_sdk="gradio", exist_ok=True)
    if kind == "folder":
        api.upload_folder(
            repo_id=space, repo_type="space", folder_path=folder, delete_patterns="*",
            commit_message="Sync with upload_folder",
        )  # fmt: skip
        return 0
    files = local_files(folder)
    for rel in files:
        api.upload_file(
            path_or_fileobj=os.path.join(folder, rel), path_in_repo=rel, repo_id=space,
            repo_type="space", commit_message=f"Upload {rel}",
        )  # fmt: skip
    gone = set(api.list_repo_files(space, repo_type="space")) - set(files) - {".gitattributes"}
    for rel in sorted(gone):
        api.delete_file(rel, repo_id=space, repo_type="space", commit_message=f"Delete {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
