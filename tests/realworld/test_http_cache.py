"""HTTP caching of the RealWorld reads: ETag, 304, Cache-Control and Vary."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_post, follow
from tests.posts.test_http_cache import PRIVATE, PUBLIC, assert_not_modified, revalidated
from tests.realworld.conftest import Conduit


async def test_public_reads_revalidate_and_are_public_when_anonymous(
    client: httpx.AsyncClient, session: AsyncSession, jake: Conduit
) -> None:
    post = await create_post(session, jake.user, title="Dragons", tags=["dragons"])
    for url in (
        "/api/articles",
        "/api/articles?tag=dragons&limit=5",
        f"/api/articles/{post.slug}",
        "/api/tags",
        "/api/profiles/jake",
    ):
        first, again = await revalidated(client, url)
        assert first.headers["cache-control"] == PUBLIC, url
        assert "Authorization" in first.headers["vary"]
        assert_not_modified(first, again)


async def test_signed_in_reads_are_private_with_their_own_etags(
    client: httpx.AsyncClient, session: AsyncSession, jake: Conduit, jane: Conduit
) -> None:
    post = await create_post(session, jake.user, title="Dragons")
    anonymous = await client.get("/api/articles")
    favorited = await client.post(f"/api/articles/{post.slug}/favorite", headers=jane.headers)
    assert favorited.status_code == 200
    first, again = await revalidated(client, "/api/articles", jane.headers)
    assert first.json()["articles"][0]["favorited"] is True
    assert first.headers["cache-control"] == PRIVATE
    assert_not_modified(first, again)
    assert first.headers["etag"] != anonymous.headers["etag"]
    # the favorite moved the count: the anonymous reader's old ETag no longer matches
    stale = await client.get("/api/articles", headers={"If-None-Match": anonymous.headers["etag"]})
    assert stale.status_code == 200


async def test_an_expired_token_reading_an_article_is_not_public(
    client: httpx.AsyncClient, session: AsyncSession, jake: Conduit
) -> None:
    post = await create_post(session, jake.user)
    read = await client.get(
        f"/api/articles/{post.slug}", headers={"Authorization": "Token expired.or.invalid"}
    )
    assert read.status_code == 200  # read anonymously, but the request carried credentials
    assert read.headers["cache-control"] == PRIVATE


async def test_the_feed_is_private_and_follows_a_new_post(
    client: httpx.AsyncClient, session: AsyncSession, jake: Conduit, jane: Conduit
) -> None:
    await follow(session, jane.user, jake.user)
    await create_post(session, jake.user, title="First")
    first, again = await revalidated(client, "/api/articles/feed", jane.headers)
    assert first.headers["cache-control"] == PRIVATE
    assert_not_modified(first, again)
    await create_post(session, jake.user, title="Second")
    after = await client.get(
        "/api/articles/feed", headers={**jane.headers, "If-None-Match": first.headers["etag"]}
    )
    assert after.status_code == 200
    assert after.json()["articlesCount"] == 2
