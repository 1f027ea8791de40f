"""Plan caching on the production engine: a point lookup reuses PostgreSQL's cached generic plan;
a list of one tag reads post_tags' index with the tag bound, and a tag beside other filters is
written into the list statement, so each is planned for its own statistics."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from inkwell.core.state import AppState
from inkwell.models import Base
from inkwell.models.post import Tag
from tests.conftest import api_client, make_settings
from tests.factories import create_post, create_user


@pytest.fixture(params=[True, False], ids=["driver-reads", "sqlalchemy-reads"])
async def production(
    request: pytest.FixtureRequest, database_url: str, engine: AsyncEngine
) -> AsyncIterator[AppState]:
    """The app's own engine (one pooled connection, so every read runs on it); tables emptied
    afterwards."""
    settings = make_settings(
        database_url, db_pool_size=1, db_max_overflow=0, db_driver_reads=request.param
    )
    state = AppState.build(settings)
    yield state
    await state.close()
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} CASCADE"))


async def prepared(state: AppState) -> list[tuple[str, int, int]]:
    """The prepared statements of the pool's one connection: text, generic and custom plans."""
    async with state.engine.connect() as connection:
        mode = (await connection.execute(text("SHOW plan_cache_mode"))).scalar_one()
        assert mode == "auto"
        rows = await connection.execute(
            text("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        )
        return [(row[0], row[1], row[2]) for row in rows]


@pytest.fixture
async def client(production: AppState) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(production) as client:
        yield client


async def test_a_post_read_by_slug_skips_the_planner_after_five_runs(
    production: AppState, client: httpx.AsyncClient
) -> None:
    async with production.sessionmaker() as session:
        author = await create_user(session)
        post = await create_post(session, author, title="Cached plans")
    for _ in range(8):
        assert (await client.get(f"/api/v1/posts/{post.slug}")).status_code == 200
    by_slug = [
        (generic, custom)
        for statement, generic, custom in await prepared(production)
        if re.search(r"WHERE posts\.slug = \$\d", statement)
    ]
    assert len(by_slug) == 1
    generic, custom = max(by_slug)
    assert custom <= 5
    assert generic >= 3


async def test_one_tag_is_bound_and_tags_beside_other_filters_are_written(
    production: AppState, client: httpx.AsyncClient
) -> None:
    """A list of one tag reads post_tags' own index, a plan right for every tag: one statement,
    the tag bound. Tags beside other filters are written into the text: one statement each."""
    async with production.sessionmaker() as session:
        author = await create_user(session)
        await create_post(session, author, tags=["common", "rare"])
        await create_post(session, author, tags=["common"])
        tag_ids = dict(list(await session.execute(select(Tag.slug, Tag.id))))
    for query, count in (("tag=common", 2), ("tag=rare", 1), ("tag=common", 2)):
        response = await client.get(f"/api/v1/posts?{query}")
        assert response.status_code == 200
        assert response.json()["total"] == count
    statements = [s for s, _, _ in await prepared(production)]
    one_tag = [s for s in statements if re.search(r"post_tags\.tag_id = \$\d", s)]
    assert len(one_tag) == 1
    assert "post_tags.listed_at <=" in one_tag[0]
    for query, count in (("tag=common&tag=rare", 1), ("tag=common&sort=popular", 2)):
        response = await client.get(f"/api/v1/posts?{query}")
        assert response.status_code == 200
        assert response.json()["total"] == count
    ids = [str(tag_ids["common"]), str(tag_ids["rare"])]
    written = sorted(
        tuple(i for i in ids if i in statement)
        for statement in (s for s, _, _ in await prepared(production))
        if re.search(r"post_tags\.tag_id = '", statement)
    )
    assert written == [(ids[0],), (ids[0], ids[1])]  # tag and sort; both tags
