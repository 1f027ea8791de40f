"""Every query on comments (and the few columns of a post that comment rules need)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    any_,
    bindparam,
    exists,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, load_only
from sqlalchemy.types import Uuid

from inkwell.comments.records import (
    SHOWN_TO_ANYONE,
    SHOWN_TO_ITS_WRITER,
    AuthorRef,
    CommentRecord,
    ReadScope,
)
from inkwell.models.comment import PATH_SEPARATOR, Comment, CommentStatus
from inkwell.models.engagement import Follow
from inkwell.models.post import Post
from inkwell.models.user import User

# The first character after PATH_SEPARATOR: every descendant of `p` sorts between
# `p + "."` and `p + "/"`, a range the (root_id, path) index reads directly.
_PATH_END = chr(ord(PATH_SEPARATOR) + 1)
_POST_COLUMNS = load_only(
    Post.id,
    Post.author_id,
    Post.status,
    Post.published_at,
    Post.deleted_at,
    Post.allow_comments,
    Post.moderate_comments,
    Post.comments_count,
    raiseload=True,
)


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
_POST_BY_ID = (
    select(Post)
    .options(_POST_COLUMNS)
    .where(Post.id == bindparam("post_id", type_=Uuid), _LIVE_POST)
)
_POST_BY_SLUG = (
    select(Post)
    .options(_POST_COLUMNS)
    .where(Post.slug == bindparam("slug", type_=String), _LIVE_POST)
)
_REPLIES_OF_ROOTS = _WITH_AUTHOR.where(
    Comment.root_id == any_(bindparam("root_ids", type_=ARRAY(Uuid))),
    Comment.id != Comment.root_id,
).order_by(Comment.path)


@lru_cache(maxsize=16)
def _roots_statements(kind: str, newest: bool) -> tuple[Select[Any], Select[Any]]:
    """A page of a post's roots (each row with the total) and the total alone, for readers
    of one kind; binds post_id, limit, offset and (kind "viewer") viewer_id."""
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
    conditions = [
        Comment.post_id == bindparam("post_id", type_=Uuid),
        Comment.parent_id.is_(None),
        or_(_shown_to(kind, Comment, viewer_id), leads_to_shown),
    ]
    direction = (Comment.created_at.desc(), Comment.id.desc())
    order = direction if newest else (Comment.created_at.asc(), Comment.id.asc())
    page = (
        _WITH_AUTHOR.add_columns(func.count().over())
        .where(*conditions)
        .order_by(*order)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return page, select(func.count()).select_from(Comment).where(*conditions)


def _record(row: Any) -> CommentRecord:
    comment, username, display_name, avatar_url = row[:4]
    author = AuthorRef(username, display_name, avatar_url) if username is not None else None
    return CommentRecord(comment=comment, author=author)


def _record_with_profile(row: Any) -> CommentRecord:
    comment, username, display_name, avatar_url, bio, followed = row
    if username is None:
        return CommentRecord(comment=comment, author=None)
    author = AuthorRef(username, display_name, avatar_url, bio, bool(followed))
    return CommentRecord(comment=comment, author=author)


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

    async def get_post(self, post_id: uuid.UUID) -> Post | None:
        """A live post with only the columns comment rules read."""
        return await self.session.scalar(_POST_BY_ID, {"post_id": post_id})

    async def get_post_by_slug(self, slug: str) -> Post | None:
        return await self.session.scalar(_POST_BY_SLUG, {"slug": slug})

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

    async def page_roots(
        self, post_id: uuid.UUID, scope: ReadScope, *, newest: bool, limit: int, offset: int
    ) -> tuple[list[CommentRecord], int]:
        """A page of a post's root comments that the reader sees, or that lead to replies the
        reader sees, and how many there are (one statement, unless the page is past the end)."""
        page, count = _roots_statements(_scope_kind(scope), newest)
        params: dict[str, Any] = {"post_id": post_id, "limit": limit, "offset": offset}
        if scope.viewer_id is not None:
            params["viewer_id"] = scope.viewer_id
        rows = (await self.session.execute(page, params)).all()
        if rows:
            return [_record(row) for row in rows], int(rows[0][4])
        if not offset:
            return [], 0
        return [], int(await self.session.scalar(count, params) or 0)

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

    async def replies_of_roots(self, root_ids: Sequence[uuid.UUID]) -> list[CommentRecord]:
        """Every reply in the threads of these roots, in thread order, in one statement."""
        rows = await self.session.execute(_REPLIES_OF_ROOTS, {"root_ids": list(root_ids)})
        return [_record(row) for row in rows]

    async def subtree(self, comment: Comment) -> list[CommentRecord]:
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
