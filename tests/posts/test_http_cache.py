"""HTTP caching of post reads: ETag, If-None-Match and 304, Cache-Control and Vary."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.posts.records import PostRow
from tests.conftest import api_client
from tests.factories import create_comment, create_post
from tests.posts.conftest import Account

LIST = "/api/v1/posts"
PUBLIC = "public, max-age=10, stale-while-revalidate=30"
PRIVATE = "private, no-cache"


@pytest.fixture
async def post(session: AsyncSession, alice: Account) -> PostRow:
    return await create_post(session, alice.user, title="Cached", tags=["python"])


async def revalidated(
    client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None
) -> tuple[httpx.Response, httpx.Response]:
    """A read, and the same read again with `If-None-Match` naming its ETag."""
    first = await client.get(url, headers=headers)
    assert first.status_code == 200, first.text
    again = await client.get(
        url, headers={**(headers or {}), "If-None-Match": first.headers["etag"]}
    )
    return first, again


def assert_not_modified(first: httpx.Response, again: httpx.Response) -> None:
    assert again.status_code == 304
    assert again.content == b""
    for name in ("etag", "cache-control", "vary"):
        assert again.headers[name] == first.headers[name], name


@pytest.mark.usefixtures("post")
async def test_anonymous_list_is_public_and_revalidates(client: httpx.AsyncClient) -> None:
    first, again = await revalidated(client, f"{LIST}?tag=python&sort=newest&page_size=5")
    assert first.headers["etag"].startswith('W/"')
    assert first.headers["cache-control"] == PUBLIC
    assert "Authorization" in first.headers["vary"]
    assert first.json()["items"][0]["title"] == "Cached"
    assert_not_modified(first, again)


@pytest.mark.usefixtures("post")
async def test_signed_in_list_is_private_and_revalidates(
    client: httpx.AsyncClient, bob: Account
) -> None:
    first, again = await revalidated(client, LIST, bob.headers)
    assert first.headers["cache-control"] == PRIVATE
    assert "Authorization" in first.headers["vary"]
    assert_not_modified(first, again)


@pytest.mark.usefixtures("post")
async def test_if_none_match_lists_star_and_other_tags(client: httpx.AsyncClient) -> None:
    tag = (await client.get(LIST)).headers["etag"]
    for header in (f'"nope", {tag}', tag.removeprefix("W/"), "*"):
        assert (await client.get(LIST, headers={"If-None-Match": header})).status_code == 304
    assert (await client.get(LIST, headers={"If-None-Match": '"nope"'})).status_code == 200


@pytest.mark.usefixtures("post")
async def test_the_etag_follows_the_body_across_pages_and_filters(
    client: httpx.AsyncClient,
) -> None:
    urls = [LIST, f"{LIST}?page_size=1", f"{LIST}?page=2", f"{LIST}?tag=python", f"{LIST}?tag=go"]
    responses = [await client.get(url) for url in urls]
    # Two reads share an ETag exactly when their bodies are the same (here, the whole list and
    # the list of the only tag); page 2 and an unused tag are both empty but differ in numbers.
    for one in responses:
        for other in responses:
            same_body = one.content == other.content
            assert (one.headers["etag"] == other.headers["etag"]) == same_body


async def test_viewers_with_different_flags_get_different_etags(
    client: httpx.AsyncClient, post: PostRow, bob: Account, alice: Account
) -> None:
    assert (await client.put(f"{LIST}/{post.id}/like", headers=bob.headers)).status_code == 200
    anonymous = await client.get(LIST)
    liker = await client.get(LIST, headers=bob.headers)
    other = await client.get(LIST, headers=alice.headers)
    assert liker.json()["items"][0]["liked_by_me"] is True
    assert anonymous.headers["etag"] != liker.headers["etag"]
    assert other.headers["etag"] != liker.headers["etag"]
    stale = await client.get(LIST, headers={**bob.headers, "If-None-Match": other.headers["etag"]})
    assert stale.status_code == 200


Change = Callable[[httpx.AsyncClient, AsyncSession, PostRow, Account, Account], Awaitable[None]]


async def _like(
    client: httpx.AsyncClient, _s: AsyncSession, post: PostRow, _a: Account, bob: Account
) -> None:
    assert (await client.put(f"{LIST}/{post.id}/like", headers=bob.headers)).status_code == 200


async def _comment(
    _c: httpx.AsyncClient, session: AsyncSession, post: PostRow, _a: Account, bob: Account
) -> None:
    await create_comment(session, post, bob.user)


async def _display_name(
    client: httpx.AsyncClient, _s: AsyncSession, _p: PostRow, alice: Account, _b: Account
) -> None:
    changed = await client.patch(
        "/api/v1/users/me", json={"display_name": "Alice B."}, headers=alice.headers
    )
    assert changed.status_code == 200


async def _tags(
    client: httpx.AsyncClient, _s: AsyncSession, post: PostRow, alice: Account, _b: Account
) -> None:
    url = f"{LIST}/{post.id}"
    changed = await client.patch(url, json={"tags": ["python", "web"]}, headers=alice.headers)
    assert changed.status_code == 200


async def _edit(
    client: httpx.AsyncClient, _s: AsyncSession, post: PostRow, alice: Account, _b: Account
) -> None:
    url = f"{LIST}/{post.id}"
    changed = await client.patch(url, json={"summary": "New summary"}, headers=alice.headers)
    assert changed.status_code == 200


async def _new_post(
    _c: httpx.AsyncClient, session: AsyncSession, _p: PostRow, alice: Account, _b: Account
) -> None:
    await create_post(session, alice.user, title="Newer", tags=["python"])


@pytest.mark.parametrize("change", [_like, _comment, _display_name, _tags, _edit, _new_post])
async def test_a_change_shown_in_the_list_changes_its_etag(
    *,
    client: httpx.AsyncClient,
    session: AsyncSession,
    post: PostRow,
    alice: Account,
    bob: Account,
    change: Change,
) -> None:
    url = f"{LIST}?tag=python"
    before = (await client.get(url)).headers["etag"]
    await change(client, session, post, alice, bob)
    after = await client.get(url, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["etag"] != before


@pytest.mark.usefixtures("post")
async def test_search_revalidates(client: httpx.AsyncClient) -> None:
    first, again = await revalidated(client, f"{LIST}/search?q=cached")
    assert first.json()["total"] == 1
    assert first.headers["cache-control"] == PUBLIC
    assert_not_modified(first, again)
    assert (await client.get(f"{LIST}/search?q=other")).headers["etag"] != first.headers["etag"]


async def test_single_post_keeps_its_etag_and_gains_cache_control(
    client: httpx.AsyncClient, post: PostRow, alice: Account
) -> None:
    first, again = await revalidated(client, f"{LIST}/{post.slug}")
    assert first.headers["etag"] == f'"{post.id}-1"'
    assert first.headers["cache-control"] == PUBLIC
    assert "Authorization" in first.headers["vary"]
    assert_not_modified(first, again)
    own, own_again = await revalidated(client, f"{LIST}/{post.slug}", alice.headers)
    assert own.headers["cache-control"] == PRIVATE
    assert_not_modified(own, own_again)


async def test_a_draft_read_by_its_author_is_private(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    draft = await create_post(session, alice.user, status="draft")
    read = await client.get(f"{LIST}/{draft.id}", headers=alice.headers)
    assert read.status_code == 200
    assert read.headers["cache-control"] == PRIVATE
    mine = await client.get("/api/v1/users/me/posts", headers=alice.headers)
    assert mine.headers["cache-control"] == PRIVATE
    again = await client.get(
        "/api/v1/users/me/posts",
        headers={**alice.headers, "If-None-Match": mine.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.headers["cache-control"] == PRIVATE


async def test_errors_are_not_cached(client: httpx.AsyncClient) -> None:
    for url in (f"{LIST}?page=0", f"{LIST}/no-such-post", "/api/v1/tags/nothing"):
        response = await client.get(url, headers={"If-None-Match": "*"})
        assert response.status_code in {404, 422}
        assert "public" not in response.headers.get("cache-control", "")
        assert "etag" not in response.headers


@pytest.mark.usefixtures("post")
async def test_tags_likes_and_profiles_revalidate(
    client: httpx.AsyncClient, post: PostRow, bob: Account
) -> None:
    assert (await client.put(f"{LIST}/{post.id}/like", headers=bob.headers)).status_code == 200
    for url in (
        "/api/v1/tags",
        "/api/v1/tags/python",
        "/api/v1/users/bob/likes",
        "/api/v1/users/alice",
    ):
        first, again = await revalidated(client, url)
        assert first.headers["cache-control"] == PUBLIC, url
        assert_not_modified(first, again)


async def test_feed_and_bookmarks_are_private(
    client: httpx.AsyncClient, post: PostRow, bob: Account
) -> None:
    await client.put("/api/v1/users/alice/follow", headers=bob.headers)
    await client.put(f"{LIST}/{post.id}/bookmark", headers=bob.headers)
    for url in ("/api/v1/feed", "/api/v1/users/me/bookmarks"):
        first, again = await revalidated(client, url, bob.headers)
        assert first.json()["items"], url
        assert first.headers["cache-control"] == PRIVATE
        assert_not_modified(first, again)


@pytest.mark.usefixtures("post")
async def test_max_age_zero_turns_public_caching_off(app_state: AppState) -> None:
    state = copy.copy(app_state)
    state.settings = app_state.settings.model_copy(update={"http_cache_max_age": 0})
    async with api_client(state) as client:
        first, again = await revalidated(client, LIST)
    assert first.headers["cache-control"] == "no-cache"
    assert_not_modified(first, again)


async def test_openapi_lists_304_without_a_body(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (LIST, f"{LIST}/search", f"{LIST}/{{id_or_slug}}", "/api/v1/tags", "/api/articles"):
        not_modified = paths[path]["get"]["responses"]["304"]
        assert "content" not in not_modified, path
