"""The feeds over HTTP: formats valid and parseable, only listed posts, options, caching."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.models.post import Post
from tests.factories import create_post, create_user
from tests.posts.conftest import Account
from tests.syndication.conftest import PAGES, SITE
from tests.syndication.rules import (
    atom_problems,
    json_feed_problems,
    parses_cleanly,
    rss_problems,
)

FILES = ("rss.xml", "atom.xml", "feed.json")
CHECKS = {"rss.xml": rss_problems, "atom.xml": atom_problems, "feed.json": json_feed_problems}
pytestmark = pytest.mark.usefixtures("site_settings")


def hours_ago(n: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=n)).isoformat()


async def fetch(client: httpx.AsyncClient, path: str, **params: Any) -> httpx.Response:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response


def titles(document: bytes) -> list[str]:
    """The item titles, as a feed reader sees them (feedparser reads RSS and Atom only)."""
    if document.startswith(b"{"):
        return [item["title"] for item in json.loads(document)["items"]]
    parsed: Any = feedparser.parse(document)
    return [entry.title for entry in parsed.entries]


async def every_format(client: httpx.AsyncClient, path: str = "/feeds") -> list[list[str]]:
    """The titles of each format of one feed, each document checked against its rules."""
    seen = []
    for file in FILES:
        body = (await fetch(client, f"{path}/{file}")).content
        assert file == "feed.json" or parses_cleanly(body) == []
        assert CHECKS[file](body) == []
        seen.append(titles(body))
    return seen


@pytest.mark.parametrize("file", ["rss.xml", "atom.xml"])
async def test_rss_and_atom_are_valid_and_parse_without_warnings(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, file: str
) -> None:
    await create_post(
        session,
        alice.user,
        title="Tom & Jerry <script>\x01",
        content="# Hi\n\n<b>bold</b> & `code` \x07 done",
        tags=["python", "web-dev"],
        summary="A summary with <angle> & ampersand",
        published_at=hours_ago(2),
    )
    await create_post(session, alice.user, title="Second", published_at=hours_ago(1))
    response = await fetch(client, f"/feeds/{file}")
    assert parses_cleanly(response.content) == []
    assert CHECKS[file](response.content) == []
    parsed: Any = feedparser.parse(response.content)
    assert [e.title for e in parsed.entries] == ["Second", "Tom & Jerry <script>"]
    first = parsed.entries[1]
    assert [t.term for t in first.tags] == ["python", "web-dev"]
    assert first.link == f"{PAGES}/posts/{parsed.entries[1].link.rsplit('/', 1)[-1]}"
    assert first.link.startswith(f"{PAGES}/posts/tom-jerry")
    assert parsed.feed.title == "Ink & Co"
    assert "<b>bold</b>" in first.content[0].value  # the stored, sanitised HTML
    assert "<script>" not in first.content[0].value


async def test_json_feed_is_valid_against_its_schema(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    await create_post(
        session,
        alice.user,
        title='Tom & Jerry \x01 "quoted"',
        content="<b>bold</b> \u2028 done",
        tags=["python", "web-dev"],
    )
    body = (await fetch(client, "/feeds/feed.json")).content
    assert json_feed_problems(body) == []
    item = json.loads(body)["items"][0]
    assert (item["title"], item["tags"]) == ('Tom & Jerry \x01 "quoted"', ["python", "web-dev"])
    assert "<b>bold</b>" in item["content_html"]
    assert item["id"].startswith("urn:uuid:")
    assert json_feed_problems(b'{"version": "https://jsonfeed.org/version/1.1", "items": []}')


async def test_media_types_and_absolute_self_links(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    await create_post(session, alice.user, title="One")
    kinds = {
        "rss.xml": "application/rss+xml; charset=utf-8",
        "atom.xml": "application/atom+xml; charset=utf-8",
        "feed.json": "application/feed+json; charset=utf-8",
    }
    for file, media_type in kinds.items():
        response = await fetch(client, f"/feeds/{file}")
        assert response.headers["content-type"] == media_type
        assert f'"{SITE}/feeds/{file}"' in response.text or f"{SITE}/feeds/{file}" in response.text
    document = json.loads((await fetch(client, "/feeds/feed.json")).content)
    assert document["feed_url"] == f"{SITE}/feeds/feed.json"
    assert document["home_page_url"] == f"{PAGES}/"
    assert document["items"][0]["authors"] == [
        {"name": "alice", "url": f"{SITE}/api/v1/users/alice"}
    ]


async def test_only_listed_public_posts_through_publish_unpublish_schedule_and_delete(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, monkeypatch: Any
) -> None:
    api = "/api/v1/posts"
    await create_post(session, alice.user, title="Draft", status="draft")
    assert await every_format(client) == [[], [], []]
    created = await client.post(
        api, json={"title": "Life", "content_raw": "x", "status": "draft"}, headers=alice.headers
    )
    post_id = created.json()["id"]
    assert (await client.post(f"{api}/{post_id}/publish", headers=alice.headers)).is_success
    assert await every_format(client) == [["Life"]] * 3
    assert (await client.post(f"{api}/{post_id}/unpublish", headers=alice.headers)).is_success
    assert await every_format(client) == [[], [], []]
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    scheduled = await client.patch(
        f"{api}/{post_id}",
        json={"status": "scheduled", "published_at": later},
        headers=alice.headers,
    )
    assert scheduled.is_success, scheduled.text
    assert await every_format(client) == [[], [], []]
    in_two_hours = datetime.now(UTC) + timedelta(hours=2)
    monkeypatch.setattr("inkwell.syndication.service.utcnow", lambda: in_two_hours)
    assert await every_format(client) == [["Life"]] * 3  # its time has come
    assert (await client.delete(f"{api}/{post_id}", headers=alice.headers)).status_code == 204
    assert await every_format(client) == [[], [], []]


async def test_author_and_tag_feeds(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    await create_post(session, alice.user, title="A py", tags=["python"], published_at=hours_ago(3))
    await create_post(session, bob.user, title="B py", tags=["python"], published_at=hours_ago(2))
    await create_post(session, alice.user, title="A rust", tags=["rust"], published_at=hours_ago(1))
    await create_post(session, alice.user, title="A draft", tags=["python"], status="draft")
    assert await every_format(client, "/feeds/authors/alice") == [["A rust", "A py"]] * 3
    assert await every_format(client, "/feeds/authors/BOB") == [["B py"]] * 3
    assert await every_format(client, "/feeds/tags/python") == [["B py", "A py"]] * 3
    parsed: Any = feedparser.parse((await fetch(client, "/feeds/tags/python/atom.xml")).content)
    assert parsed.feed.title == "Posts tagged python on Ink & Co"
    await create_user(session, username="quiet")
    assert await every_format(client, "/feeds/authors/quiet") == [[], [], []]
    for path in ("/feeds/authors/nobody/rss.xml", "/feeds/tags/nothing/feed.json"):
        response = await client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
    bad = await client.get("/feeds/authors/no!pe/atom.xml")
    assert bad.status_code == 422


async def test_full_content_or_excerpt_by_setting_and_query(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    site_settings: Settings,
    app_state: Any,
) -> None:
    await create_post(session, alice.user, title="T", content="Whole **body**", summary="Short")
    full: Any = feedparser.parse((await fetch(client, "/feeds/atom.xml")).content)
    assert "<strong>body</strong>" in full.entries[0].content[0].value
    excerpt = (await fetch(client, "/feeds/atom.xml", content="excerpt")).content
    assert b"body" not in excerpt
    assert feedparser.parse(excerpt).entries[0].summary == "Short"
    item = json.loads((await fetch(client, "/feeds/feed.json", content="excerpt")).content)
    assert item["items"][0]["content_text"] == "Short"
    assert "content_html" not in item["items"][0]
    app_state.settings = site_settings.model_copy(update={"feed_full_content": False})
    assert b"body" not in (await fetch(client, "/feeds/rss.xml")).content
    whole: Any = feedparser.parse((await fetch(client, "/feeds/rss.xml", content="full")).content)
    assert "<strong>body</strong>" in whole.entries[0].content[0].value
    assert (await client.get("/feeds/rss.xml", params={"content": "all"})).status_code == 422


async def test_item_count_defaults_to_20_and_stops_at_100(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    for n in range(23):
        await create_post(session, alice.user, title=f"P{n}", published_at=hours_ago(30 - n))
    assert len(titles((await fetch(client, "/feeds/rss.xml")).content)) == 20
    assert titles((await fetch(client, "/feeds/atom.xml", limit=2)).content) == ["P22", "P21"]
    assert (
        len(json.loads((await fetch(client, "/feeds/feed.json", limit=100)).content)["items"]) == 23
    )
    for limit in (0, 101, "many"):
        response = await client.get("/feeds/feed.json", params={"limit": limit})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "limit"


async def test_etag_and_last_modified_answer_304_until_the_feed_changes(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    post = await create_post(session, alice.user, title="One", published_at=hours_ago(1))
    first = await fetch(client, "/feeds/atom.xml")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('W/"')
    assert first.headers["cache-control"].startswith("public")
    again = await client.get("/feeds/atom.xml", headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    by_date = await client.get("/feeds/atom.xml", headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304
    # If-None-Match decides alone when sent (RFC 9110): a stale ETag gets the body.
    stale = {"If-None-Match": 'W/"old"', "If-Modified-Since": modified}
    assert (await client.get("/feeds/atom.xml", headers=stale)).status_code == 200
    other_format = await client.get("/feeds/rss.xml", headers={"If-None-Match": etag})
    assert other_format.status_code == 200
    excerpt = await client.get("/feeds/atom.xml?content=excerpt", headers={"If-None-Match": etag})
    assert excerpt.status_code == 200
    await client.patch(
        f"/api/v1/posts/{post.id}", json={"title": "One, edited"}, headers=alice.headers
    )
    changed = await client.get("/feeds/atom.xml", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert titles(changed.content) == ["One, edited"]
    later = await client.get("/feeds/atom.xml", headers={"If-Modified-Since": "garbage"})
    assert later.status_code == 200


async def test_a_signed_in_request_gets_the_same_feed_privately(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    await create_post(session, alice.user, title="Mine", status="draft")
    await create_post(session, alice.user, title="Public")
    response = await client.get("/feeds/rss.xml", headers=alice.headers)
    assert titles(response.content) == ["Public"]
    assert response.headers["cache-control"] == "private, no-cache"


async def test_a_cover_image_is_an_enclosure_in_every_format(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    author = await create_user(session, username="painter")
    post = await create_post(session, author, title="With a cover", published_at=hours_ago(1))
    original: dict[str, Any] = {
        "url": "/media/0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f.jpg",
        "width": 1200,
        "height": 800,
        "content_type": "image/jpeg",
        "byte_size": 123456,
    }
    await session.execute(
        update(Post).where(Post.id == post.id).values(cover={"original": original, "variants": []})
    )
    await session.commit()
    url = SITE + original["url"]

    await every_format(client)  # still valid with an enclosure
    rss = feedparser.parse((await fetch(client, "/feeds/rss.xml")).content)
    assert rss.entries[0].enclosures == [{"href": url, "type": "image/jpeg", "length": "123456"}]
    atom = feedparser.parse((await fetch(client, "/feeds/atom.xml")).content)
    assert [link.href for link in atom.entries[0].links if link.rel == "enclosure"] == [url]
    item = (await fetch(client, "/feeds/feed.json")).json()["items"][0]
    assert item["image"] == url
    assert item["attachments"] == [{"url": url, "mime_type": "image/jpeg", "size_in_bytes": 123456}]
