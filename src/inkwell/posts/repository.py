"""Every query on posts, their versions and their old slugs."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    DateTime,
    Integer,
    Select,
    String,
    Subquery,
    Uuid,
    and_,
    bindparam,
    delete,
    exists,
    false,
    func,
    insert,
    literal_column,
    not_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from inkwell.core.db import DriverSelect
from inkwell.core.ids import uuid7
from inkwell.models.engagement import Bookmark, Follow, Like
from inkwell.models.post import (
    LISTED,
    Post,
    PostSlug,
    PostStatus,
    PostTag,
    PostVersion,
    Tag,
)
from inkwell.models.user import User
from inkwell.posts.exceptions import SlugTaken
from inkwell.posts.records import AuthorRow, PostRecord, PostRow, VersionRecord

# Counting every match of a big list costs as much as reading it: totals stop past this.
COUNT_LIMIT = 1_000
SEARCH_CANDIDATES = 1_000
"""How many matches a search ranks: the newest ones, by `published_at`.

`ts_rank_cd` has to read each ranked post's search vector (about 2 KB, out of line), so
ranking every match of a broad word cost about 7 µs a match (18,500 matches: 146 ms). Up to
this many matches, search is exactly "best first"; past it, the results are the best of the
newest SEARCH_CANDIDATES matches, so an old post that matches better than all of them is not
found by this query (a narrower query finds it). Pages end after SEARCH_CANDIDATES results.
"""
# Where search looks for its candidates first: the newest posts (see _newest_matches).
SEARCH_WINDOWS = (timedelta(days=90), timedelta(days=365))
Counter = Literal["comments_count", "likes_count", "bookmarks_count", "views_count"]
# Marks around the matched words of a snippet; the service escapes the text, then turns them
# into <mark>. A post whose text contains them only gains harmless, balanced <mark> elements.
MARK_START, MARK_STOP = "\x02", "\x03"
_HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=35, MinWords=12, "
    "MaxFragments=2, FragmentDelimiter= … "
)


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
    sort: str = "newest"
    after: tuple[datetime, uuid.UUID] | None = None
    limit: int = 20
    offset: int = 0
    exact_total: bool = False  # count every match instead of stopping past COUNT_LIMIT


def _tags_json() -> Any:
    """The post's tags as a JSON array of {name, slug}, in the author's order.

    Each tag is looked up by primary key (a correlated subquery): a join here was planned as a
    hash join that rebuilt a hash of every tag for each post of the page.
    """
    tag = (
        select(func.json_build_object("name", Tag.name, "slug", Tag.slug))
        .where(Tag.id == PostTag.tag_id)
        .scalar_subquery()
    )
    return (
        select(
            func.coalesce(
                func.json_agg(aggregate_order_by(tag, PostTag.position)),
                literal_column("'[]'::json"),
            )
        )
        .where(PostTag.post_id == Post.id)
        .scalar_subquery()
        .label("tags")
    )


def _tsquery(q: str | BindParameter[str]) -> Any:
    return func.websearch_to_tsquery(literal_column("'english'::regconfig"), q)


def _slug_conflict(error: IntegrityError) -> bool:
    constraint = getattr(getattr(error.orig, "__cause__", None), "constraint_name", None)
    return constraint == "uq_posts_slug_live"


def _viewer_flags(viewer_id: Any) -> tuple[Any, Any, Any]:
    """Did the viewer (a bound id, or None when anonymous) like / bookmark the post, do they
    follow its author? Three key probes per row; false when anonymous."""
    if viewer_id is None:
        return (
            false().label("liked_by_me"),
            false().label("bookmarked_by_me"),
            false().label("follows_author"),
        )
    liked = exists().where(Like.user_id == viewer_id, Like.post_id == Post.id)
    kept = exists().where(Bookmark.user_id == viewer_id, Bookmark.post_id == Post.id)
    follows = exists().where(Follow.follower_id == viewer_id, Follow.followee_id == Post.author_id)
    return (
        liked.label("liked_by_me"),
        kept.label("bookmarked_by_me"),
        follows.label("follows_author"),
    )


# A post's columns by attribute name (`meta` is the column "metadata"); lists leave out the
# content. The author's columns are prefixed `user_`, since the post has an `author_id`.
_CONTENT = ("content_raw", "content_html", "content_json")
_POST_FIELDS = tuple(
    attribute.key for attribute in sa_inspect(Post).column_attrs if attribute.key != "search_vector"
)
_SUMMARY_FIELDS = tuple(key for key in _POST_FIELDS if key not in _CONTENT)
_AUTHOR_FIELDS = ("id", "username", "display_name", "bio", "avatar_url", "created_at")


def _post_with_author_and_tags(viewer_id: Any, *, content: bool) -> Select[Any]:
    fields = _POST_FIELDS if content else _SUMMARY_FIELDS
    return select(
        *(getattr(Post, key).label(key) for key in fields),
        *(getattr(User, key).label(f"user_{key}") for key in _AUTHOR_FIELDS),
        _tags_json(),
        *_viewer_flags(viewer_id),
    ).join(User, User.id == Post.author_id)


# Built once: building this select costs more than running it (measured: 0.36 ms of the
# 0.63 ms a lookup took). Requests bind their values.
_VIEWER_ID = bindparam("viewer_id", type_=Uuid)
_ANONYMOUS_READ = _post_with_author_and_tags(None, content=True)
_VIEWER_READ = _post_with_author_and_tags(_VIEWER_ID, content=True)
_ANONYMOUS_SUMMARIES = _post_with_author_and_tags(None, content=False)
_VIEWER_SUMMARIES = _post_with_author_and_tags(_VIEWER_ID, content=False)
_LIVE = Post.deleted_at.is_(None)
_Q = bindparam("q", type_=String)
_BY_ID = {
    reader: DriverSelect(statement.where(Post.id == bindparam("post_id", type_=Uuid), _LIVE))
    for reader, statement in ((False, _ANONYMOUS_READ), (True, _VIEWER_READ))
}
_BY_SLUG = {
    reader: DriverSelect(statement.where(Post.slug == bindparam("slug", type_=String), _LIVE))
    for reader, statement in ((False, _ANONYMOUS_READ), (True, _VIEWER_READ))
}


def _record(fields: Mapping[str, Any], show_raw: bool = False) -> PostRecord:
    post_fields = _POST_FIELDS if "content_html" in fields else _SUMMARY_FIELDS
    return PostRecord(
        post=PostRow(**{key: fields[key] for key in post_fields}),
        author=AuthorRow(**{key: fields[f"user_{key}"] for key in _AUTHOR_FIELDS}),
        tags=fields["tags"],
        show_raw=show_raw,
        liked_by_me=fields["liked_by_me"],
        bookmarked_by_me=fields["bookmarked_by_me"],
        follows_author=fields["follows_author"],
    )


def _records(rows: Sequence[Mapping[str, Any]], show_raw: bool = False) -> list[PostRecord]:
    return [_record(row, show_raw) for row in rows]


@dataclass(frozen=True, slots=True)
class _ListShape:
    """Which filters a public list uses: one statement is built per shape, then cached."""

    sort: str
    author: bool
    tags: int
    liked_by: bool
    q: bool
    published_after: bool
    published_before: bool
    after: bool
    offset: bool
    viewer: bool
    exact_total: bool


@dataclass(frozen=True, slots=True)
class _ListStatements:
    page: DriverSelect  # the page's rows, each with the (capped) total
    count: Select[Any]  # the total alone


def _list_shape(query: PostQuery, viewer_id: uuid.UUID | None) -> tuple[_ListShape, dict[str, Any]]:
    """The statement's shape and the values to bind into it."""
    params: dict[str, Any] = {"now": query.now, "limit": query.limit}
    optional = {
        "author": query.author.lower() if query.author is not None else None,
        "liked_by": query.liked_by.lower() if query.liked_by is not None else None,
        "q": query.q,
        "published_after": query.published_after,
        "published_before": query.published_before,
        "viewer_id": viewer_id,
    }
    params.update((key, value) for key, value in optional.items() if value is not None)
    params.update((f"tag_{n}", tag_id) for n, tag_id in enumerate(query.tag_ids))
    if query.after is not None:
        params["after_published_at"], params["after_id"] = query.after
    elif query.offset:
        params["offset"] = query.offset
    shape = _ListShape(
        sort=query.sort if query.sort != "relevance" or query.q is not None else "newest",
        author=query.author is not None,
        tags=len(query.tag_ids),
        liked_by=query.liked_by is not None,
        q=query.q is not None,
        published_after=query.published_after is not None,
        published_before=query.published_before is not None,
        after=query.after is not None,
        offset=query.after is None and bool(query.offset),
        viewer=viewer_id is not None,
        exact_total=query.exact_total,
    )
    return shape, params


def _username_id(key: str) -> Any:
    return (
        select(User.id)
        .where(func.lower(User.username) == bindparam(key, type_=String), User.deleted_at.is_(None))
        .scalar_subquery()
    )


def _list_conditions(shape: _ListShape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        LISTED,
        Post.published_at <= bindparam("now", type_=DateTime(timezone=True)),
    ]
    if shape.author:
        conditions.append(Post.author_id == _username_id("author"))
    # A tag id bound as a value (not a subquery) lets the planner use the tag's own statistics
    # (plans are custom, see plan_cache_mode): a popular tag walks the feed index, a rare one
    # starts from post_tags.
    conditions.extend(
        exists().where(
            PostTag.post_id == Post.id, PostTag.tag_id == bindparam(f"tag_{n}", type_=Uuid)
        )
        for n in range(shape.tags)
    )
    if shape.liked_by:
        conditions.append(
            exists().where(Like.post_id == Post.id, Like.user_id == _username_id("liked_by"))
        )
    if shape.q:
        conditions.append(Post.search_vector.bool_op("@@")(_tsquery(_Q)))
    if shape.published_after:
        conditions.append(
            Post.published_at >= bindparam("published_after", type_=DateTime(timezone=True))
        )
    if shape.published_before:
        conditions.append(
            Post.published_at < bindparam("published_before", type_=DateTime(timezone=True))
        )
    return conditions


def _list_order(sort: str) -> list[Any]:
    if sort == "oldest":
        return [Post.published_at.asc(), Post.id.asc()]
    if sort == "popular":
        return [Post.likes_count.desc(), Post.published_at.desc(), Post.id.desc()]
    if sort == "relevance":
        rank = func.ts_rank_cd(Post.search_vector, _tsquery(_Q))
        return [rank.desc(), Post.published_at.desc(), Post.id.desc()]
    return [Post.published_at.desc(), Post.id.desc()]


def _after_key(sort: str) -> ColumnElement[bool]:
    key = tuple_(Post.published_at, Post.id)
    after = tuple_(
        bindparam("after_published_at", type_=DateTime(timezone=True)),
        bindparam("after_id", type_=Uuid),
    )
    return key > after if sort == "oldest" else key < after


@lru_cache(maxsize=256)
def _list_statements(shape: _ListShape) -> _ListStatements:
    """Building a statement costs more than running it; each shape is built once."""
    conditions = _list_conditions(shape)
    order = _list_order(shape.sort)
    page = select(Post.id).where(*conditions).order_by(*order).limit(bindparam("limit"))
    if shape.after:
        page = page.where(_after_key(shape.sort))
    elif shape.offset:
        page = page.offset(bindparam("offset"))
    matching = select(Post.id).where(*conditions)
    if not shape.exact_total:
        matching = matching.limit(COUNT_LIMIT + 1)
    count = select(func.count()).select_from(matching.subquery("matching"))
    rows = reading(page.subquery("page"), order, viewer=shape.viewer)
    return _ListStatements(
        page=DriverSelect(rows.add_columns(count.scalar_subquery().label("total"))), count=count
    )


def reading(chosen: Subquery, order: Sequence[Any], *, viewer: bool) -> Select[Any]:
    """The posts a page subquery (column `id`) chose, with their authors, tags and (when
    `viewer`, for a bound `viewer_id`) the viewer's flags: a statement to build once."""
    return (
        (_VIEWER_SUMMARIES if viewer else _ANONYMOUS_SUMMARIES)
        .join(chosen, chosen.c.id == Post.id)
        .order_by(*order)
    )


def _matches(conditions: list[ColumnElement[bool]], window: int | None) -> Any:
    """The matches (published after `since_<window>`, when a window is given), with how many
    there are, as a MATERIALIZED CTE: found with the GIN index (ANDed with the feed index for
    a window). Left to choose, the planner walks the feed index and tests every post's vector.
    """
    where = list(conditions)
    if window is not None:
        where.append(
            Post.published_at > bindparam(f"since_{window}", type_=DateTime(timezone=True))
        )
    name = "matches_all" if window is None else f"matches_{window}"
    return (
        select(Post.id, Post.published_at, Post.search_vector, func.count().over().label("total"))
        .where(*where)
        .cte(name)
        .prefix_with("MATERIALIZED")
    )


def _newest_matches(conditions: list[ColumnElement[bool]]) -> Subquery:
    """Every match in the narrowest of SEARCH_WINDOWS that holds more than SEARCH_CANDIDATES
    of them (else every match): the newest SEARCH_CANDIDATES matches are all in it.

    A window is only read when the narrower ones held too few, so a broad word reads the
    matches of its last months instead of all of them (18,000 rows: 27 ms before), and a rare
    word reads a few small windows. One statement: each branch has a one-time filter on the
    counts, and PostgreSQL skips the branches (and windows) whose filter is false.
    """
    windows = [_matches(conditions, n) for n in range(len(SEARCH_WINDOWS))]
    everything = _matches(conditions, None)
    candidates = bindparam("candidates", type_=Integer)
    counts = [
        func.coalesce(select(window.c.total).limit(1).scalar_subquery(), 0) for window in windows
    ]
    # A window is worth reading when the narrower one's matches, scaled to its length, would
    # be enough (a word spread over years); else the next step is every match.
    taken: list[ColumnElement[bool]] = []
    for n, count in enumerate(counts):
        if n == 0:
            taken.append(count > candidates)
            continue
        scale = SEARCH_WINDOWS[n] / SEARCH_WINDOWS[n - 1]
        taken.append(and_(counts[n - 1] * scale > candidates, count > candidates))
    branches = []
    for n, matches in enumerate([*windows, everything]):
        gate = [not_(was_taken) for was_taken in taken[:n]]
        if n < len(taken):
            gate.append(taken[n])
        branches.append(select(*matches.c).where(*gate))
    return union_all(*branches).subquery("matches")


def _best_of_newest_matches(tsquery: Any, conditions: list[ColumnElement[bool]]) -> Subquery:
    """The page of the newest SEARCH_CANDIDATES matches ranked best first: `post_id`, `rank`
    and `total` (the matches counted in the window they were taken from: more than
    SEARCH_CANDIDATES unless every match was read). Only the candidates' vectors are read
    (detoasted) to rank them.
    """
    matches = _newest_matches(conditions)
    newest = (
        select(matches)
        .order_by(matches.c.published_at.desc(), matches.c.id.desc())
        .limit(bindparam("candidates"))
        .subquery("newest")
    )
    rank = func.ts_rank_cd(newest.c.search_vector, tsquery).label("rank")
    return (
        select(newest.c.id.label("post_id"), rank, newest.c.total)
        .order_by(rank.desc(), newest.c.published_at.desc(), newest.c.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("best")
    )


@lru_cache(maxsize=16)
def _search_statement(shape: _ListShape) -> DriverSelect:
    """A page of search hits with their snippets, built once for each shape."""
    tsquery = _tsquery(_Q)
    best = _best_of_newest_matches(tsquery, _list_conditions(shape))
    headline = func.ts_headline(
        literal_column("'english'::regconfig"), Post.content_raw, tsquery, _HEADLINE_OPTIONS
    ).label("snippet")
    return DriverSelect(
        (_VIEWER_SUMMARIES if shape.viewer else _ANONYMOUS_SUMMARIES)
        .add_columns(best.c.rank, headline, best.c.total)
        .join(best, best.c.post_id == Post.id)
        .order_by(best.c.rank.desc(), Post.published_at.desc(), Post.id.desc())
    )


class PostRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(
        self, statement: Select[Any] | DriverSelect, params: dict[str, Any]
    ) -> Sequence[Mapping[str, Any]]:
        """Rows of a read, executed as Core on the session's connection (and transaction):
        reads map them to records themselves, so the ORM's loading is skipped."""
        if isinstance(statement, DriverSelect):
            return await statement.mappings(self.session, params)
        result = await (await self.session.connection()).execute(statement, params)
        rows: Sequence[Mapping[str, Any]] = result.mappings().all()
        return rows

    async def get_record(
        self, post_id: uuid.UUID, viewer_id: uuid.UUID | None = None
    ) -> PostRecord | None:
        """A live post with its author, tags and the viewer's flags, in one statement."""
        return await self._one(_BY_ID, viewer_id, post_id=post_id)

    async def get_record_by_slug(
        self, slug: str, viewer_id: uuid.UUID | None = None
    ) -> PostRecord | None:
        return await self._one(_BY_SLUG, viewer_id, slug=slug)

    async def _one(
        self, statements: dict[bool, DriverSelect], viewer_id: uuid.UUID | None, **key: Any
    ) -> PostRecord | None:
        if viewer_id is None:
            statement = statements[False]
        else:
            statement = statements[True]
            key["viewer_id"] = viewer_id
        rows = await self._rows(statement, key)
        return _record(rows[0]) if rows else None

    async def records_for(
        self, chosen: Subquery, order: Sequence[Any], viewer_id: uuid.UUID | None
    ) -> list[PostRecord]:
        """The posts whose ids a page subquery (column `id`) chose, in one statement.

        Lists pick their page's ids first, so authors, tags and the viewer's flags are
        looked up for those rows only.
        """
        statement = reading(chosen, order, viewer=viewer_id is not None)
        return await self.read(statement, {"viewer_id": viewer_id} if viewer_id else {})

    async def read(self, statement: Select[Any], params: dict[str, Any]) -> list[PostRecord]:
        """Run a statement built with `reading`."""
        return _records(await self._rows(statement, params))

    async def slug_owner(self, slug: str) -> uuid.UUID | None:
        """The live post that used to have this slug."""
        return await self.session.scalar(
            select(PostSlug.post_id)
            .join(Post, Post.id == PostSlug.post_id)
            .where(PostSlug.slug == slug, Post.deleted_at.is_(None))
        )

    async def get_for_update(self, post_id: uuid.UUID) -> Post | None:
        """A live post, locked until the end of the transaction."""
        return await self.session.scalar(
            select(Post).where(Post.id == post_id, Post.deleted_at.is_(None)).with_for_update()
        )

    async def lock_due_scheduled(self, now: datetime, limit: int) -> Sequence[Post]:
        """Scheduled posts whose time has come, oldest first, locked (those another
        transaction holds are skipped: it is changing them)."""
        query = (
            select(Post)
            .where(
                Post.status == PostStatus.SCHEDULED,
                Post.deleted_at.is_(None),
                Post.published_at <= now,
            )
            .order_by(Post.published_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(query)).all()

    async def get_for_update_by_slug(self, slug: str) -> Post | None:
        """A live post by its current slug, locked until the end of the transaction."""
        return await self.session.scalar(
            select(Post).where(Post.slug == slug, Post.deleted_at.is_(None)).with_for_update()
        )

    async def taken_slugs(
        self, candidates: Sequence[str], exclude: uuid.UUID | None = None
    ) -> set[str]:
        """Which of the candidates live posts use."""
        query = select(Post.slug).where(Post.slug.in_(candidates), Post.deleted_at.is_(None))
        if exclude is not None:
            query = query.where(Post.id != exclude)
        return set(await self.session.scalars(query))

    async def add(self, post: Post) -> bool:
        """Insert a new post; False (and nothing written) when another post took its slug."""
        try:
            async with self.session.begin_nested():
                self.session.add(post)
                await self.session.flush()
        except IntegrityError as error:
            if not _slug_conflict(error):
                raise
            return False
        return True

    async def flush(self) -> None:
        """Flush, turning a lost race for a slug into SlugTaken."""
        try:
            await self.session.flush()
        except IntegrityError as error:
            if not _slug_conflict(error):
                raise
            raise SlugTaken from error

    async def save(self, post: Post) -> None:
        """Write the changes made to `post` and bump its version (in SQL)."""
        post.version = Post.version + 1
        await self.flush()
        await self.session.refresh(post, ["version", "updated_at"])

    async def remember_slug(self, post_id: uuid.UUID, slug: str) -> None:
        """Keep an old slug pointing at its post (the newest owner wins)."""
        statement = pg_insert(PostSlug).values(slug=slug, post_id=post_id)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[PostSlug.slug],
                set_={"post_id": statement.excluded.post_id, "created_at": func.now()},
            )
        )

    async def set_tags(self, post_id: uuid.UUID, tag_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(delete(PostTag).where(PostTag.post_id == post_id))
        if tag_ids:
            await self.session.execute(
                insert(PostTag),
                [
                    {"post_id": post_id, "tag_id": tag_id, "position": n}
                    for n, tag_id in enumerate(tag_ids)
                ],
            )

    async def increment(self, post_id: uuid.UUID, counter: Counter, by: int = 1) -> int:
        """Change a denormalised counter in SQL (`SET n = n + 1`); the new value.

        Never read-modify-write. `updated_at` is kept: a like or a view is not an edit.
        """
        column = getattr(Post, counter)
        value = await self.session.scalar(
            update(Post)
            .where(Post.id == post_id)
            .values({column: column + by, Post.updated_at: Post.updated_at})
            .returning(column)
            .execution_options(synchronize_session=False)
        )
        return int(value or 0)

    async def counter(self, post_id: uuid.UUID, counter: Counter) -> int:
        """The current value of a denormalised counter."""
        value = await self.session.scalar(select(getattr(Post, counter)).where(Post.id == post_id))
        return int(value or 0)

    # Lists

    async def list_public(
        self, query: PostQuery, viewer_id: uuid.UUID | None = None
    ) -> tuple[list[PostRecord], int]:
        """A page of public posts and how many match, in one statement.

        The page's ids are chosen first, so authors and tags are joined for those rows only
        (not for the rows an OFFSET skips); the total is a scalar subquery beside them. Past
        the last page there is no row to carry it, so it is counted on its own.
        """
        shape, params = _list_shape(query, viewer_id)
        statements = _list_statements(shape)
        rows = await self._rows(statements.page, params)
        if rows:
            total = rows[0]["total"]
        elif shape.after or shape.offset:
            total = await self.session.scalar(statements.count, params)
        else:
            total = 0
        return _records(rows), int(total or 0)

    async def search(
        self, query: PostQuery, viewer_id: uuid.UUID | None = None
    ) -> tuple[list[PostRecord], int]:
        """Public posts matching `query.q`: the best of the newest SEARCH_CANDIDATES matches,
        ranked best first, each with a marked-up snippet, and how many posts match in all.
        """
        shape, params = _list_shape(query, viewer_id)
        params.setdefault("offset", 0)
        params["candidates"] = SEARCH_CANDIDATES
        params.update((f"since_{n}", query.now - window) for n, window in enumerate(SEARCH_WINDOWS))
        rows = await self._rows(_search_statement(shape), params)
        if rows:
            total = rows[0]["total"]
        elif query.offset:  # past the last page: count on its own
            total = await self.session.scalar(_list_statements(shape).count, params)
        else:
            total = 0
        records = [
            replace(_record(row), rank=float(row["rank"]), snippet=row["snippet"]) for row in rows
        ]
        return records, int(total or 0)

    async def list_by_author(
        self, author_id: uuid.UUID, *, status: PostStatus | None, limit: int, offset: int
    ) -> tuple[list[PostRecord], int]:
        """An author's live posts in every status, newest first."""
        conditions: list[ColumnElement[bool]] = [
            Post.author_id == author_id,
            Post.deleted_at.is_(None),
        ]
        if status is not None:
            conditions.append(Post.status == status)
        statement = (
            _VIEWER_SUMMARIES.where(*conditions)
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = await self._rows(statement, {"viewer_id": author_id})
        total = await self.session.scalar(select(func.count()).select_from(Post).where(*conditions))
        return _records(rows, show_raw=True), int(total or 0)

    # Versions

    async def add_version(self, post: Post, editor_id: uuid.UUID | None) -> None:
        """Save the post's title, summary, content and metadata as its next version."""
        number = (
            select(func.coalesce(func.max(PostVersion.version), 0) + 1)
            .where(PostVersion.post_id == post.id)
            .scalar_subquery()
        )
        await self.session.execute(
            insert(PostVersion).values(
                id=uuid7(),
                post_id=post.id,
                version=number,
                title=post.title,
                summary=post.summary,
                content_raw=post.content_raw,
                meta=post.meta,
                editor_id=editor_id,
            )
        )

    async def list_versions(self, post_id: uuid.UUID) -> list[VersionRecord]:
        rows = await self.session.execute(
            select(PostVersion, User.username)
            .outerjoin(User, User.id == PostVersion.editor_id)
            .where(PostVersion.post_id == post_id)
            .order_by(PostVersion.version.desc())
            .options(defer(PostVersion.content_raw, raiseload=True))
        )
        return [VersionRecord(version=row[0], editor=row[1]) for row in rows]

    async def get_version(self, post_id: uuid.UUID, number: int) -> VersionRecord | None:
        row = (
            await self.session.execute(
                select(PostVersion, User.username)
                .outerjoin(User, User.id == PostVersion.editor_id)
                .where(PostVersion.post_id == post_id, PostVersion.version == number)
            )
        ).first()
        return VersionRecord(version=row[0], editor=row[1]) if row else None
