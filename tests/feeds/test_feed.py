"""The personal feed: whose posts, which posts, keyset paging, tags and statement counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.user import User
from tests.factories import create_post, create_user, follow, like
from tests.posts.conftest import Account, StatementCounter

FEED = "/api/v1/feed"


def hours_ago(n: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=n)).isoformat()


async def titles(client: httpx.AsyncClient, headers: dict[str, str], **params: object) -> list[str]:
    response = await client.get(FEED, params=params, headers=headers)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_the_feed_shows_listed_posts_of_followed_authors_newest_first(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    carol = await create_user(session, username="carol")
    stranger = await create_user(session, username="stranger")
    await follow(session, alice.user, bob.user)
    await follow(session, alice.user, carol)
    await create_post(session, bob.user, title="Bob old", published_at=hours_ago(5))
    await create_post(session, carol, title="Carol new", published_at=hours_ago(1))
    await create_post(session, bob.user, title="Bob new", published_at=hours_ago(2))
    await create_post(session, stranger, title="Not followed")
    await create_post(session, alice.user, title="Her own")
    await create_post(session, bob.user, title="Bob draft", status="draft")
    await create_post(
        session,
        bob.user,
        title="Bob later",
        status="scheduled",
        published_at=(datetime.now(UTC) + timedelta(days=1)).isoformat(),
    )
    archived = await create_post(session, carol, title="Carol archived")
    await session.execute(
        text("UPDATE posts SET status = 'archived' WHERE id = :id"), {"id": archived.id}
    )
    assert await titles(client, alice.headers) == ["Carol new", "Bob new", "Bob old"]
    assert await titles(client, bob.headers) == []
    assert (await client.get(FEED)).status_code == 401


async def test_the_feed_pages_with_a_cursor_and_narrows_by_tag(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    await follow(session, alice.user, bob.user)
    for n in range(7):
        when = hours_ago(6.5) if n in (3, 4) else hours_ago(10 - n)  # P3 and P4 tie
        tags = ["python"] if n % 2 else ["rust"]
        await create_post(session, bob.user, title=f"P{n}", published_at=when, tags=tags)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"page_size": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(FEED, params=params, headers=alice.headers)).json()
        seen += [item["title"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Newest first; the tie is broken by id (the later post first), and no page repeats a post.
    assert seen == ["P6", "P5", "P4", "P3", "P2", "P1", "P0"]
    assert await titles(client, alice.headers, tag="python") == ["P5", "P3", "P1"]
    assert await titles(client, alice.headers, tag="no-such-tag") == []
    bad = await client.get(FEED, params={"cursor": "garbage"}, headers=alice.headers)
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_cursor")
    assert (
        await client.get(FEED, params={"tag": "Not A Slug"}, headers=alice.headers)
    ).status_code == 422


async def test_feed_items_have_the_list_shape_with_the_readers_flags(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    await follow(session, alice.user, bob.user)
    post = await create_post(session, bob.user, title="Liked one", tags=["x"])
    await like(session, alice.user, post)
    feed_item = (await client.get(FEED, headers=alice.headers)).json()["items"][0]
    list_item = (await client.get("/api/v1/posts", headers=alice.headers)).json()["items"][0]
    assert feed_item == list_item
    assert (feed_item["liked_by_me"], feed_item["likes_count"]) == (True, 1)


async def test_the_feed_runs_the_same_statements_for_1_and_100_posts(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    sql_statements: StatementCounter,
) -> None:
    authors: list[User] = [await create_user(session, username=f"writer{n}") for n in range(5)]
    for author in authors:
        await follow(session, alice.user, author)
    await create_post(session, authors[0], tags=["a"])

    async def count(**params: object) -> int:
        sql_statements.reset()
        response = await client.get(FEED, params=params, headers=alice.headers)  # type: ignore[arg-type]
        assert response.status_code == 200
        return sql_statements.count

    one, one_tagged = await count(page_size=100), await count(page_size=100, tag="a")
    for n in range(99):
        await create_post(session, authors[n % 5], tags=["a"])
    many, many_tagged = await count(page_size=100), await count(page_size=100, tag="a")
    page = (await client.get(FEED, params={"page_size": 100}, headers=alice.headers)).json()
    assert len(page["items"]) == 100
    # The caller's session and the page (+ the tag lookup).
    assert (one, one_tagged) == (many, many_tagged) == (2, 3)
