"""The floor of a no-op deploy: what any deployer pays before it can say "nothing changed".

    HF_ENDPOINT=... HF_TOKEN=... python bench/floor.py SPACE FOLDER

Imports huggingface_hub, makes the two requests any deployer needs (who the token is; the Space's
info with its files' blob ids) and stats every file of FOLDER (.git left out). Nothing is read or
hashed: git-vouched files would not be, and a deployer that hashes is above this floor.
"""

import os
import sys

from huggingface_hub import HfApi


def main(space: str, folder: str) -> None:
    api = HfApi()
    api.whoami()
    api.space_info(space, files_metadata=True)  # the files with their blob ids, to compare
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            os.stat(os.path.join(dirpath, name))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
