"""Every query on comments (and the few columns of a post that comment rules need)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    exists,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.types import Uuid

from inkwell.comments.records import (
    COMMENT_FIELDS,
    POST_FIELDS,
    SHOWN_TO_ANYONE,
    SHOWN_TO_ITS_WRITER,
    AuthorRef,
    CommentPost,
    CommentRecord,
    CommentRow,
    ReadScope,
    ThreadRows,
)
from inkwell.core.db import DriverSelect
from inkwell.models.comment import PATH_SEPARATOR, Comment, CommentStatus
from inkwell.models.engagement import Follow
from inkwell.models.live import LiveChannel, LiveMessage
from inkwell.models.post import Post
from inkwell.models.user import User

# The first character after PATH_SEPARATOR: every descendant of `p` sorts between
# `p + "."` and `p + "/"`, a range the (root_id, path) index reads directly.
_PATH_END = chr(ord(PATH_SEPARATOR) + 1)


def _shown(scope: ReadScope, comment: Any = Comment) -> ColumnElement[bool]:
    """ReadScope.shows, in SQL."""
    return _shown_to(_scope_kind(scope), comment, scope.viewer_id)


def _scope_kind(scope: ReadScope) -> str:
    if scope.every_status:
        return "all"
    return "anonymous" if scope.viewer_id is None else "viewer"


def _shown_to(kind: str, comment: Any, viewer_id: Any) -> ColumnElement[bool]:
    """What a reader of this kind sees; `viewer_id` (an id or a bound parameter) for "viewer"."""
    status = _status_in(comment, SHOWN_TO_ANYONE)
    if kind == "all":
        status = true()
    elif kind == "viewer":
        own = and_(_status_in(comment, SHOWN_TO_ITS_WRITER), comment.author_id == viewer_id)
        status = or_(status, own)
    return and_(comment.deleted_at.is_(None), status)


def _status_in(comment: Any, statuses: Sequence[CommentStatus]) -> ColumnElement[bool]:
    return or_(*(comment.status == status for status in statuses))


def _below(path: str) -> ColumnElement[bool]:
    """The comment is a descendant of the comment at `path`."""
    return and_(Comment.path > path + PATH_SEPARATOR, Comment.path < path + _PATH_END)


# Built once: building these selects costs more than running them.
_WITH_AUTHOR = select(Comment, User.username, User.display_name, User.avatar_url).outerjoin(
    # A closed account (soft-deleted) shows as no author, like a hard-deleted one.
    User,
    and_(User.id == Comment.author_id, User.deleted_at.is_(None)),
)
_LIVE_POST = Post.deleted_at.is_(None)
_POST_COLUMNS = select(*(getattr(Post, name).label(name) for name in POST_FIELDS))
_POST_BY_ID = DriverSelect(
    _POST_COLUMNS.where(Post.id == bindparam("post_id", type_=Uuid), _LIVE_POST)
)
_POST_BY_SLUG = DriverSelect(
    _POST_COLUMNS.where(Post.slug == bindparam("slug", type_=String), _LIVE_POST)
)
_AUTHOR_COLUMNS = (
    User.username.label("username"),
    User.display_name.label("display_name"),
    User.avatar_url.label("avatar_url"),
)


def _roots_condition(kind: str, post_id: Any) -> ColumnElement[bool]:
    """A post's roots that a reader of this kind sees, or that lead to replies they see;
    `post_id` is a bound parameter or a column; binds viewer_id for kind "viewer"."""
    viewer_id = bindparam("viewer_id", type_=Uuid)
    reply = aliased(Comment)
    leads_to_shown = (
        select(reply.id)
        .where(
            reply.root_id == Comment.id,
            reply.id != Comment.id,
            _shown_to(kind, reply, viewer_id),
        )
        .exists()
    )
    return and_(
        Comment.post_id == post_id,
        Comment.parent_id.is_(None),
        or_(_shown_to(kind, Comment, viewer_id), leads_to_shown),
    )


# How a thread statement finds its post: by a bound id it is given, or by reading the post
# (by id or slug, bound as post_key) in the same statement.
PostKey = Literal["given", "id", "slug"]


@lru_cache(maxsize=32)
def _threads_statement(kind: str, newest: bool, post_key: PostKey = "given") -> DriverSelect:
    """A page of threads for readers of one kind, in one statement: the number of threads
    (`threads`), then each root of the page followed by its replies in path order, with their
    authors. Past the last page, one row carries the number alone (its comment columns are
    null). Binds limit, offset, (kind "viewer") viewer_id and post_id, or post_key.

    With a `post_key` of "id" or "slug" the statement reads the live post too, and every row
    carries its columns (`of_post_<name>`): no row means no live post has that key."""
    post = None
    if post_key == "given":
        post_id: Any = bindparam("post_id", type_=Uuid)
    else:
        column = Post.id if post_key == "id" else Post.slug
        key = bindparam("post_key", type_=Uuid if post_key == "id" else String)
        post = _POST_COLUMNS.where(column == key, _LIVE_POST).subquery("post")
        post_id = post.c.id
    condition = _roots_condition(kind, post_id)
    order = (Comment.created_at.desc(), Comment.id.desc())
    if not newest:
        order = (Comment.created_at.asc(), Comment.id.asc())
    page: Any = (
        select(Comment.id, Comment.created_at)
        .where(condition)
        .order_by(*order)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    counted: Any = select(func.count().label("threads")).where(condition)
    if post is None:
        page, counted = page.subquery("page"), counted.subquery("counted")
    else:
        # Correlated to the post alone: the outer query's comments are other rows.
        page = page.correlate(post).lateral("page")
        counted = counted.correlate(post).lateral("counted")
    page_order = (page.c.created_at.desc(), page.c.id.desc())
    if not newest:
        page_order = (page.c.created_at.asc(), page.c.id.asc())
    statement = select(
        *(() if post is None else (c.label(f"of_post_{c.name}") for c in post.c)),
        counted.c.threads,
        *(getattr(Comment, name).label(name) for name in COMMENT_FIELDS),
        *_AUTHOR_COLUMNS,
    )
    if post is not None:
        statement = statement.select_from(post).join(counted, true())
    else:
        statement = statement.select_from(counted)
    statement = (
        statement.outerjoin(page, true())
        .outerjoin(Comment, Comment.root_id == page.c.id)
        .outerjoin(User, and_(User.id == Comment.author_id, User.deleted_at.is_(None)))
        .order_by(*page_order, Comment.path)
    )
    return DriverSelect(statement)


def _thread_rows(rows: Sequence[Mapping[str, Any]]) -> ThreadRows:
    records = [_thread_record(row) for row in rows if row["id"] is not None]
    return ThreadRows(
        roots=[record for record in records if record.comment.parent_id is None],
        replies=[record for record in records if record.comment.parent_id is not None],
        threads=int(rows[0]["threads"]),
    )


_POST_PREFIXED = tuple(f"of_post_{name}" for name in POST_FIELDS)


def _record(row: Any) -> CommentRecord:
    comment, username, display_name, avatar_url = row[:4]
    author = AuthorRef(username, display_name, avatar_url) if username is not None else None
    return CommentRecord(comment=CommentRow.of(comment), author=author)


def _record_with_profile(row: Any) -> CommentRecord:
    comment, username, display_name, avatar_url, bio, followed = row
    if username is None:
        return CommentRecord(comment=CommentRow.of(comment), author=None)
    author = AuthorRef(username, display_name, avatar_url, bio, bool(followed))
    return CommentRecord(comment=CommentRow.of(comment), author=author)


_COMMENT_VALUES = itemgetter(*COMMENT_FIELDS)  # a row's CommentRow values, in field order


def _thread_record(row: Mapping[str, Any]) -> CommentRecord:
    """A comment of a thread page's row (no ORM entity)."""
    username = row["username"]
    author = (
        AuthorRef(username, row["display_name"], row["avatar_url"])
        if username is not None
        else None
    )
    return CommentRecord(comment=CommentRow(*_COMMENT_VALUES(row)), author=author)


class CommentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _with_author(self) -> Select[Comment, str, str | None, str | None]:
        return _WITH_AUTHOR

    def _with_author_profile(
        self, viewer_id: uuid.UUID | None
    ) -> Select[Comment, str, str | None, str | None, str | None, bool]:
        """Comments with their author's profile and whether the reader follows the author."""
        followed = (
            exists().where(Follow.follower_id == viewer_id, Follow.followee_id == Comment.author_id)
            if viewer_id is not None
            else false()
        )
        return select(
            Comment, User.username, User.display_name, User.avatar_url, User.bio, followed
        ).outerjoin(User, and_(User.id == Comment.author_id, User.deleted_at.is_(None)))

    # Posts

    async def get_post(self, post_id: uuid.UUID) -> CommentPost | None:
        """A live post with only the columns comment rules read (no ORM entity)."""
        return await self._post(_POST_BY_ID, {"post_id": post_id})

    async def get_post_by_slug(self, slug: str) -> CommentPost | None:
        return await self._post(_POST_BY_SLUG, {"slug": slug})

    async def _post(self, statement: DriverSelect, params: dict[str, Any]) -> CommentPost | None:
        rows = await statement.mappings(self.session, params)
        return CommentPost(**rows[0]) if rows else None

    # One comment

    async def get(self, comment_id: uuid.UUID) -> CommentRecord | None:
        """A comment (deleted or not) with its author."""
        row = (
            await self.session.execute(self._with_author().where(Comment.id == comment_id))
        ).first()
        return _record(row) if row else None

    async def get_for_update(self, comment_id: uuid.UUID) -> Comment | None:
        """A comment, locked until the end of the transaction (its current state)."""
        return await self.session.scalar(
            select(Comment)
            .where(Comment.id == comment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def id_by_number(self, post_id: uuid.UUID, number: int) -> uuid.UUID | None:
        """The id of the comment of this post that has this number."""
        return await self.session.scalar(
            select(Comment.id).where(Comment.number == number, Comment.post_id == post_id)
        )

    async def add(self, comment: Comment) -> None:
        self.session.add(comment)
        await self.session.flush()

    async def save(self) -> None:
        """Write the changes made to loaded comments."""
        await self.session.flush()

    # Threads

    async def thread_page(
        self, post_id: uuid.UUID, scope: ReadScope, *, newest: bool, limit: int, offset: int
    ) -> ThreadRows:
        """A page of a post's root comments that the reader sees, or that lead to replies the
        reader sees, every reply of those roots in thread order, and how many roots there are:
        one statement, past the last page too."""
        params: dict[str, Any] = {"post_id": post_id, "limit": limit, "offset": offset}
        if scope.viewer_id is not None:
            params["viewer_id"] = scope.viewer_id
        rows = await _threads_statement(_scope_kind(scope), newest).mappings(self.session, params)
        return _thread_rows(rows)

    async def post_and_thread_page(
        self,
        key: uuid.UUID | str,
        scope: ReadScope,
        *,
        newest: bool,
        limit: int,
        offset: int,
    ) -> tuple[CommentPost, ThreadRows] | None:
        """The live post with this id or (current) slug and a page of its threads as
        `thread_page` reads them, for a reader of `scope`, in one statement; None when no live
        post has that key."""
        params: dict[str, Any] = {"post_key": key, "limit": limit, "offset": offset}
        if scope.viewer_id is not None:
            params["viewer_id"] = scope.viewer_id
        by: PostKey = "id" if isinstance(key, uuid.UUID) else "slug"
        statement = _threads_statement(_scope_kind(scope), newest, by)
        rows = await statement.mappings(self.session, params)
        if not rows:
            return None
        post = CommentPost(*itemgetter(*_POST_PREFIXED)(rows[0]))
        return post, _thread_rows(rows)

    async def list_flat(
        self, post_id: uuid.UUID, scope: ReadScope, *, newest: bool, limit: int
    ) -> list[CommentRecord]:
        """A post's comments that the reader sees, replies included, by time; one statement."""
        direction = (Comment.created_at.desc(), Comment.id.desc())
        order = direction if newest else (Comment.created_at.asc(), Comment.id.asc())
        statement = (
            self._with_author_profile(scope.viewer_id)
            .where(Comment.post_id == post_id, _shown(scope))
            .order_by(*order)
            .limit(limit)
        )
        return [_record_with_profile(row) for row in await self.session.execute(statement)]

    async def live_seq(self, channel: str) -> int:
        """The last sequence number of a live channel (0 before its first message)."""
        found = select(LiveChannel.seq).where(LiveChannel.name == channel)
        return int((await self.session.execute(found)).scalar_one_or_none() or 0)

    async def oldest_live_seq(self, channel: str) -> int | None:
        """The first sequence number of a live channel still kept (None when none is)."""
        found = select(func.min(LiveMessage.seq)).where(LiveMessage.channel == channel)
        return (await self.session.execute(found)).scalar_one_or_none()

    async def list_changed(
        self,
        post_id: uuid.UUID,
        channel: str,
        since: int,
        *,
        viewer_id: uuid.UUID | None,
        limit: int,
    ) -> list[CommentRecord]:
        """The post's comments named by its channel's messages after `since`, in the order of
        their last change, whatever their status (the caller decides what each reader sees)."""
        changed = (
            select(LiveMessage.comment_id, func.max(LiveMessage.seq).label("seq"))
            .where(LiveMessage.channel == channel, LiveMessage.seq > since)
            .where(LiveMessage.comment_id.is_not(None))
            .group_by(LiveMessage.comment_id)
            .subquery()
        )
        statement = (
            self._with_author_profile(viewer_id)
            .join(changed, changed.c.comment_id == Comment.id)
            .where(Comment.post_id == post_id)
            .order_by(changed.c.seq)
            .limit(limit)
        )
        return [_record_with_profile(row) for row in await self.session.execute(statement)]

    async def subtree(self, comment: CommentRow) -> list[CommentRecord]:
        """Every comment below `comment`, in thread order."""
        statement = (
            self._with_author()
            .where(Comment.root_id == comment.root_id, _below(comment.path))
            .order_by(Comment.path)
        )
        return [_record(row) for row in await self.session.execute(statement)]

    async def list_pending(
        self, post_id: uuid.UUID, *, limit: int, offset: int
    ) -> tuple[list[CommentRecord], int]:
        """A post's comments waiting for approval, oldest first, and how many there are."""
        conditions = [
            Comment.post_id == post_id,
            Comment.status == CommentStatus.PENDING,
            Comment.deleted_at.is_(None),
        ]
        statement = (
            self._with_author()
            .where(*conditions)
            .order_by(Comment.created_at.asc(), Comment.id.asc())
            .limit(limit)
            .offset(offset)
        )
        rows = (await self.session.execute(statement)).all()
        total = await self.session.scalar(
            select(func.count()).select_from(Comment).where(*conditions)
        )
        return [_record(row) for row in rows], int(total or 0)
