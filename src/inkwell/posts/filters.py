"""The filters of public post lists, each declared once.

A `ListFilter` names a filter of `PostQuery`, the values it binds and the condition it adds.
The statement's shape (which filters it uses), the values bound into it and its WHERE clause are
all made from `LIST_FILTERS`: adding a filter is one entry here (and its field on `PostQuery`,
which the entry reads, typed). Statements are built once per shape and cached, so a filter
whose use changes the statement is `shaped`; one that every list applies is not.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    DateTime,
    String,
    Uuid,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.types import TypeEngine

from inkwell.models.engagement import Like
from inkwell.models.post import Post, PostTag
from inkwell.models.user import User
from inkwell.models.visibility import LISTED

_WHEN = DateTime(timezone=True)


@dataclass
class PostQuery:
    """Filters and order of a public post list, as the service resolved them."""

    now: datetime
    author: str | None = None
    tag_ids: Sequence[uuid.UUID] = ()
    q: str | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None
    liked_by: str | None = None  # a username: only posts that account likes
    featured: bool = False  # only featured posts (false: no filter)
    sort: str = "newest"
    after: tuple[datetime, uuid.UUID] | None = None
    limit: int = 20
    offset: int = 0
    exact_total: bool = False  # count every match instead of stopping past COUNT_LIMIT


@dataclass(frozen=True, slots=True)
class ListFilter:
    """One filter: its bound parameter's `name` and SQL type, the values a query gives it (none
    when the filter is unused), and the condition each value adds.

    A `repeated` filter adds one condition per value (all must hold), bound as `name_0`,
    `name_1`, ...; a filter that is not `shaped` is in every statement and always has a value.

    Statements run as prepared statements whose plan PostgreSQL caches (generic after five runs)
    when it costs no more than planning each time. A filter whose values are skewed, so that the
    best plan depends on the value (a tag on 40% of posts against one on ten), is `literal`: its
    values are written into the statement's text when it runs (SQLAlchemy's `literal_execute`),
    so each value is a statement of its own, planned for that value. Only typed values the
    service resolved (ids) may be literal, never the client's text.
    """

    name: str
    type_: TypeEngine[Any]
    values: Callable[[PostQuery], Sequence[Any]]
    condition: Callable[[BindParameter[Any]], ColumnElement[bool]]
    repeated: bool = False
    shaped: bool = True
    literal: bool = False

    def keys(self, count: int) -> list[str]:
        """The names `count` values are bound as."""
        if self.repeated:
            return [f"{self.name}_{n}" for n in range(count)]
        return [self.name][:count]

    def conditions(self, count: int) -> list[ColumnElement[bool]]:
        return [
            self.condition(bindparam(key, type_=self.type_, literal_execute=self.literal))
            for key in self.keys(count)
        ]


def search_text() -> BindParameter[Any]:
    """The `q` filter's bound parameter, for the statements that rank by it."""
    return bindparam("q", type_=String())


def tsquery(q: str | BindParameter[str]) -> Any:
    return func.websearch_to_tsquery(literal_column("'english'::regconfig"), q)


def _one(value: Any) -> tuple[Any, ...]:
    return () if value is None else (value,)


def _lower(name: str | None) -> str | None:
    return name.lower() if name is not None else None


def _username_id(name: BindParameter[Any]) -> Any:
    return (
        select(User.id)
        .where(func.lower(User.username) == name, User.deleted_at.is_(None))
        .scalar_subquery()
    )


def _tagged(tag_id: BindParameter[Any]) -> ColumnElement[bool]:
    # A tag id given as a value (not a subquery), and written into the statement (`literal`),
    # lets the planner use the tag's own statistics: a popular tag walks the feed index, a rare
    # one starts from post_tags.
    return exists().where(PostTag.post_id == Post.id, PostTag.tag_id == tag_id)


def _featured(flag: BindParameter[Any]) -> ColumnElement[bool]:
    # `flag` is always true and written into the text (`literal`), so the WHERE clause implies
    # ix_posts_featured's predicate and the planner can walk that index.
    return and_(Post.featured_at.is_not(None), flag)


def _liked_by(name: BindParameter[Any]) -> ColumnElement[bool]:
    return exists().where(Like.post_id == Post.id, Like.user_id == _username_id(name))


LIST_FILTERS: tuple[ListFilter, ...] = (
    ListFilter("now", _WHEN, lambda query: (query.now,), LISTED.where, shaped=False),
    ListFilter(
        "author",
        String(),
        lambda query: _one(_lower(query.author)),
        lambda name: Post.author_id == _username_id(name),
    ),
    ListFilter(
        "tag", Uuid(), lambda query: tuple(query.tag_ids), _tagged, repeated=True, literal=True
    ),
    ListFilter("liked_by", String(), lambda query: _one(_lower(query.liked_by)), _liked_by),
    ListFilter(
        "featured",
        Boolean(),
        lambda query: (True,) if query.featured else (),
        _featured,
        literal=True,
    ),
    ListFilter(
        "q",
        String(),
        lambda query: _one(query.q),  # bound as search_text()
        lambda q: Post.search_vector.bool_op("@@")(tsquery(q)),
    ),
    ListFilter(
        "published_after",
        _WHEN,
        lambda query: _one(query.published_after),
        lambda when: Post.published_at >= when,
    ),
    ListFilter(
        "published_before",
        _WHEN,
        lambda query: _one(query.published_before),
        lambda when: Post.published_at < when,
    ),
)
_SHAPED = tuple(f for f in LIST_FILTERS if f.shaped)
_ALWAYS = tuple(f for f in LIST_FILTERS if not f.shaped)
UNFILTERED = (0,) * len(_SHAPED)
"""The shape of a list that uses only the filters every list applies."""
ONE_TAG = tuple(int(f.name == "tag") for f in _SHAPED)
"""The shape of a list filtered by one tag and nothing else."""


def listed_with_tag() -> ColumnElement[bool]:
    """The WHERE clause of a `ONE_TAG` list on post_tags alone: the tag's links whose post is
    listed now. `post_tags.listed_at` is the post's published_at while the post is listed
    (live, published or scheduled), else NULL; the database keeps it (migration 0013)."""
    tag = next(f for f in _SHAPED if f.name == "tag")
    return and_(
        PostTag.tag_id == bindparam(tag.keys(1)[0], type_=tag.type_),
        PostTag.listed_at <= bindparam("now", type_=_WHEN),
    )


def filter_values(query: PostQuery) -> tuple[tuple[int, ...], dict[str, Any]]:
    """The shape of `query`'s filters (how many values each shaped filter has; 0: unused) and
    their values, by the names they are bound as. One pass: every list request runs it."""
    shape: list[int] = []
    params: dict[str, Any] = {}
    for f in LIST_FILTERS:
        values = f.values(query)
        if f.shaped:
            shape.append(len(values))
        if not values:
            continue
        if f.repeated:
            params.update(zip(f.keys(len(values)), values, strict=True))
        else:
            params[f.name] = values[0]
    return tuple(shape), params


def filter_conditions(shape: tuple[int, ...]) -> list[ColumnElement[bool]]:
    """The WHERE clause of a list of this shape (from `filter_values`)."""
    conditions = [c for f in _ALWAYS for c in f.conditions(1)]
    for f, count in zip(_SHAPED, shape, strict=True):
        if count:
            conditions.extend(f.conditions(count))
    return conditions


def after_key(sort: str, key: Sequence[ColumnElement[Any]] = ()) -> ColumnElement[bool]:
    """Keyset paging: the posts after the one bound as `after_published_at`, `after_id`, by
    `key` (the post's published_at and id, or columns equal to them)."""
    columns = tuple_(*(key or (Post.published_at, Post.id)))
    after = tuple_(bindparam("after_published_at", type_=_WHEN), bindparam("after_id", type_=Uuid))
    return columns > after if sort == "oldest" else columns < after


def after_params(after: tuple[datetime, uuid.UUID]) -> dict[str, Any]:
    """The values `after_key` binds."""
    return {"after_published_at": after[0], "after_id": after[1]}
