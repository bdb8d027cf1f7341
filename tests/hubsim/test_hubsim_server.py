"""Server plumbing: pagination, tokens, quotas, counters, fast start/stop without leaked threads."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from hubsim import HubSim


def _get(url, token="hf_write_token"):  # noqa: S107
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_tree_and_commits_paginate_with_link_header(sim, api):
    sim.settings.page_size = 2
    api.create_repo("user/many", repo_type="space", space_sdk="static")
    for i in range(3):
        api.upload_file(
            path_or_fileobj=f"{i}".encode(),
            path_in_repo=f"d/f{i}.txt",
            repo_id="user/many",
            repo_type="space",
        )
    status, headers, body = _get(f"{sim.url}/api/spaces/user/many/tree/main?recursive=true")
    assert status == 200 and len(json.loads(body)) == 2
    assert (
        headers["Link"].startswith(f"<{sim.url}/api/spaces/user/many/tree/main?")
        and 'rel="next"' in headers["Link"]
    )
    files = api.list_repo_files("user/many", repo_type="space")
    assert sorted(files) == [
        ".gitattributes",
        "README.md",
        "d/f0.txt",
        "d/f1.txt",
        "d/f2.txt",
        "index.html",
    ]
    assert (
        sim.counters.requests["GET /api/{type}s/{repo}/tree/{rev}"] == 1 + 4
    )  # 7 entries incl. "d"
    sub = api.list_repo_tree("user/many", "d", repo_type="space")
    assert [e.path for e in sub] == ["d/f0.txt", "d/f1.txt", "d/f2.txt"]
    assert len(api.list_repo_commits("user/many", repo_type="space")) == 4


def test_read_only_and_unknown_tokens(sim, read_api):
    sim.create_repo("user/ro", sdk="gradio")
    assert read_api.whoami()["auth"]["accessToken"]["role"] == "read"
    assert read_api.space_info("user/ro").id == "user/ro"  # reads are fine
    with pytest.raises(HfHubHTTPError) as err:
        read_api.create_repo("user/new", repo_type="space", space_sdk="gradio")
    assert err.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as err:
        read_api.add_space_secret("user/ro", "K", "v")
    assert err.value.response.status_code == 403 and "K" not in sim.repo("user/ro").secrets
    status, headers, body = _get(f"{sim.url}/api/whoami-v2", token="hf_nope")
    assert status == 401 and json.loads(body) == {
        "error": "Invalid credentials in Authorization header"
    }
    assert (
        headers["X-Error-Message"] == "Invalid credentials in Authorization header"
        and headers["X-Request-Id"]
    )


def test_org_roles_rate_limit_and_taken_names(sim, api):
    sim.add_org("acme", members={"user": "write"})
    sim.add_org("other", members={"user": "read"})
    api.create_repo("acme/tool", repo_type="space", space_sdk="gradio")
    assert sim.repo("acme/tool") is not None
    sim.create_repo("other/x", sdk="gradio")
    with pytest.raises(HfHubHTTPError) as err:  # a reader of the org may not write to its Space
        api.upload_file(
            path_or_fileobj=b"x", path_in_repo="x", repo_id="other/x", repo_type="space"
        )
    assert err.value.response.status_code == 403
    sim.take_name("acme/taken")
    with pytest.raises(HfHubHTTPError) as err:
        api.create_repo("acme/taken", repo_type="space", space_sdk="gradio")
    assert err.value.response.status_code == 409
    sim.set_quota(space_creations=1, retry_after=30)
    api.create_repo("user/one", repo_type="space", space_sdk="gradio")
    with pytest.raises(HfHubHTTPError) as err:
        api.create_repo("user/two", repo_type="space", space_sdk="gradio")
    resp = err.value.response
    assert (
        resp.status_code == 429
        and resp.headers["Retry-After"] == "30"
        and "r=0" in resp.headers["RateLimit"]
    )


def test_counters_and_reset(sim, api):
    api.create_repo("user/c", repo_type="space", space_sdk="gradio")
    api.upload_file(
        path_or_fileobj=b"a" * 1000, path_in_repo="a.txt", repo_id="user/c", repo_type="space"
    )
    c = sim.counters
    assert c.requests["POST /api/repos/create"] == 1 and c.commits == 1 and c.builds == 1
    assert c.bytes_received > 1000
    api.get_space_runtime("user/c")
    assert c.requests["GET /api/spaces/{repo}/runtime"] == 1
    c.reset()
    assert c.commits == 0 and not c.requests and c.bytes_received == 0


def test_start_stop_is_fast_and_leaks_no_threads():
    before = threading.active_count()
    for _ in range(5):
        t0 = time.monotonic()
        sim = HubSim(tokens={"t": "write"}).start()
        started = time.monotonic() - t0
        api = HfApi(endpoint=sim.url, token="t")
        api.create_repo("user/x", repo_type="space", space_sdk="gradio")
        api.space_info("user/x")  # leaves a keep-alive connection open in the client pool
        t0 = time.monotonic()
        sim.stop()
        # Well under serve_forever's default 0.5 s poll and a keep-alive connection's wait, which
        # are what a slow start or stop would be; loose enough for a loaded 2-core machine.
        assert started < 0.25 and time.monotonic() - t0 < 0.25
        assert sim.repo("user/x") is not None  # state survives stop
    time.sleep(0.05)
    assert threading.active_count() == before


def test_unknown_route_and_delete_body(sim, api):
    status, headers, _ = _get(f"{sim.url}/api/nothing-here")
    assert status == 404 and headers["X-Request-Id"]
    sim.create_repo("user/gone", sdk="gradio")
    req = urllib.request.Request(
        f"{sim.url}/api/repos/delete",
        method="DELETE",
        data=b'{"name":"gone","organization":"user","type":"space"}',
        headers={"Authorization": "Bearer hf_write_token", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as resp:
        assert resp.read() == b"OK" and resp.headers["Content-Type"].startswith("text/plain")
    assert sim.repo("user/gone") is None
