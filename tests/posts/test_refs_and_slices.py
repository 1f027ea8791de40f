"""Posts named by slug for updates and deletes, offset slices with exact counts, liked_by."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.posts.exceptions import PostNotFound
from inkwell.posts.repository import PostRepository
from inkwell.posts.schemas import PostUpdate
from inkwell.posts.service import PostService
from inkwell.tags.repository import TagRepository
from tests.factories import create_post, like, outbox
from tests.posts.conftest import Account


def service(session: AsyncSession) -> PostService:
    return PostService(
        posts=PostRepository(session), tags=TagRepository(session), events=outbox(session)
    )


async def test_update_and_delete_by_current_or_old_slug(
    session: AsyncSession, alice: Account
) -> None:
    posts = service(session)
    await create_post(session, alice.user, title="First title")
    renamed = await posts.update(
        post_ref="first-title",
        editor=alice.user,
        changes=PostUpdate(title="Second title", slug=None),
        if_match=None,
    )
    assert renamed.post.slug == "second-title"  # slug: null with a title makes a new slug
    again = await posts.update(
        post_ref="first-title",  # the old slug still names the post
        editor=alice.user,
        changes=PostUpdate(content_raw="New"),
        if_match=None,
    )
    assert again.post.id == renamed.post.id
    current = await posts.read_current(id_or_slug="first-title", viewer=None)
    assert current.post.slug == "second-title"
    await posts.delete(post_ref="second-title", user=alice.user, if_match=None)
    for ref in ("second-title", "first-title", "Not a slug!"):
        with pytest.raises(PostNotFound):
            await posts.delete(post_ref=ref, user=alice.user, if_match=None)


async def test_slices_count_every_match(
    session: AsyncSession, alice: Account, bob: Account
) -> None:
    for n in range(5):
        await create_post(session, alice.user, title=f"P{n}", tags=["Deep Learning"])
    posts = service(session)
    page = await posts.list_slice(limit=2, offset=3, tag="Deep Learning")
    assert [r.post.title for r in page.items] == ["P1", "P0"]
    assert (page.total, page.page, page.page_size) == (5, 2, 2)
    assert (await posts.list_slice(limit=2, offset=0, tag="deep-learning")).total == 5
    assert (await posts.list_slice(limit=2, offset=0, tag="other")).total == 0
    assert (await posts.list_slice(limit=2, offset=0, liked_by="bob")).total == 0


async def test_v1_lists_filter_by_liked_by(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, bob: Account
) -> None:
    liked = await create_post(session, alice.user, title="Liked")
    await create_post(session, alice.user, title="Not liked")
    await like(session, bob.user, liked)
    response = await client.get("/api/v1/posts?liked_by=BOB")
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == ["Liked"]
    assert response.json()["total"] == 1
    invalid = await client.get("/api/v1/posts?liked_by=not%20a%20name")
    assert invalid.status_code == 422


async def test_a_read_of_the_source_loads_neither_html_nor_series(
    session: AsyncSession, alice: Account
) -> None:
    """RealWorld's article shows the Markdown source only: its read leaves out the rendered
    HTML, the JSON content and the series, and otherwise reads what the full read does."""
    posts = service(session)
    await create_post(session, alice.user, title="Source only", content="Some *source*.")
    full = await posts.read_current(id_or_slug="source-only", viewer=None)
    source = await posts.read_current(id_or_slug="source-only", viewer=alice.user, content="source")
    assert "<em>source</em>" in (full.post.content_html or "")
    assert source.post.content_raw == "Some *source*."
    assert source.post.content_html is None
    assert source.post.content_json is None
    assert source.series is None
    assert source.show_raw  # the author's own post
    same = ("id", "slug", "title", "summary", "version", "updated_at", "likes_count")
    assert all(getattr(source.post, key) == getattr(full.post, key) for key in same)
    assert (source.author, source.tags) == (full.author, full.tags)
