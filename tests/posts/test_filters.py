"""The list filters' declarations: every cached statement gets exactly the values it names."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Select
from sqlalchemy.dialects import postgresql

from inkwell.core.db import DriverSelect
from inkwell.feeds.repository import _COUNT, page_statement
from inkwell.posts.filters import LIST_FILTERS, PostQuery, filter_values
from inkwell.posts.reads import list_shape, list_statements
from inkwell.posts.search import search_params, search_statement

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]
moments = st.datetimes(timezones=st.just(UTC))
names = st.sampled_from(["Ada", "grace"])
keysets = st.tuples(moments, st.uuids())

queries = st.builds(
    PostQuery,
    now=st.just(NOW),
    author=st.none() | names,
    tag_ids=st.lists(st.uuids(), max_size=3),
    q=st.none() | st.just("bread"),
    published_after=st.none() | moments,
    published_before=st.none() | moments,
    liked_by=st.none() | names,
    sort=st.sampled_from(["newest", "oldest", "popular", "relevance"]),
    after=st.none() | keysets,
    limit=st.integers(1, 100),
    offset=st.sampled_from([0, 40]),
    exact_total=st.booleans(),
)
viewers = st.none() | st.uuids()


def named(statement: Select[Any] | DriverSelect) -> set[str]:
    """The parameters a statement needs a value for (not the constants it carries)."""
    select = statement.statement if isinstance(statement, DriverSelect) else statement
    binds = select.compile(dialect=DIALECT).binds.values()
    return {bind.key for bind in binds if bind.required}


@settings(max_examples=150, deadline=None)
@given(query=queries, viewer_id=viewers)
def test_a_list_statement_gets_exactly_the_values_it_names(
    query: PostQuery, viewer_id: uuid.UUID | None
) -> None:
    shape, params = list_shape(query, viewer_id)
    statements = list_statements(shape)
    assert named(statements.page) == set(params)
    assert named(statements.count) <= set(params)


@settings(max_examples=60, deadline=None)
@given(query=queries, viewer_id=viewers)
def test_a_search_statement_gets_exactly_the_values_it_names(
    query: PostQuery, viewer_id: uuid.UUID | None
) -> None:
    search = PostQuery(now=NOW, q="bread", limit=query.limit, offset=query.offset)
    shape, params = search_params(search, viewer_id)
    assert named(search_statement(shape)) == set(params)
    assert named(list_statements(shape).count) <= set(params)


@given(
    tag_id=st.none() | st.uuids(),
    after=st.none() | keysets,
    offset=st.sampled_from([0, 20]),
)
def test_a_feed_statement_gets_exactly_the_values_it_names(
    tag_id: uuid.UUID | None, after: tuple[datetime, uuid.UUID] | None, offset: int
) -> None:
    statement, params = page_statement(
        uuid.uuid4(), now=NOW, tag_id=tag_id, after=after, limit=20, offset=offset
    )
    assert named(statement) == set(params)
    assert named(_COUNT) == {"follower_id", "now"}


def test_each_filter_reads_its_own_field_of_the_query() -> None:
    """Setting one field of PostQuery uses one filter, bound under that filter's name."""
    filters = {f.name for f in LIST_FILTERS}
    unfiltered = PostQuery(now=NOW)
    unfiltered_shape, unfiltered_params = filter_values(unfiltered)
    assert set(unfiltered_params) == {"now"}
    tag_ids = [uuid.uuid4(), uuid.uuid4()]
    values: dict[str, Any] = {
        "author": "Ada",
        "tag_ids": tag_ids,
        "q": "bread",
        "published_after": NOW - timedelta(days=1),
        "published_before": NOW,
        "liked_by": "Grace",
        "featured": True,
    }
    paging = {"now", "sort", "after", "limit", "offset", "exact_total"}
    assert {f.name for f in fields(PostQuery)} == set(values) | paging
    for field, value in values.items():
        shape, params = filter_values(PostQuery(now=NOW, **{field: value}))
        used = set(params) - {"now"}
        assert used, field
        assert {name.rsplit("_", 1)[0] if name[-1].isdigit() else name for name in used} < filters
        assert shape != unfiltered_shape
    _, tagged = filter_values(PostQuery(now=NOW, tag_ids=tag_ids))
    assert tagged == {"now": NOW, "tag_0": tag_ids[0], "tag_1": tag_ids[1]}
    assert filter_values(PostQuery(now=NOW, author="Ada"))[1]["author"] == "ada"
