"""HTTP caching of comment threads: ETag from the rows, 304, public or private Cache-Control."""

from __future__ import annotations

import httpx

from inkwell.posts.records import PostRow
from tests.comments.conftest import comment, thread_url
from tests.posts.conftest import Account
from tests.posts.test_http_cache import PRIVATE, PUBLIC, assert_not_modified, revalidated


async def test_anonymous_threads_are_public_and_revalidate(
    client: httpx.AsyncClient, post: PostRow, bob: Account
) -> None:
    await comment(client, bob, post, "First!")
    first, again = await revalidated(client, thread_url(post))
    assert first.headers["etag"].startswith('W/"')
    assert first.headers["cache-control"] == PUBLIC
    assert "Authorization" in first.headers["vary"]
    assert [item["content_html"] for item in first.json()["items"]] == ["<p>First!</p>\n"]
    assert_not_modified(first, again)


async def test_a_new_reply_changes_the_etag(
    client: httpx.AsyncClient, post: PostRow, bob: Account, alice: Account
) -> None:
    root = await comment(client, bob, post, "A question")
    before = (await client.get(thread_url(post))).headers["etag"]
    await comment(client, alice, post, "An answer", parent=root["id"])
    after = await client.get(thread_url(post), headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["etag"] != before
    assert after.json()["items"][0]["replies"][0]["content_raw"] is None


async def test_signed_in_threads_are_private_and_differ_from_anonymous(
    client: httpx.AsyncClient, post: PostRow, bob: Account
) -> None:
    await comment(client, bob, post, "Mine")
    anonymous = (await client.get(thread_url(post))).headers["etag"]
    first, again = await revalidated(client, thread_url(post), bob.headers)
    assert first.headers["cache-control"] == PRIVATE
    assert first.headers["etag"] != anonymous  # bob sees his own source text
    assert_not_modified(first, again)
    assert (
        await client.get(thread_url(post), headers={**bob.headers, "If-None-Match": anonymous})
    ).status_code == 200
