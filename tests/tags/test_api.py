"""Tags: created on the fly by name, counted over public posts only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.models.post import Tag
from tests.factories import create_post, create_user, signed_in_headers

TAGS = "/api/v1/tags"


@pytest.fixture
async def tagged(session: AsyncSession) -> None:
    author = await create_user(session, username="writer")
    await create_post(session, author, tags=["Python", "Zebra"])
    await create_post(session, author, tags=["python", "apple"])
    await create_post(session, author, tags=["PYTHON"], status="draft")
    await create_post(session, author, tags=["Apple"], status="archived")


@pytest.mark.usefixtures("tagged")
async def test_tags_are_case_insensitive_and_counted_over_public_posts(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    assert await session.scalar(select(func.count()).select_from(Tag)) == 3
    by_name = (await client.get(TAGS)).json()
    assert by_name["total"] == 3
    assert [(t["name"], t["post_count"]) for t in by_name["items"]] == [
        ("apple", 1),
        ("Python", 2),
        ("Zebra", 1),
    ]
    second = (await client.get(TAGS, params={"page": 2, "page_size": 2})).json()
    assert [(t["name"], t["post_count"]) for t in second["items"]] == [("Zebra", 1)]
    by_count = (await client.get(TAGS, params={"sort": "count", "page_size": 1})).json()
    assert [t["slug"] for t in by_count["items"]] == ["python"]
    one = await client.get(f"{TAGS}/python")
    assert one.status_code == 200
    assert one.json() == {"name": "Python", "slug": "python", "description": None, "post_count": 2}


@pytest.mark.parametrize("slug", ["missing", "%00", "%25", "UPPER", "a" * 61])
async def test_unknown_or_hostile_tag_slugs(client: httpx.AsyncClient, slug: str) -> None:
    assert (await client.get(f"{TAGS}/{slug}")).status_code in {404, 422}


@pytest.mark.parametrize("query", ["sort=size", "page=0", "page_size=101"])
async def test_bad_tag_list_parameters(client: httpx.AsyncClient, query: str) -> None:
    assert (await client.get(f"{TAGS}?{query}")).status_code == 422


async def test_tags_of_unpublished_posts_only_are_not_public(
    client: httpx.AsyncClient, app_state: AppState, session: AsyncSession
) -> None:
    author = await create_user(session, username="insider")
    await create_post(session, author, tags=["news"])
    await create_post(session, author, tags=["news", "acme-acquisition"], status="draft")
    later = datetime.now(UTC) + timedelta(days=1)
    await create_post(session, author, tags=["launch"], status="scheduled", published_at=later)
    headers = await signed_in_headers(app_state, author)
    for sort in ("name", "count"):
        listed = (await client.get(TAGS, params={"sort": sort}, headers=headers)).json()
        assert [(t["slug"], t["post_count"]) for t in listed["items"]] == [("news", 1)]
        assert listed["total"] == 1
        past_the_end = (await client.get(TAGS, params={"sort": sort, "page": 2})).json()
        assert (past_the_end["items"], past_the_end["total"]) == ([], 1)
    for slug in ("acme-acquisition", "launch"):
        # Hidden from everyone, the author too: 404, as for a tag that does not exist.
        assert (await client.get(f"{TAGS}/{slug}", headers=headers)).status_code == 404
    assert (await client.get(f"{TAGS}/news")).json()["post_count"] == 1
