"""The renderers on their own: the cover-image seam, settings of links, dates."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import feedparser
import pytest
from pydantic import ValidationError

from inkwell.core.config import Settings
from inkwell.syndication.formats import Links, atom, json_feed, rss
from inkwell.syndication.records import Enclosure, FeedItem, FeedPage, FeedScope
from tests.syndication.rules import atom_problems, json_feed_problems, rss_problems

LINKS = Links(
    site="https://api.example", pages="https://example", post_path="/p/{slug}", site_name="S"
)
WHEN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
COVER = Enclosure(url="https://cdn.example/c.webp", media_type="image/webp", length=1234)


def page(cover: Enclosure | None) -> FeedPage:
    item = FeedItem(
        id=uuid.UUID(int=1),
        title="T",
        slug="t",
        summary="S",
        content_html=None,
        published_at=WHEN,
        updated_at=WHEN,
        version=1,
        author_username="ann",
        author_name="Ann",
        tags=[],
        cover=cover,
    )
    return FeedPage(scope=FeedScope(kind="site"), items=[item], full_content=False)


def test_a_cover_image_becomes_an_enclosure_in_every_format() -> None:
    parsed: Any = feedparser.parse(rss(page(COVER), LINKS, "https://api.example/feeds/rss.xml"))
    assert parsed.entries[0].enclosures == [
        {"href": COVER.url, "type": "image/webp", "length": "1234"}
    ]
    document = atom(page(COVER), LINKS, "https://api.example/feeds/atom.xml")
    assert atom_problems(document) == []
    entry: Any = feedparser.parse(document).entries[0]
    assert [link.href for link in entry.links if link.rel == "enclosure"] == [COVER.url]
    item = json.loads(json_feed(page(COVER), LINKS, "https://api.example/feeds/feed.json"))
    assert item["items"][0]["image"] == COVER.url
    assert item["items"][0]["attachments"][0]["size_in_bytes"] == 1234
    assert json_feed_problems(json.dumps(item).encode()) == []


def test_no_cover_no_enclosure_and_excerpts_as_text() -> None:
    document = rss(page(None), LINKS, "https://api.example/feeds/rss.xml")
    assert rss_problems(document) == []
    assert b"enclosure" not in document
    parsed: Any = feedparser.parse(document)
    assert parsed.entries[0].link == "https://example/p/t"
    assert parsed.entries[0].published == "Wed, 04 Mar 2026 05:06:07 GMT"
    item = json.loads(json_feed(page(None), LINKS, "https://api.example/feeds/feed.json"))
    assert item["items"][0]["content_text"] == "S"
    assert item["items"][0]["date_published"] == "2026-03-04T05:06:07Z"


def test_the_rules_catch_a_broken_feed() -> None:
    assert atom_problems(b"<feed xmlns='http://www.w3.org/2005/Atom'><title>x</title></feed>")
    assert rss_problems(b"<rss version='2.0'><channel><title>x</title></channel></rss>")


@pytest.mark.parametrize("path", ["posts/{slug}", "/posts", "/posts/{slug}/{id}"])
def test_the_post_page_path_needs_a_slug_and_a_leading_slash(path: str) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, post_page_path=path)


def test_the_site_base_is_the_site_url_or_the_server() -> None:
    assert Settings(_env_file=None, site_url="https://x.example/").site_base == "https://x.example"
    assert Settings(_env_file=None, port=9000).site_base == "http://127.0.0.1:9000"
