"""Who sees a post is declared once (posts.policy): the SQL predicates the queries use agree
with the Python checks, and the partial indexes cover the same rule."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import ColumnElement, false, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.db import DriverSelect
from inkwell.models.post import Post, PostStatus
from inkwell.models.user import Role, User
from inkwell.models.visibility import LISTED, PUBLIC
from inkwell.posts.filters import PostQuery
from inkwell.posts.policy import can_see, is_listed, is_public
from inkwell.posts.reads import list_shape, list_statements
from inkwell.posts.records import PostRow
from tests.factories import create_post, create_user

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
READERS = ("anonymous", "author", "other", "moderator", "admin")


@pytest.fixture
async def people(session: AsyncSession) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "author": await create_user(session, username="vis_author"),
        "other": await create_user(session, username="vis_other"),
        "moderator": await create_user(session, username="vis_mod", role=Role.MODERATOR),
        "admin": await create_user(session, username="vis_admin", role=Role.ADMIN),
    }


@pytest.fixture
async def subject(session: AsyncSession, people: dict[str, User | None]) -> PostRow:
    author = people["author"]
    assert author is not None
    return await create_post(session, author, title="Seen or not")


posts = st.fixed_dictionaries(
    {
        "status": st.sampled_from(list(PostStatus)),
        "published_at": st.one_of(
            st.none(),
            st.just(NOW),
            st.timedeltas(min_value=timedelta(days=-400), max_value=timedelta(days=400)).map(
                lambda offset: NOW + offset
            ),
        ),
        "deleted_at": st.sampled_from([None, NOW - timedelta(days=1)]),
        "written_by": st.sampled_from(READERS[1:]),
    }
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(post=posts)
async def test_the_sql_predicates_agree_with_the_policy(
    session: AsyncSession, people: dict[str, User | None], subject: PostRow, post: dict[str, Any]
) -> None:
    writer = people[post["written_by"]]
    assert writer is not None
    values = {key: post[key] for key in ("status", "published_at", "deleted_at")}
    await session.execute(
        update(Post).where(Post.id == subject.id).values(author_id=writer.id, **values)
    )
    row = (
        await session.execute(
            select(Post, _holds(PUBLIC.where(NOW)), _holds(LISTED.where(NOW)))
            .where(Post.id == subject.id)
            .execution_options(populate_existing=True)
        )
    ).one()
    stored, public_in_sql, listed_in_sql = row
    assert is_public(stored, NOW) is public_in_sql
    assert is_listed(stored, NOW) is listed_in_sql
    for reader in READERS:
        user = people[reader]
        privileged = user is not None and (
            user.id == writer.id or user.role in {Role.MODERATOR, Role.ADMIN}
        )
        assert can_see(stored, user, NOW) is (public_in_sql or privileged)


def _holds(predicate: ColumnElement[bool]) -> ColumnElement[bool]:
    """The predicate as a WHERE clause reads it: NULL (a post never published) is false."""
    return func.coalesce(predicate, false())


_STATUSES = re.compile(r"'(\w+)'::")


async def test_the_partial_indexes_cover_the_listed_rule(session: AsyncSession) -> None:
    rows = await session.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'posts' "
            "AND indexname IN ('ix_posts_feed', 'ix_posts_popular', 'ix_posts_author_feed')"
        )
    )
    predicates = {name: definition.split(" WHERE ", 1)[1] for name, definition in rows}
    assert len(predicates) == 3
    listed = {status.value for status in LISTED.statuses}
    for predicate in predicates.values():
        assert set(_STATUSES.findall(predicate)) == listed
        assert "deleted_at IS NULL" in predicate


_PARTIAL = {"ix_posts_feed", "ix_posts_popular", "ix_posts_author_feed"}


@pytest.fixture
async def many_posts(session: AsyncSession, subject: PostRow) -> None:
    """2,000 copies of a post in every status, and fresh statistics: enough rows for the
    planner to choose as it does in production."""
    copied = [
        column.name
        for column in Post.__table__.columns
        if column.computed is None and column.name not in {"id", "slug", "status", "published_at"}
    ]
    columns = ", ".join(copied)
    await session.execute(
        text(
            f"INSERT INTO posts (id, slug, status, published_at, {columns}) "  # noqa: S608 - the model's column names
            "SELECT gen_random_uuid(), 'copy-' || n, "
            "(ARRAY['draft', 'published', 'scheduled', 'archived'])[1 + n % 4]::post_status, "
            f"now() - n * interval '1 hour', {columns} "
            "FROM posts, generate_series(1, 2000) AS n WHERE posts.id = :id"
        ),
        {"id": subject.id},
    )
    await session.execute(text("ANALYZE posts"))


@pytest.mark.usefixtures("many_posts")
@pytest.mark.parametrize(
    ("sort", "index"),
    [("newest", "ix_posts_feed"), ("oldest", "ix_posts_feed"), ("popular", "ix_posts_popular")],
)
async def test_the_public_list_is_read_from_the_partial_indexes(
    session: AsyncSession, sort: str, index: str
) -> None:
    """The page is read in its order from an index whose predicate is the listed rule (the
    query's predicate implies it); no other index of posts serves the list but the primary
    key. (Counting a thousand of 2,000 rows, the planner rightly prefers a sequential scan.)"""
    shape, params = list_shape(PostQuery(now=datetime.now(UTC), sort=sort), None)
    plan = await _explain(session, list_statements(shape).page, params)
    used = set(re.findall(r"Scan(?: Backward)? using (\w+) on posts", plan))
    assert index in used
    assert used <= _PARTIAL | {"pk_posts"}


async def _explain(session: AsyncSession, statement: DriverSelect, params: dict[str, Any]) -> str:
    """The plan of a DriverSelect as the driver sends it."""
    connection = await session.connection()
    compiled = statement._compiled_for(connection.dialect)
    driver: Any = (await connection.get_raw_connection()).driver_connection
    rows = await driver.fetch("EXPLAIN " + compiled.sql, *compiled.arguments(params))
    return "\n".join(row[0] for row in rows)
