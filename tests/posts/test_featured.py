"""Featured posts: editors and admins feature and unfeature a post; lists take
`featured=true`; responses say `featured` and `featured_at`."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.user import Role, User
from inkwell.posts.filters import PostQuery
from inkwell.posts.policy import can_feature
from inkwell.posts.reads import list_shape, list_statements
from tests.factories import create_post
from tests.posts.conftest import Account

POSTS = "/api/v1/posts"


def test_only_editors_and_admins_feature_posts() -> None:
    assert [can_feature(User(role=role)) for role in Role] == [
        role in (Role.EDITOR, Role.ADMIN) for role in Role
    ]


async def test_an_editor_features_a_post_and_the_list_filters_by_it(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, editor: Account
) -> None:
    first = await create_post(session, alice.user, title="First")
    second = await create_post(session, alice.user, title="Second")
    await create_post(session, alice.user, title="Plain")

    for post in (first, second):
        featured = await client.put(f"{POSTS}/{post.id}/featured", headers=editor.headers)
        assert featured.status_code == 200, featured.text
        assert featured.json()["featured"] is True
        assert featured.json()["featured_at"].endswith("Z")
        assert featured.json()["content_raw"] is not None  # editors edit every post

    page = (await client.get(POSTS, params={"featured": "true"})).json()
    assert [item["title"] for item in page["items"]] == ["Second", "First"]  # newest first
    assert page["total"] == 2
    assert all(item["featured"] for item in page["items"])
    everything = (await client.get(POSTS, params={"featured": "false"})).json()
    assert everything["total"] == 3
    assert [item["featured"] for item in everything["items"]] == [False, True, True]
    oldest = (await client.get(POSTS, params={"featured": "true", "sort": "oldest"})).json()
    assert [item["title"] for item in oldest["items"]] == ["First", "Second"]


async def test_featuring_twice_keeps_the_time_and_unfeaturing_takes_it_off(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, admin: Account
) -> None:
    post = await create_post(session, alice.user)
    url = f"{POSTS}/{post.id}/featured"
    once = (await client.put(url, headers=admin.headers)).json()
    twice = (await client.put(url, headers=admin.headers)).json()
    assert once["featured_at"] == twice["featured_at"]
    assert once["version"] == twice["version"] == post.version + 1  # the ETag changed once

    off = await client.delete(url, headers=admin.headers)
    assert off.status_code == 200
    assert off.json()["featured"] is False
    assert off.json()["featured_at"] is None
    assert (await client.get(POSTS, params={"featured": "true"})).json()["total"] == 0
    read = (await client.get(f"{POSTS}/{post.slug}")).json()
    assert read["featured"] is False


async def test_authors_moderators_and_readers_cannot_feature(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    moderator: Account,
) -> None:
    post = await create_post(session, alice.user)
    draft = await create_post(session, alice.user, status="draft")
    url = f"{POSTS}/{post.id}/featured"
    refused = await client.put(url, headers=alice.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_editor"
    assert (await client.put(url, headers=bob.headers)).status_code == 403
    assert (await client.put(url, headers=moderator.headers)).status_code == 403
    assert (await client.put(url)).status_code == 401
    assert (
        await client.put(f"{POSTS}/{draft.id}/featured", headers=bob.headers)
    ).status_code == 404
    stored = await session.scalar(
        text("SELECT featured_at FROM posts WHERE id = :id"), {"id": post.id}
    )
    assert stored is None


async def test_featured_drafts_stay_out_of_the_list(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, editor: Account
) -> None:
    draft = await create_post(session, alice.user, status="draft")
    assert (
        await client.put(f"{POSTS}/{draft.id}/featured", headers=editor.headers)
    ).status_code == 200
    assert (await client.get(POSTS, params={"featured": "true"})).json()["total"] == 0


async def test_the_featured_list_reads_its_partial_index(session: AsyncSession) -> None:
    """The `featured=true` page statement, as it runs, walks ix_posts_featured (the planner told
    to prefer indexes, as it would on a table of many posts)."""
    shape, params = list_shape(PostQuery(now=datetime.now(UTC), featured=True), None)
    connection = await session.connection()
    compiled = list_statements(shape).page._compiled_for(connection.dialect)
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = await driver.fetchval(
        f"EXPLAIN (FORMAT JSON) {compiled.text(params)}", *compiled.arguments(params)
    )
    assert "ix_posts_featured" in str(plan)
