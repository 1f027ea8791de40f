"""Concurrent writers over real, separate transactions."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.posts.repository import PostRepository
from inkwell.posts.service import PostService
from inkwell.tags.repository import TagRepository
from tests.factories import create_user, outbox, signed_in_headers

POSTS = "/api/v1/posts"


async def test_concurrent_posts_with_the_same_title_get_distinct_slugs(
    committing_state: AppState, committing_client: httpx.AsyncClient
) -> None:
    async with committing_state.sessionmaker() as session:
        user = await create_user(session, username="racer")
    headers = await signed_in_headers(committing_state, user)

    async def write(slug: str | None) -> httpx.Response:
        body = {"title": "Same title", "content_raw": "x", "tags": ["race", "Race"]}
        if slug:
            body["slug"] = slug
        return await committing_client.post(POSTS, json=body, headers=headers)

    generated = await asyncio.gather(*(write(None) for _ in range(6)))
    assert [r.status_code for r in generated] == [201] * 6, [r.text for r in generated]
    assert len({r.json()["slug"] for r in generated}) == 6
    explicit = await asyncio.gather(*(write("fixed") for _ in range(4)))
    assert sorted(r.status_code for r in explicit) == [201, 409, 409, 409]


async def test_lost_slug_race_on_update_is_a_conflict(
    committing_state: AppState, committing_client: httpx.AsyncClient
) -> None:
    async with committing_state.sessionmaker() as session:
        user = await create_user(session, username="renamer")
    headers = await signed_in_headers(committing_state, user)
    ids = [
        (
            await committing_client.post(
                POSTS, headers=headers, json={"title": f"p{n}", "content_raw": "x"}
            )
        ).json()["id"]
        for n in range(4)
    ]
    renames = await asyncio.gather(
        *(
            committing_client.patch(f"{POSTS}/{post_id}", json={"slug": "wanted"}, headers=headers)
            for post_id in ids
        )
    )
    assert sorted(r.status_code for r in renames) == [200, 409, 409, 409]


async def test_generated_slug_retries_after_losing_the_race(session: AsyncSession) -> None:
    author = await create_user(session, username="unlucky")
    repository = PostRepository(session)
    service = PostService(posts=repository, tags=TagRepository(session), events=outbox(session))
    calls = 0
    real = repository.taken_slugs

    async def blind(candidates: Sequence[str], exclude: uuid.UUID | None = None) -> set[str]:
        nonlocal calls
        calls += 1
        return set() if calls == 1 else await real(candidates, exclude)

    from inkwell.posts.schemas import PostCreate  # noqa: PLC0415

    data = PostCreate(title="Taken", content_raw="x")
    await service.create(author=author, data=data)
    repository.taken_slugs = blind  # type: ignore[method-assign]
    record = await service.create(author=author, data=data)
    assert record.post.slug.startswith("taken-")
    assert len(record.post.slug) == len("taken-") + 6
    assert calls == 1
