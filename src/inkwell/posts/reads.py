"""Reading posts: one post with its author and tags, public list pages, an author's posts,
counters and versions.

The hottest reads are statements built once (a post by id or slug, a list page per shape) and
run as `DriverSelect`s; their rows are mapped straight to records, without ORM entities.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    String,
    Subquery,
    Uuid,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, defer

from inkwell.core.clock import utcnow
from inkwell.core.db import DriverSelect
from inkwell.models.engagement import Bookmark, Follow, Like
from inkwell.models.post import (
    Post,
    PostAuthor,
    PostCount,
    PostSlug,
    PostStatus,
    PostTag,
    PostVersion,
    Tag,
)
from inkwell.models.series import Series, SeriesPost
from inkwell.models.user import User
from inkwell.models.visibility import LISTED, PUBLIC
from inkwell.posts.filters import (
    ONE_TAG,
    UNFILTERED,
    PostQuery,
    after_key,
    after_params,
    filter_conditions,
    filter_values,
    listed_with_tag,
    search_text,
    tsquery,
)
from inkwell.posts.records import AuthorRow, PostRecord, PostRow, VersionRecord

# Counting every match of a big list costs as much as reading it: totals stop past this.
COUNT_LIMIT = 1_000

Counter = Literal["comments_count", "likes_count", "bookmarks_count", "views_count"]


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


_COAUTHOR = aliased(User, name="coauthor")


def _coauthors_json() -> Any:
    """The post's co-authors (after the primary, whom the read joins already) as a JSON array
    of public profiles in order, or NULL: one probe of post_authors' primary key per post,
    and a users lookup only for the posts that have co-authors."""
    profile = (
        select(
            func.json_build_object(
                *(part for key in _AUTHOR_FIELDS for part in (key, getattr(_COAUTHOR, key)))
            )
        )
        .where(_COAUTHOR.id == PostAuthor.user_id)
        .scalar_subquery()
    )
    return (
        select(func.json_agg(aggregate_order_by(profile, PostAuthor.position)))
        .where(PostAuthor.post_id == Post.id)
        .scalar_subquery()
        .label("coauthors")
    )


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


def _series_json() -> Any:
    """The post's series as JSON (null when it is in none): id, slug, title, the post's
    `position` and the series' `count` among the posts anyone may read (and the post itself,
    which its author may be reading as a draft), and the nearest readable posts before and
    after it, in one pass of window functions over the series' posts (a range of
    uq_series_posts_series_id_position). A post in no series costs one probe of the link's
    primary key. Bound: `now`."""
    link, other, post = aliased(SeriesPost), aliased(SeriesPost), aliased(Post)
    now = bindparam("now", type_=DateTime(timezone=True))
    statuses: list[Any] = [literal_column(f"'{s.value}'") for s in PUBLIC.statuses]  # inline
    public = and_(post.status.in_(statuses), post.deleted_at.is_(None), post.published_at <= now)
    order = other.position
    neighbour = func.json_build_object("slug", post.slug, "title", post.title)
    members = (
        select(
            other.post_id.label("post_id"),
            func.row_number().over(order_by=order).label("position"),
            func.count().over().label("count"),
            func.lag(neighbour).over(order_by=order).label("previous"),
            func.lead(neighbour).over(order_by=order).label("next"),
        )
        .select_from(other)
        .join(post, post.id == other.post_id)
        .where(other.series_id == link.series_id, or_(public, post.id == link.post_id))
        .lateral("members")
    )
    place = (members.c.position, members.c.count, members.c.previous, members.c.next)
    return (
        select(
            func.json_build_object(
                "id",
                Series.id,
                "slug",
                Series.slug,
                "title",
                Series.title,
                "position",
                place[0],
                "count",
                place[1],
                "previous",
                place[2],
                "next",
                place[3],
            )
        )
        .select_from(link)
        .join(Series, Series.id == link.series_id)
        .join(members, members.c.post_id == link.post_id)
        .where(link.post_id == Post.id)
        .scalar_subquery()
        .label("series")
    )


# A post's columns by attribute name (`meta` is the column "metadata"); lists leave out the
# content. The author's columns are prefixed `user_`, since the post has an `author_id`.
_CONTENT = ("content_raw", "content_html", "content_json")
_POST_FIELDS = tuple(
    attribute.key for attribute in sa_inspect(Post).column_attrs if attribute.key != "search_vector"
)
_SUMMARY_FIELDS = tuple(key for key in _POST_FIELDS if key not in _CONTENT)
_SOURCE_FIELDS = (*_SUMMARY_FIELDS, "content_raw")
_AUTHOR_FIELDS = ("id", "username", "display_name", "bio", "avatar_url", "created_at")

# What a read of one post loads besides its summary: everything (the post itself, with its
# series), or only its Markdown source (a RealWorld article: its body is the source).
Content = Literal["all", "source"]
_FIELDS: dict[Content | None, tuple[str, ...]] = {
    "all": _POST_FIELDS,
    "source": _SOURCE_FIELDS,
    None: _SUMMARY_FIELDS,
}


def _post_with_author_and_tags(viewer_id: Any, *, content: Content | None) -> Select[Any]:
    """A post's row; with `content`, a single post's read (all of it shows its series)."""
    return select(
        *(getattr(Post, key).label(key) for key in _FIELDS[content]),
        *(getattr(User, key).label(f"user_{key}") for key in _AUTHOR_FIELDS),
        _tags_json(),
        _coauthors_json(),
        *_viewer_flags(viewer_id),
        *((_series_json(),) if content == "all" else ()),
    ).join(User, User.id == Post.author_id)


# Built once: building this select costs more than running it (measured: 0.36 ms of the
# 0.63 ms a lookup took). Requests bind their values.
_VIEWER_ID = bindparam("viewer_id", type_=Uuid)
ANONYMOUS_SUMMARIES = _post_with_author_and_tags(None, content=None)
VIEWER_SUMMARIES = _post_with_author_and_tags(_VIEWER_ID, content=None)
_LIVE = Post.deleted_at.is_(None)


def _single_reads(key: ColumnElement[bool]) -> dict[tuple[bool, Content], DriverSelect]:
    """The read of one post by `key`, for an anonymous reader and for a viewer, of each
    content."""
    return {
        (viewer, content): DriverSelect(
            _post_with_author_and_tags(_VIEWER_ID if viewer else None, content=content).where(
                key, _LIVE
            )
        )
        for viewer in (False, True)
        for content in ("all", "source")
    }


_BY_ID = _single_reads(Post.id == bindparam("post_id", type_=Uuid))
_BY_SLUG = _single_reads(Post.slug == bindparam("slug", type_=String))


def to_record(fields: Mapping[str, Any], show_raw: bool = False) -> PostRecord:
    if "content_html" in fields:
        post_fields = _POST_FIELDS
    else:
        post_fields = _SOURCE_FIELDS if "content_raw" in fields else _SUMMARY_FIELDS
    return PostRecord(
        post=PostRow(**{key: fields[key] for key in post_fields}),
        author=AuthorRow(**{key: fields[f"user_{key}"] for key in _AUTHOR_FIELDS}),
        tags=fields["tags"],
        show_raw=show_raw,
        liked_by_me=fields["liked_by_me"],
        bookmarked_by_me=fields["bookmarked_by_me"],
        follows_author=fields["follows_author"],
        series=fields.get("series"),
        coauthors=fields["coauthors"] or [],
    )


def _records(rows: Sequence[Mapping[str, Any]], show_raw: bool = False) -> list[PostRecord]:
    return [to_record(row, show_raw) for row in rows]


@dataclass(frozen=True, slots=True)
class ListShape:
    """What a public list's statement depends on: one statement is built per shape, then
    cached. `filters` is how many values each shaped filter has (posts.filters)."""

    filters: tuple[int, ...]
    sort: str
    after: bool
    offset: bool
    viewer: bool
    exact_total: bool


@dataclass(frozen=True, slots=True)
class _ListStatements:
    page: DriverSelect  # the page's rows, each with the (capped) total
    count: Select[Any]  # the total alone


def list_shape(query: PostQuery, viewer_id: uuid.UUID | None) -> tuple[ListShape, dict[str, Any]]:
    """The statement's shape and the values to bind into it."""
    filters, params = filter_values(query)
    params["limit"] = query.limit
    if viewer_id is not None:
        params["viewer_id"] = viewer_id
    if query.after is not None:
        params.update(after_params(query.after))
    elif query.offset:
        params["offset"] = query.offset
    shape = ListShape(
        filters=filters,
        sort=query.sort if query.sort != "relevance" or query.q is not None else "newest",
        after=query.after is not None,
        offset=query.after is None and bool(query.offset),
        viewer=viewer_id is not None,
        exact_total=query.exact_total,
    )
    return shape, params


def _list_order(sort: str, key: Sequence[Any] = (Post.published_at, Post.id)) -> list[Any]:
    """The order of a list; `key` is the post's (published_at, id) or columns equal to them."""
    newest = [column.desc() for column in key]
    if sort == "oldest":
        return [column.asc() for column in key]
    if sort == "popular":
        return [Post.likes_count.desc(), *newest]
    if sort == "relevance":
        rank = func.ts_rank_cd(Post.search_vector, tsquery(search_text()))
        return [rank.desc(), *newest]
    return newest


def _matching(shape: ListShape) -> tuple[Select[Any], tuple[Any, Any]]:
    """The ids of the posts a list of this shape matches (column `id`, unordered), and the
    columns equal to their (published_at, id), to order and page them by.

    A list of one tag, newest or oldest first, reads post_tags alone: ix_post_tags_listed holds
    each tag's listed posts by publication time, so the page is the index's first entries and
    the capped total counts entries (the post table is read for the page's rows only). The tag
    is bound, not written into the text: that plan is the right one for every tag.
    """
    if shape.filters == ONE_TAG and shape.sort in ("newest", "oldest"):
        ids = select(PostTag.post_id.label("id")).where(listed_with_tag())
        return ids, (PostTag.listed_at, PostTag.post_id)
    return select(Post.id).where(*filter_conditions(shape.filters)), (Post.published_at, Post.id)


def _listed_total() -> Select[Any]:
    """How many posts are listed now, without counting them: the number the database keeps
    (post_counts `listed`, scheduled posts included; migration 0013) less the scheduled posts
    whose time has not come, a short range of the feed index."""
    kept = select(PostCount.value).where(PostCount.name == "listed").scalar_subquery()
    future = (
        select(func.count())
        .select_from(Post)
        .where(LISTED.live, Post.published_at > bindparam("now", type_=Post.published_at.type))
        .scalar_subquery()
    )
    return select(func.coalesce(kept, 0) - future)


@lru_cache(maxsize=256)
def list_statements(shape: ListShape) -> _ListStatements:
    """Building a statement costs more than running it; each shape is built once."""
    ids, key = _matching(shape)
    page = ids.order_by(*_list_order(shape.sort, key)).limit(bindparam("limit"))
    if shape.after:
        page = page.where(after_key(shape.sort, key))
    elif shape.offset:
        page = page.offset(bindparam("offset"))
    if shape.filters == UNFILTERED:
        count = _listed_total()
    else:
        matching = ids if shape.exact_total else ids.limit(COUNT_LIMIT + 1)
        count = select(func.count()).select_from(matching.subquery("matching"))
    rows = reading(page.subquery("page"), _list_order(shape.sort), viewer=shape.viewer)
    return _ListStatements(
        page=DriverSelect(rows.add_columns(count.scalar_subquery().label("total"))), count=count
    )


def reading(chosen: Subquery, order: Sequence[Any], *, viewer: bool) -> Select[Any]:
    """The posts a page subquery (column `id`) chose, with their authors, tags and (when
    `viewer`, for a bound `viewer_id`) the viewer's flags: a statement to build once."""
    return (
        (VIEWER_SUMMARIES if viewer else ANONYMOUS_SUMMARIES)
        .join(chosen, chosen.c.id == Post.id)
        .order_by(*order)
    )


class PostReads:
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
        self, post_id: uuid.UUID, viewer_id: uuid.UUID | None = None, content: Content = "all"
    ) -> PostRecord | None:
        """A live post with its author, tags and the viewer's flags, in one statement."""
        return await self._one(_BY_ID[viewer_id is not None, content], viewer_id, post_id=post_id)

    async def get_record_by_slug(
        self, slug: str, viewer_id: uuid.UUID | None = None, content: Content = "all"
    ) -> PostRecord | None:
        return await self._one(_BY_SLUG[viewer_id is not None, content], viewer_id, slug=slug)

    async def _one(
        self, statement: DriverSelect, viewer_id: uuid.UUID | None, **key: Any
    ) -> PostRecord | None:
        if viewer_id is not None:
            key["viewer_id"] = viewer_id
        rows = await self._rows(statement, {**key, "now": utcnow()})
        return to_record(rows[0]) if rows else None

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
        shape, params = list_shape(query, viewer_id)
        statements = list_statements(shape)
        rows = await self._rows(statements.page, params)
        if rows:
            total = rows[0]["total"]
        elif shape.after or shape.offset:
            total = await self.session.scalar(statements.count, params)
        else:
            total = 0
        return _records(rows), int(total or 0)

    async def list_by_author(
        self, author_id: uuid.UUID, *, status: PostStatus | None, limit: int, offset: int
    ) -> tuple[list[PostRecord], int]:
        """The live posts the user is an author of (primary or co-author) in every status,
        newest first."""
        # Each branch has its index: ix_posts_author_created, ix_post_authors_user_id_post_id.
        authored = union_all(
            select(Post.id).where(Post.author_id == author_id),
            select(PostAuthor.post_id).where(PostAuthor.user_id == author_id),
        )
        conditions: list[ColumnElement[bool]] = [
            Post.id.in_(authored),
            Post.deleted_at.is_(None),
        ]
        if status is not None:
            conditions.append(Post.status == status)
        statement = (
            VIEWER_SUMMARIES.where(*conditions)
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = await self._rows(statement, {"viewer_id": author_id})
        total = await self.session.scalar(select(func.count()).select_from(Post).where(*conditions))
        return _records(rows, show_raw=True), int(total or 0)

    # Versions

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
