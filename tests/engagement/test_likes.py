"""Likes and bookmarks: idempotent PUT/DELETE, counts, who may, flags and the two lists."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.engagement import Bookmark, Like
from inkwell.models.post import Post
from inkwell.posts.records import PostRow
from tests.factories import create_post, like
from tests.posts.conftest import Account, StatementCounter

POSTS = "/api/v1/posts"


async def marked_in_order(
    session: AsyncSession, table: type[Like | Bookmark], posts: list[PostRow]
) -> None:
    """Space the marks of `posts` a minute apart, in this order (a test runs in one transaction,
    where now() never moves)."""
    for n, post in enumerate(reversed(posts)):
        await session.execute(
            update(table)
            .where(table.post_id == post.id)
            .values(created_at=func.now() - timedelta(minutes=n))
        )


async def test_like_is_idempotent_and_returns_state_and_count(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    post = await create_post(session, alice.user, title="Likeable")
    url = f"{POSTS}/{post.id}/like"
    first = await client.put(url, headers=bob.headers)
    assert (first.status_code, first.json()) == (200, {"liked": True, "likes_count": 1})
    again = await client.put(url, headers=bob.headers)
    assert again.json() == {"liked": True, "likes_count": 1}
    by_slug = await client.put(f"{POSTS}/{post.slug}/like", headers=alice.headers)
    assert by_slug.json() == {"liked": True, "likes_count": 2}
    gone = await client.delete(url, headers=bob.headers)
    assert gone.json() == {"liked": False, "likes_count": 1}
    still_gone = await client.delete(url, headers=bob.headers)
    assert still_gone.json() == {"liked": False, "likes_count": 1}
    rows = await session.scalar(select(func.count()).select_from(Like))
    assert rows == 1


async def test_bookmark_is_idempotent_and_returns_state_and_count(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    post = await create_post(session, alice.user)
    url = f"{POSTS}/{post.slug}/bookmark"
    assert (await client.put(url, headers=bob.headers)).json() == {
        "bookmarked": True,
        "bookmarks_count": 1,
    }
    assert (await client.put(url, headers=bob.headers)).json()["bookmarks_count"] == 1
    assert (await client.delete(url, headers=bob.headers)).json() == {
        "bookmarked": False,
        "bookmarks_count": 0,
    }
    assert (await client.delete(url, headers=bob.headers)).json()["bookmarks_count"] == 0
    assert await session.scalar(select(func.count()).select_from(Bookmark)) == 0


@pytest.mark.parametrize("what", ["like", "bookmark"])
async def test_marking_needs_a_signed_in_user_and_a_visible_post(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account, what: str
) -> None:
    public = await create_post(session, alice.user)
    draft = await create_post(session, alice.user, status="draft")
    assert (await client.put(f"{POSTS}/{public.id}/{what}")).status_code == 401
    assert (await client.delete(f"{POSTS}/{public.id}/{what}")).status_code == 401
    for ref in (draft.id, draft.slug, "no-such-post", "00000000-0000-0000-0000-000000000000"):
        response = await client.put(f"{POSTS}/{ref}/{what}", headers=bob.headers)
        assert response.status_code == 404, ref
        assert response.json()["code"] == "post_not_found"
    # The author sees their own draft, so may mark it.
    assert (
        await client.put(f"{POSTS}/{draft.id}/{what}", headers=alice.headers)
    ).status_code == 200


async def test_an_old_slug_reaches_the_post(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    post = await create_post(session, alice.user, title="Before")
    renamed = await client.patch(
        f"{POSTS}/{post.id}", json={"slug": "after"}, headers=alice.headers
    )
    assert renamed.status_code == 200
    response = await client.put(f"{POSTS}/before/like", headers=bob.headers)
    assert response.json() == {"liked": True, "likes_count": 1}


async def test_a_like_is_not_an_edit(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    post = await create_post(session, alice.user)
    before = (await client.get(f"{POSTS}/{post.id}")).json()
    await client.put(f"{POSTS}/{post.id}/like", headers=bob.headers)
    after = (await client.get(f"{POSTS}/{post.id}")).json()
    assert (after["updated_at"], after["version"]) == (before["updated_at"], before["version"])
    assert after["likes_count"] == 1


async def test_flags_show_the_readers_own_likes_and_bookmarks(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    liked = await create_post(session, alice.user, title="Liked", tags=["x"])
    kept = await create_post(session, alice.user, title="Kept", tags=["x"])
    await client.put(f"{POSTS}/{liked.id}/like", headers=bob.headers)
    await client.put(f"{POSTS}/{kept.id}/bookmark", headers=bob.headers)

    def flags(items: list[dict[str, object]]) -> dict[object, tuple[object, object]]:
        return {i["title"]: (i["liked_by_me"], i["bookmarked_by_me"]) for i in items}

    expected = {"Liked": (True, False), "Kept": (False, True)}
    assert flags((await client.get(POSTS, headers=bob.headers)).json()["items"]) == expected
    searched = await client.get(f"{POSTS}/search", params={"q": "markdown"}, headers=bob.headers)
    assert flags(searched.json()["items"]) == expected
    one = (await client.get(f"{POSTS}/{liked.slug}", headers=bob.headers)).json()
    assert (one["liked_by_me"], one["bookmarked_by_me"]) == (True, False)
    nobody = {"Liked": (False, False), "Kept": (False, False)}
    assert flags((await client.get(POSTS)).json()["items"]) == nobody
    assert flags((await client.get(POSTS, headers=alice.headers)).json()["items"]) == nobody
    anonymous = (await client.get(f"{POSTS}/{liked.slug}")).json()
    assert anonymous["liked_by_me"] is False


async def test_the_author_sees_their_own_flags_after_writing(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    post = await create_post(session, alice.user)
    await client.put(f"{POSTS}/{post.id}/like", headers=alice.headers)
    edited = await client.patch(f"{POSTS}/{post.id}", json={"title": "New"}, headers=alice.headers)
    assert edited.json()["liked_by_me"] is True
    mine = (await client.get("/api/v1/users/me/posts", headers=alice.headers)).json()
    assert mine["items"][0]["liked_by_me"] is True


async def test_my_bookmarks_newest_first_paged_and_only_visible(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    first = await create_post(session, alice.user, title="First")
    second = await create_post(session, alice.user, title="Second")
    third = await create_post(session, alice.user, title="Third")
    own_draft = await create_post(session, bob.user, title="Own draft", status="draft")
    for post in (second, first, third, own_draft):  # bookmarked in this order
        await client.put(f"{POSTS}/{post.id}/bookmark", headers=bob.headers)
    await marked_in_order(session, Bookmark, [second, first, third, own_draft])
    url = "/api/v1/users/me/bookmarks"
    assert (await client.get(url)).status_code == 401
    page = (await client.get(url, params={"page_size": 3}, headers=bob.headers)).json()
    assert [i["title"] for i in page["items"]] == ["Own draft", "Third", "First"]
    assert (page["total"], page["page"], page["page_size"]) == (4, 1, 3)
    assert all(i["bookmarked_by_me"] for i in page["items"])
    rest = (await client.get(url, params={"page": 2, "page_size": 3}, headers=bob.headers)).json()
    assert [i["title"] for i in rest["items"]] == ["Second"]
    # Alice takes "Third" back to draft: Bob can no longer see it, so it leaves his list.
    await client.post(f"{POSTS}/{third.id}/unpublish", headers=alice.headers)
    titles = [i["title"] for i in (await client.get(url, headers=bob.headers)).json()["items"]]
    assert titles == ["Own draft", "First", "Second"]
    assert (
        await client.get(url, params={"page_size": 101}, headers=bob.headers)
    ).status_code == 422


async def test_staff_see_every_live_post_in_their_lists(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, moderator: Account
) -> None:
    post = await create_post(session, alice.user, title="Later hidden")
    await client.put(f"{POSTS}/{post.id}/bookmark", headers=moderator.headers)
    await client.post(f"{POSTS}/{post.id}/unpublish", headers=alice.headers)
    page = (await client.get("/api/v1/users/me/bookmarks", headers=moderator.headers)).json()
    assert [i["title"] for i in page["items"]] == ["Later hidden"]


async def test_a_users_likes_are_public_posts_newest_like_first(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    old = await create_post(session, alice.user, title="Old")
    new = await create_post(session, alice.user, title="New")
    archived = await create_post(session, alice.user, title="Archived")
    hidden = await create_post(session, bob.user, title="Bob's draft", status="draft")
    for post in (new, archived, old, hidden):
        await like(session, bob.user, post)
    await client.patch(f"{POSTS}/{archived.id}", json={"status": "archived"}, headers=alice.headers)
    await marked_in_order(session, Like, [new, archived, old])
    url = "/api/v1/users/bob/likes"
    anonymous = (await client.get(url)).json()
    assert [i["title"] for i in anonymous["items"]] == ["Old", "Archived", "New"]
    assert anonymous["total"] == 3
    assert not any(i["liked_by_me"] for i in anonymous["items"])
    # Bob reading his own list also sees his own draft, and his flags.
    own = (await client.get(url, headers=bob.headers)).json()
    assert own["total"] == 4
    assert all(i["liked_by_me"] for i in own["items"])
    paged = (await client.get(url, params={"page": 2, "page_size": 2})).json()
    assert [i["title"] for i in paged["items"]] == ["New"]
    assert (await client.get("/api/v1/users/nobody/likes")).status_code == 404
    assert (await client.get("/api/v1/users/alice/likes")).json()["items"] == []


async def test_lists_with_flags_run_the_same_statements_for_1_and_100_posts(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    sql_statements: StatementCounter,
) -> None:
    posts = [await create_post(session, alice.user, tags=["a"])]
    for post in posts:
        await like(session, bob.user, post)
        await client.put(f"{POSTS}/{post.id}/bookmark", headers=bob.headers)
    urls = ["/api/v1/users/me/bookmarks?page_size=100", "/api/v1/users/bob/likes?page_size=100"]

    async def count(url: str) -> int:
        sql_statements.reset()
        response = await client.get(url, headers=bob.headers)
        assert response.status_code == 200
        return sql_statements.count

    one = [await count(url) for url in urls]
    for _ in range(99):
        post = await create_post(session, alice.user, tags=["a", "b"])
        await like(session, bob.user, post)
        await client.put(f"{POSTS}/{post.id}/bookmark", headers=bob.headers)
    many = [await count(url) for url in urls]
    page = (await client.get(urls[0], headers=bob.headers)).json()
    assert len(page["items"]) == 100
    # The caller's session, the page (with authors, tags and flags), the total;
    # the likes list also looks the user up.
    assert one == many == [3, 4]


async def test_counter_matches_rows_after_likes_and_unlikes(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    post = await create_post(session, alice.user)
    for who, method in [(bob, "put"), (alice, "put"), (bob, "delete"), (bob, "put")]:
        await client.request(method.upper(), f"{POSTS}/{post.id}/like", headers=who.headers)
    stored = await session.scalar(select(Post.likes_count).where(Post.id == post.id))
    rows = await session.scalar(select(func.count()).select_from(Like))
    assert stored == rows == 2
