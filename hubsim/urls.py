"""The URL table: every route module's own table, joined here and nowhere else.

A route module exports ``URLS`` (method, template, handler) and registers nothing; the server
compiles this table when it starts. The first template that matches a path wins, so the order
below is the order of matching.
"""

from __future__ import annotations

from . import apps, routes_commit, routes_lfs, routes_oauth, routes_repo, routes_space, routes_xet
from .web import Url

URLS: tuple[Url, ...] = (
    *apps.URLS,
    *routes_commit.URLS,
    *routes_lfs.URLS,
    *routes_oauth.URLS,
    *routes_repo.URLS,
    *routes_space.URLS,
    *routes_xet.URLS,
)
