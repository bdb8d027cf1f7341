"""``--cleanup``: find the probe's leftovers by their name's shape and delete those only."""

from __future__ import annotations

from .record import Recorder
from .safety import PREFIX, is_scratch

LIST_LIMIT = 100
BUDGET = 1 + LIST_LIMIT


def cleanup(endpoint: str, token: str, owner: str) -> int:
    """Lists the owner's Spaces whose id contains the prefix, deletes those of the probe's exact
    name shape (nothing else, not even a Space a person named with the same prefix)."""
    rec = Recorder(endpoint, token, BUDGET)
    try:
        a = rec.call(
            "cleanup",
            "cleanup",
            "GET",
            "/api/spaces",
            params={"author": owner, "search": PREFIX, "limit": str(LIST_LIMIT)},
        )
        listed = a.json() if a.status == 200 else None
        if not isinstance(listed, list):
            print(f"probe: cannot list {owner}'s Spaces (HTTP {a.status})")
            return 1
        ids = [i.get("id", "") for i in listed if is_scratch(i.get("id", ""), owner)]
        print(f"probe: {len(ids)} leftover(s) in {owner}: {', '.join(ids) or 'none'}")
        failed = 0
        for repo_id in ids:
            namespace, name = repo_id.split("/")
            body = {"type": "space", "name": name, "organization": namespace}
            d = rec.call("cleanup", "cleanup", "DELETE", "/api/repos/delete", body=body)
            print(f"probe: delete {repo_id}: HTTP {d.status}")
            failed += d.status != 200
        return 1 if failed else 0
    finally:
        rec.close()
