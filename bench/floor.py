"""The floor of a no-op deploy: what any deployer pays before it can say "nothing changed".

    HF_ENDPOINT=... HF_TOKEN=... python bench/floor.py SPACE FOLDER [--gc-held]

Imports huggingface_hub, makes the two requests any deployer needs (who the token is; the Space's
info with its files' blob ids) and stats every file of FOLDER (.git left out). Nothing is read or
hashed: git-vouched files would not be, and a deployer that hashes is above this floor.

`--gc-held`: garbage collection held as the action's entrypoint holds it (off while huggingface_hub
loads, its objects frozen after, frozen again at exit), so that the action's own work can be told
apart from what both save on the interpreter's collections.
"""

import gc
import os
import sys


def main(space: str, folder: str, gc_held: bool) -> None:
    if gc_held:
        gc.disable()
    from huggingface_hub import HfApi

    api = HfApi()
    api.whoami()
    if gc_held:  # where the action's start-up ends too: its client made, the token checked
        gc.freeze()
        gc.enable()
    api.space_info(space, files_metadata=True)  # the files with their blob ids, to compare
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            os.stat(os.path.join(dirpath, name))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], "--gc-held" in sys.argv[3:])
    if "--gc-held" in sys.argv[3:]:
        gc.freeze()
