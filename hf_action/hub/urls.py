"""Where the Hub is (the run's HF_ENDPOINT) and the URLs of a Space on it: no client needed."""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_ENDPOINT = "https://huggingface.co"


def hub_endpoint(env: Mapping[str, str]) -> str:
    """The run's Hub: its HF_ENDPOINT, trimmed as huggingface_hub trims it, or huggingface.co. The
    one reading of HF_ENDPOINT; every other module is handed this value."""
    return ((env.get("HF_ENDPOINT") or "").strip() or DEFAULT_ENDPOINT).rstrip("/")


def space_url(endpoint: str, space_id: str) -> str:
    """`endpoint` as `hub_endpoint` gives it (the client is made with that value): no slash to trim."""
    return f"{endpoint}/spaces/{space_id}"
