"""Where the Hub is (the run's HF_ENDPOINT) and the URLs of a Space on it: no client needed."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

DEFAULT_ENDPOINT = "https://huggingface.co"


def hub_endpoint(env: Mapping[str, str]) -> str:
    """The run's Hub: its HF_ENDPOINT, trimmed as huggingface_hub trims it, or huggingface.co. The
    one reading of HF_ENDPOINT; every other module is handed this value."""
    return ((env.get("HF_ENDPOINT") or "").strip() or DEFAULT_ENDPOINT).rstrip("/")


def space_url(endpoint: str, space_id: str) -> str:
    """`endpoint` as `hub_endpoint` gives it (the client is made with that value): no slash to trim."""
    return f"{endpoint}/spaces/{space_id}"


#: The production app host of a Space: `https://<subdomain>.hf.space`.
APP_DOMAIN = "hf.space"
_DEFAULT_PORTS = {"https": 443, "http": 80}


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of an http(s) URL without user info; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    return parts.scheme, parts.hostname, port


def own_app_host(app_url: str, subdomain: str | None, endpoint: str) -> bool:
    """May the Space's token go to `app_url`? Only when it is the Space's own app host:
    `https://<subdomain>.hf.space` (the subdomain the Space's info names), or a URL on the Hub's own
    origin (scheme, host and port of `endpoint`: a mirror or hubsim that serves the apps itself,
    which already holds the token)."""
    origin = _origin(app_url)
    if origin is None:
        return False
    if subdomain and origin == ("https", f"{subdomain}.{APP_DOMAIN}".lower(), 443):
        return True
    return origin == _origin(endpoint)
