"""Per-user write rates (posts, comments) and per-IP view counting answer 429 (SECURITY 32)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.models.comment import Comment
from inkwell.models.post import Post
from tests.conftest import api_client, make_settings
from tests.factories import create_post, create_user, signed_in_headers

LIMIT = 2


@pytest.fixture
def strict(app_state: AppState) -> AppState:
    app_state.settings = make_settings(
        app_state.settings.database_url or "",
        rate_limit_post_writes_per_user=LIMIT,
        rate_limit_comment_writes_per_user=LIMIT,
        rate_limit_views_per_ip=LIMIT,
    )
    return app_state


def _post(n: int) -> dict[str, str]:
    return {"title": f"Post number {n}", "content_raw": "Some *words*.", "status": "published"}


async def test_post_writes_are_limited_per_user(strict: AppState, session: AsyncSession) -> None:
    writer, other = await create_user(session), await create_user(session)
    async with api_client(strict) as client:
        headers = await signed_in_headers(strict, writer)
        codes = [
            (await client.post("/api/v1/posts", json=_post(n), headers=headers)).status_code
            for n in range(LIMIT + 1)
        ]
        limited = await client.post("/api/v1/posts", json=_post(9), headers=headers)
        others = await client.post(
            "/api/v1/posts", json=_post(10), headers=await signed_in_headers(strict, other)
        )
    assert codes == [201] * LIMIT + [429]
    assert limited.headers["retry-after"]
    assert limited.json()["code"] == "rate_limited"
    assert others.status_code == 201  # the limit is the writer's, not everyone's
    count = await session.scalar(select(func.count()).select_from(Post))
    assert count == LIMIT + 1


async def test_comment_writes_are_limited_per_user(strict: AppState, session: AsyncSession) -> None:
    author = await create_user(session)
    post = await create_post(session, author)
    async with api_client(strict) as client:
        headers = await signed_in_headers(strict, author)
        codes = [
            (
                await client.post(
                    f"/api/v1/posts/{post.id}/comments",
                    json={"content": f"comment {n}"},
                    headers=headers,
                )
            ).status_code
            for n in range(LIMIT + 1)
        ]
    assert codes == [201] * LIMIT + [429]
    assert await session.scalar(select(func.count()).select_from(Comment)) == LIMIT


async def test_views_are_limited_per_ip(strict: AppState, session: AsyncSession) -> None:
    post = await create_post(session, await create_user(session))
    async with api_client(strict) as client:
        codes = [
            (
                await client.post(
                    f"/api/v1/posts/{post.id}/views", headers={"User-Agent": f"agent {n}"}
                )
            ).status_code
            for n in range(LIMIT + 1)
        ]
    assert codes == [200] * LIMIT + [429]


async def test_anonymous_writes_are_401_not_429(strict: AppState) -> None:
    async with api_client(strict) as client:
        codes = [
            (await client.post("/api/v1/posts", json=_post(n))).status_code
            for n in range(LIMIT + 2)
        ]
    assert set(codes) == {401}


async def test_realworld_writes_share_the_limits(strict: AppState, session: AsyncSession) -> None:
    writer = await create_user(session)
    async with api_client(strict) as client:
        token = (
            await client.post(
                "/api/users/login",
                json={"user": {"email": writer.email, "password": "correct horse battery staple"}},
            )
        ).json()
        headers = {"Authorization": f"Token {token['user']['token']}"}
        codes = [
            (
                await client.post(
                    "/api/articles",
                    headers=headers,
                    json={"article": {"title": f"Article {n}", "description": "d", "body": "b"}},
                )
            ).status_code
            for n in range(LIMIT + 1)
        ]
    assert codes == [201] * LIMIT + [429]
