"""Text from the app, the Hub or the workspace stays inert where the action renders it: a preview whose
app answers with HTML, links and autolinks, run end to end, and its PR comment and step summary
rendered by a real Markdown renderer (markdown-it-py, GFM-like) and read for live links and images."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from tests.conftest import copy_example
from tests.test_preview_e2e import payload, run_pr

PREVIEW = "user/app-pr-2"
HOSTILE = (
    '<a href="https://evil.example/a">click</a> <img src="https://evil.example/i.png">'
    " HTTPS://evil.example/b www.evil.example ![x](https://evil.example/c.png)"
    " [y](https://evil.example/d) <https://evil.example/e> @octocat"
)


class _Tags(HTMLParser):
    """The links and images of rendered HTML, and the text outside code GitHub could still autolink."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.images: list[str] = []
        self.text: list[str] = []
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.hrefs.append(found["href"] or "")
        if tag in ("img", "image", "picture", "source"):
            self.images.append(str(found))
        self._code += tag in ("code", "pre")

    def handle_endtag(self, tag: str) -> None:
        self._code -= tag in ("code", "pre")

    def handle_data(self, data: str) -> None:
        if not self._code:
            self.text.append(data)


def rendered(markdown: str) -> _Tags:
    """GitHub's Markdown as markdown-it-py's GFM-like preset renders it (raw HTML on, as GitHub
    allows it; linkify for `scheme://` links). linkify-it also links bare domains and e-mails,
    which GitHub does not: those are off, and what GitHub alone links (`www.`, a mention or an
    e-mail's `@`) is read from the text by `autolinkable`."""
    md = MarkdownIt("gfm-like", {"html": True})
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})
    tags = _Tags()
    tags.feed(md.render(markdown))
    return tags


def autolinkable(text: str) -> list[str]:
    """What GitHub's autolink extension and mentions would still link in rendered text."""
    return re.findall(r"(?i)\bwww\.|[a-z][a-z0-9+.-]*://|@[A-Za-z0-9]", text)


def assert_inert(markdown: str, own: str) -> None:
    tags = rendered(markdown)
    assert tags.images == [], tags.images
    assert [h for h in tags.hrefs if not h.startswith(own)] == [], tags.hrefs
    assert autolinkable("".join(tags.text)) == [], "".join(tags.text)


def test_an_app_answer_with_html_and_links_leaves_no_live_link_or_image(action, hub, gh):
    hub.settings.serve_apps = True
    hub.settings.app_answers[PREVIEW] = "500"
    hub.settings.app_bodies[PREVIEW] = HOSTILE

    copy_example("gradio-hello", action.workspace)
    result = run_pr(action, gh, payload("opened"), {"smoke-path": "/health", "smoke-timeout": "2s"})
    assert result.returncode == 1
    [comment] = gh.comments("Codertocat/Hello-World", 2)
    body = comment["body"]
    for shown in (body, result.summary):
        assert "evil.example" in shown  # the app's answer is quoted...
        assert_inert(shown, hub.url)  # ...as text: our links to the Hub are the only ones
    assert "&#60;img src" in body and "HTTPS:\u200b//evil.example/b" in body
    [deployment] = gh.deployments("Codertocat/Hello-World")  # its texts: our words and ids only
    texts = [deployment["description"]] + [s["description"] for s in gh.statuses(deployment["id"])]
    assert texts and not [t for t in texts if "evil" in t or "<" in t], texts


def test_a_four_character_secret_leaves_the_comments_dates_and_head_marker_intact(action, hub, gh):
    """A short secret is redacted where it stands alone; a date or a commit id holding it is
    chance, and the head marker (the overlapping-runs protection reads it) is never redacted."""

    year = f"{datetime.now(UTC):%Y}"
    head = year + "ab" * 18
    hub.settings.serve_apps = True
    hub.settings.app_answers[PREVIEW] = "500"
    hub.settings.app_bodies[PREVIEW] = f"the key is {year} today"
    copy_example("gradio-hello", action.workspace)
    inputs = {"smoke-path": "/health", "smoke-timeout": "2s", "secrets": f"API_KEY={year}"}
    result = run_pr(action, gh, payload("opened", sha=head), inputs)
    assert result.returncode == 1
    [comment] = gh.comments("Codertocat/Hello-World", 2)
    body = comment["body"]
    assert "the key is *** today" in body  # the value as a word: redacted
    assert re.search(rf"\| \*\*Updated\*\* \| {year}-\d\d-\d\d \d\d:\d\d:\d\d UTC \|", body), body
    assert body.rstrip().splitlines()[-1] == f"<!-- hf-deploy:head:{head} -->"
    assert "the key is *** today" in result.summary
