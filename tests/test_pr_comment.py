"""The sticky preview comment: rendering, and upserting through PyGithub to a fake GitHub."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hf_action.github.comment import (
    MAX_LOG_LINES,
    CommentState,
    StickyComment,
    marker,
    render,
)
from hf_action.github.context import GitHubContext
from hf_action.github.heads import described_head, head_marker
from hubsim.settings import TOKEN_PREFIXES
from tests.fakes.github_api import BOT_LOGIN, FakeGitHub

SHA = "0123456789abcdef0123456789abcdef01234567"
WHEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
REPO = "octo/app-repo"
TOKEN = "ghs_faketoken1234567890abcdefABCDEF"


def state(status: str = "running", **changes: object) -> CommentState:
    base = CommentState(
        status=status,  # type: ignore[arg-type]
        space_id="user/app-pr-7",
        space_url="https://huggingface.co/spaces/user/app-pr-7",
        app_url="https://user-app-pr-7.hf.space",
        head_sha=SHA,
        hub_commit_url="https://huggingface.co/spaces/user/app-pr-7/commit/abc",
        stage="RUNNING",
        updated_at=WHEN,
        base_space_id="user/app",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- render ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "emoji", "word"),
    [
        ("building", "🏗️", "building"),
        ("running", "✅", "running"),
        ("failed", "❌", "failed"),
        ("removed", "🗑️", "removed"),
    ],
)
def test_render_each_status(status: str, emoji: str, word: str) -> None:
    body = render(state(status, log_tail="boom" if status == "failed" else None))
    first, headline = body.splitlines()[:2]
    assert first == "<!-- hf-deploy:preview:user/app -->"
    assert headline.startswith("### ") and emoji in headline and word in headline.lower()
    assert "| **Commit** |" in body and "`0123456`" in body
    assert "| **Updated** | 2024-05-06 07:08:09 UTC |" in body
    assert "| **Stage** | `RUNNING` |" in body
    assert SHA not in body.removesuffix(f"{head_marker(SHA)}\n")  # short sha shown, full hidden
    assert described_head(body) == SHA
    assert ("<details>" in body) is (status == "failed")
    assert ("was deleted" in body) is (status == "removed")


def test_render_links_when_alive() -> None:
    body = render(state("running"))
    assert "[user/app-pr-7](https://huggingface.co/spaces/user/app-pr-7)" in body
    assert "[user-app-pr-7.hf.space](https://user-app-pr-7.hf.space)" in body
    assert "[`0123456`](https://huggingface.co/spaces/user/app-pr-7/commit/abc)" in body


def test_render_removed_has_no_dead_links() -> None:
    body = render(state("removed", stage=None))
    assert "](https://huggingface.co/spaces/user/app-pr-7)" not in body
    assert "hf.space" not in body
    assert "The preview Space `user/app-pr-7` was deleted." in body
    assert "| **Stage** | — |" in body


def test_render_building_without_app_or_commit_url() -> None:
    body = render(state("building", app_url=None, hub_commit_url=None, stage=None))
    assert "| **App** | — |" in body
    assert "| **Commit** | `0123456` |" in body


def test_marker_defaults_to_space_id_and_separates_apps() -> None:
    body = render(state(base_space_id=None))
    assert body.startswith(marker("user/app-pr-7"))
    assert marker("org/app-one") != marker("org/app-two")
    assert marker("org/app-one") not in render(state(base_space_id="org/app-two"))
    assert "-->" not in marker("evil --> <b>x</b>")[:-3]


def test_updated_time_is_shown_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    body = render(state(updated_at=datetime(2024, 5, 6, 9, 8, 9, tzinfo=paris)))
    assert "2024-05-06 07:08:09 UTC" in body
    naive = render(state(updated_at=datetime(2024, 5, 6, 7, 8, 9)))
    assert "2024-05-06 07:08:09 UTC" in naive


def test_notes_are_listed() -> None:
    body = render(state(notes=["From a fork: deployed without secrets.", "", "second\nline"]))
    assert "- From a fork: deployed without secrets." in body
    assert "- second line" in body


def test_unknown_status_is_rejected() -> None:
    with pytest.raises(ValueError, match="status"):
        render(state("exploded"))


def test_secrets_never_reach_the_body() -> None:
    secret = "sup3r-s3cret-value"
    hf_token = "hf_" + "A" * 34
    body = render(
        state(
            "failed",
            notes=[f"token was {secret}"],
            log_tail=f"export HF_TOKEN={hf_token}\nGH={TOKEN}\npassword {secret}\nerror: boom",
        ),
        secrets=[secret, "", "x"],
    )
    assert secret not in body and hf_token not in body and TOKEN not in body
    assert body.count("***") >= 4
    assert "error: boom" in body


def test_short_secrets_are_redacted_as_words_and_the_head_marker_never() -> None:
    """A 4-7 character value only where it stands alone (a date or a commit id holding it is
    chance); the head marker, which the overlapping-runs check reads, is never touched, whatever
    the secrets."""
    body = render(
        state("failed", notes=["key 2024 leaked"], log_tail="x=2024\nat 2024-05-06"),
        secrets=["2024", SHA[:12]],
    )
    assert "- key *** leaked" in body and "x=***" in body and "at 2024-05-06" in body
    assert "| **Updated** | 2024-05-06 07:08:09 UTC |" in body
    assert body.splitlines()[-1] == head_marker(SHA) and described_head(body) == SHA


def test_a_secret_with_markdown_characters_is_redacted_before_it_is_made_inert() -> None:
    """md_inert writes `<` as `&#60;` and breaks `://`: a value holding them is redacted first."""
    secret = "p<w>[x]://www.y@z"
    body = render(state("failed", notes=[f"the app printed {secret} and quit"]), secrets=[secret])
    assert "- the app printed *** and quit" in body


#: A keyless exchange's token as hub-docs documents it: `hf_jwt_` + a JWT (RS256 header, claims,
#: signature; base64url, so `-` and `_` occur in it, and dots join the parts).
JWT_TOKEN = (
    "hf_jwt_eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiJzcGFjZXMvdXNlci9hcHAiLCJleHAiOjE3OTYwMDAwMDB9"
    ".8_FaI-Q_E4js5FwvALpBv9KSCyJ51ANwdlX2FTwRQgU"
)
OAUTH_TOKEN = "hf_oauth_Zq3-xK_7vLmN2pQ8rT4wYb9c"  # opaque base64url, for user resources
CLASSIC_TOKEN = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567"


def test_token_shapes_are_redacted_whole_from_the_log_tail() -> None:
    """Tokens no one registered as secrets (a keyless exchange's, a user token an app printed) are
    cut out whole: no dot-joined JWT part, `-` or `_` piece of one is left, and a full stop stays."""
    log = "\n".join(
        [
            f"Authorization: Bearer {JWT_TOKEN}",
            f"got {JWT_TOKEN}.",
            f'{{"access_token": "{OAUTH_TOKEN}", "token_type": "bearer"}}',
            f"HF_TOKEN={CLASSIC_TOKEN} python app.py",
            "error: boom",
        ]
    )
    assert _fenced(render(state("failed", log_tail=log))) == [
        "Authorization: Bearer ***",
        "got ***.",
        '{"access_token": "***", "token_type": "bearer"}',
        "HF_TOKEN=*** python app.py",
        "error: boom",
    ]


@pytest.mark.parametrize("prefix", TOKEN_PREFIXES)
def test_every_exchanged_token_prefix_hubsim_issues_is_redacted(prefix: str) -> None:
    """Each prefix the simulator can issue (hubsim/README: two documented, one undocumented)."""
    body = prefix + OAUTH_TOKEN.removeprefix("hf_oauth_")
    note = f"token {body} refused"
    assert render(state("failed", notes=[note])).count("- token *** refused") == 1


def test_our_own_hf_names_and_urls_survive_redaction() -> None:
    """Our names share the `hf_` prefix; none is a token's length and alphabet, so none is cut."""
    log = "\n".join(
        [
            "  File /app/hf_action/github/comment.py, in render",
            "hf_hub_download(repo_id='user/app') via hf_xet for hf_deploy",
            "hf_oauth: true / hf_oauth_expiration_minutes: 480 / hf_oauth_scopes",
            "hf_jwt_token_was_not_issued_by_the_hub",  # snake_case as long as a token
            "https://huggingface.co/spaces/user/app-pr-7 hf_jwt_… hf_oauth_YOUR_TOKEN_HERE",
        ]
    )
    assert _fenced(render(state("failed", log_tail=log))) == log.split("\n")


def _fenced(body: str) -> list[str]:
    """Lines inside the code block, following CommonMark's fence rules."""
    lines = body.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"^ {0,3}(`{3,})", line))
    fence = re.match(r"^ {0,3}(`{3,})", lines[start]).group(1)  # type: ignore[union-attr]
    for end in range(start + 1, len(lines)):
        closing = re.match(r"^ {0,3}(`{3,})\s*$", lines[end])
        if closing and len(closing.group(1)) >= len(fence):
            assert lines[end + 1 :] == ["", "</details>", head_marker(SHA)], lines[end + 1 :]
            return lines[start + 1 : end]
    raise AssertionError("fence never closed")


def test_hostile_backticks_stay_inside_the_fence() -> None:
    log = "\n".join(
        ["ok", "```", "````python", "   ```", "</details>", "# Heading", "`` fine ``", "~~~", "end"]
    )
    body = render(state("failed", log_tail=log))
    inside = _fenced(body)
    assert inside[-1] == "end" and inside[0] == "ok"
    assert "</details>" in inside and "# Heading" in inside
    assert "`` fine ``" in inside  # short runs are left alone
    assert not any("```" in line for line in inside)
    assert body.count("<details>") == 1


def test_log_tail_keeps_last_lines_and_strips_terminal_noise() -> None:
    log = (
        "\n".join(f"line {i}" for i in range(500))
        + "\n\x1b[31mred error\x1b[0m\nprogress 10%\rprogress 100%\n\n"
    )
    inside = _fenced(render(state("failed", log_tail=log)))
    assert len(inside) == MAX_LOG_LINES
    assert inside[-2:] == ["red error", "progress 100%"]
    assert inside[0] == f"line {500 - MAX_LOG_LINES + 2}"
    assert f"Build log (last {MAX_LOG_LINES} lines)" in render(state("failed", log_tail=log))


@pytest.mark.parametrize("shape", ["long-lines", "one-line", "backticks", "multibyte"])
def test_huge_log_fits_github_limit(shape: str) -> None:
    size = 200 * 1024
    log = {
        "long-lines": "\n".join("x" * 5000 + str(i) for i in range(size // 5000)),
        "one-line": "y" * size + "TAIL",
        "backticks": "`" * size,
        "multibyte": "é€😀" * (size // 9) + "TAIL",
    }[shape]
    body = render(state("failed", log_tail=log, notes=["n" * 3000] * 30))
    assert len(body) < 65536
    assert len(body.encode("utf-8")) <= 62_000
    inside = _fenced(body)
    assert inside, "some log must remain"
    if shape in ("one-line", "multibyte"):
        assert inside[-1].endswith("TAIL")
    match = re.search(r"Build log \(last (\d+) lines?\)", body)
    assert match and int(match.group(1)) == len(inside)


def test_github_api_url() -> None:
    assert GitHubContext.from_env({}).api_url == "https://api.github.com"
    assert (
        GitHubContext.from_env({"GITHUB_API_URL": "https://ghe.example/api/v3/"}).api_url
        == "https://ghe.example/api/v3"
    )


# --- StickyComment against the fake server --------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN) as server:
        yield server


def sticky(
    server: FakeGitHub,
    warnings: list[str],
    *,
    number: int = 7,
    token: str = TOKEN,
    key: str = "user/app",
) -> StickyComment:
    return StickyComment(
        token,
        REPO,
        number,
        server.api_url,
        marker(key),
        warnings.append,
        seconds_between_requests=0,
        seconds_between_writes=0,
        retry=0,
    )


def test_creates_once_then_edits_in_place(fake: FakeGitHub) -> None:
    warnings: list[str] = []
    bodies = [render(state(s)) for s in ("building", "running", "removed")]
    urls = [sticky(fake, warnings).upsert(b) for b in bodies]
    comments = fake.comments(REPO, 7)
    assert len(comments) == 1
    assert comments[0]["body"] == bodies[-1]
    assert comments[0]["user"]["login"] == BOT_LOGIN
    assert urls == [comments[0]["html_url"]] * 3
    methods = [(r.method, r.path) for r in fake.requests if r.method != "GET"]
    assert (
        methods
        == [("POST", f"/repos/{REPO}/issues/7/comments")]
        + [("PATCH", f"/repos/{REPO}/issues/comments/{comments[0]['id']}")] * 2
    )
    assert warnings == []


def test_other_comments_are_left_alone(fake: FakeGitHub) -> None:
    other = fake.add_comment(REPO, 7, "LGTM from another bot", login="other-bot[bot]")
    other_app = fake.add_comment(
        REPO, 7, render(state(base_space_id="user/other-app")), login=BOT_LOGIN
    )
    warnings: list[str] = []
    for s in ("building", "running"):
        sticky(fake, warnings).upsert(render(state(s)))
    comments = {c["id"]: c for c in fake.comments(REPO, 7)}
    assert len(comments) == 3
    assert comments[other["id"]]["body"] == "LGTM from another bot"
    assert comments[other_app["id"]]["body"] == other_app["body"]
    patched = {r.path for r in fake.requests if r.method == "PATCH"}
    assert patched == {f"/repos/{REPO}/issues/comments/{max(comments)}"}


def test_a_comment_quoting_the_marker_elsewhere_is_not_the_sticky_one(fake: FakeGitHub) -> None:
    """Only a marker at the start, where render puts it, names the comment: a log line that quotes
    another preview's marker cannot make this run overwrite that preview's comment."""
    quoting = fake.add_comment(
        REPO, 7, render(state("failed", log_tail=marker("user/app"), base_space_id="user/other")),
        login=BOT_LOGIN,
    )  # fmt: skip
    warnings: list[str] = []
    sticky(fake, warnings).upsert(render(state("running")))
    comments = {c["id"]: c for c in fake.comments(REPO, 7)}
    assert (
        comments[quoting["id"]]["body"] == quoting["body"] and marker("user/app") in quoting["body"]
    )
    assert len(comments) == 2 and warnings == []


def test_marker_on_a_later_page_is_found() -> None:
    with FakeGitHub(token=TOKEN, page_size=2) as server:
        for i in range(3):
            server.add_comment(REPO, 7, f"chatter {i}")
        ours = server.add_comment(REPO, 7, render(state("building")), login=BOT_LOGIN)
        server.add_comment(REPO, 7, "more chatter")
        url = sticky(server, []).upsert(render(state("running")))
        assert url == ours["html_url"]
        comments = server.comments(REPO, 7)
        assert len(comments) == 5
        assert "Preview is running" in next(c for c in comments if c["id"] == ours["id"])["body"]
        pages = [
            r.query.get("page", ["1"])[0]
            for r in server.requests
            if r.path.endswith("/comments") and r.method == "GET"
        ]
        assert pages == ["1", "2"]  # stopped once found


def test_many_pages_without_marker_then_create() -> None:
    with FakeGitHub(token=TOKEN, page_size=3) as server:
        for i in range(10):
            server.add_comment(REPO, 7, f"chatter {i}")
        sticky(server, []).upsert(render(state("building")))
        lists = [r for r in server.requests if r.method == "GET" and r.path.endswith("/comments")]
        assert len(lists) == 4
        assert len(server.comments(REPO, 7)) == 11


def test_forbidden_warns_and_returns_none() -> None:
    with FakeGitHub(token=TOKEN, forbid_comments=True) as server:
        warnings: list[str] = []
        assert sticky(server, warnings).upsert(render(state("building"))) is None
        assert server.comments(REPO, 7) == []
    assert len(warnings) == 1
    assert "pull-requests: write" in warnings[0] and "issues: write" in warnings[0]
    assert "403" in warnings[0] and "Resource not accessible by integration" in warnings[0]
    assert TOKEN not in warnings[0]


def test_bad_token_warns(fake: FakeGitHub) -> None:
    warnings: list[str] = []
    assert sticky(fake, warnings, token="wrong-token").upsert("hi") is None
    assert len(warnings) == 1 and "401" in warnings[0] and "wrong-token" not in warnings[0]


def test_empty_token_warns_without_calling(fake: FakeGitHub) -> None:
    warnings: list[str] = []
    assert sticky(fake, warnings, token="").upsert("hi") is None
    assert warnings and fake.requests == []


def test_server_error_warns(fake: FakeGitHub) -> None:
    fake.fail_status = 500
    warnings: list[str] = []
    assert sticky(fake, warnings).upsert("hi") is None
    assert len(warnings) == 1 and "500" in warnings[0]


def test_unreachable_api_warns() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    warnings: list[str] = []
    comment = StickyComment(
        TOKEN,
        REPO,
        7,
        f"http://127.0.0.1:{port}",
        marker("user/app"),
        warnings.append,
        retry=0,
        timeout=2,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )
    assert comment.upsert("hi") is None
    assert len(warnings) == 1 and f"127.0.0.1:{port}" in warnings[0]


def test_marker_is_added_when_missing(fake: FakeGitHub) -> None:
    sticky(fake, []).upsert("plain body")
    sticky(fake, []).upsert("plain body 2")
    comments = fake.comments(REPO, 7)
    assert len(comments) == 1
    assert comments[0]["body"] == f"{marker('user/app')}\nplain body 2"


def test_github_enterprise_base_path() -> None:
    with FakeGitHub(token=TOKEN, base_path="/api/v3", page_size=1) as server:
        server.add_comment(REPO, 7, "chatter")
        warnings: list[str] = []
        for s in ("building", "running"):
            assert sticky(server, warnings).upsert(render(state(s))) is not None
        assert warnings == []
        assert len(server.comments(REPO, 7)) == 2
        raw_paths = {r.path for r in server.requests}
        # /user: whose comments count (a 404 outside /api/v3 would have warned)
        assert all(p.startswith("/repos/") or p == "/user" for p in raw_paths)
        assert server.api_url.endswith("/api/v3")
        auth = {r.headers.get("Authorization") for r in server.requests}
        assert auth == {f"token {TOKEN}"} or auth == {f"Bearer {TOKEN}"}


def test_ghe_without_base_path_misses() -> None:
    """The fake answers 404 to a client that ignores /api/v3, so the GHE test means something."""
    with FakeGitHub(token=TOKEN, base_path="/api/v3") as server:
        warnings: list[str] = []
        comment = StickyComment(
            TOKEN,
            REPO,
            7,
            server.origin,
            marker("user/app"),
            warnings.append,
            retry=0,
            seconds_between_requests=0,
            seconds_between_writes=0,
        )
        assert comment.upsert("hi") is None
        assert warnings and "404" in warnings[0]


def test_separate_prs_get_separate_comments(fake: FakeGitHub) -> None:
    sticky(fake, [], number=7).upsert(render(state("running")))
    sticky(fake, [], number=8).upsert(render(state("running")))
    assert len(fake.comments(REPO, 7)) == len(fake.comments(REPO, 8)) == 1


def test_pygithub_is_not_imported_at_module_top() -> None:
    import ast
    import pathlib

    import hf_action.github.comment as module

    tree = ast.parse(pathlib.Path(module.__file__).read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = {a.name for n in top for a in n.names} | {
        n.module for n in top if isinstance(n, ast.ImportFrom)
    }
    assert not any(str(name).startswith("github") for name in names)


@pytest.mark.fake
def test_fake_server_leaves_no_threads() -> None:
    before = set(threading.enumerate())
    with FakeGitHub(token=TOKEN) as server:
        sticky(server, []).upsert("hi")
    assert set(threading.enumerate()) - before == set()


def test_notes_cannot_mention_link_or_embed():
    from datetime import UTC, datetime

    from hf_action.github.comment import CommentState, render

    note = "crash: @maintainer see ![x](https://evil.example/p.png)"
    state = CommentState("failed", "u/s", "https://hf.co/spaces/u/s", None, "a" * 40, None, "RUNTIME_ERROR",
                         datetime.now(UTC), notes=[note])  # fmt: skip
    body = render(state)
    assert "@maintainer" not in body and "![x](" not in body and "https://evil.example" not in body
