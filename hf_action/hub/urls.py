"""Where the Hub is (HF_ENDPOINT, read at call time) and the URLs of a Space on it: no client needed."""

from __future__ import annotations

import os


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def space_url(space_id: str) -> str:
    return f"{endpoint()}/spaces/{space_id}"
