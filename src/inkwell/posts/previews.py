"""Preview links: a secret URL that shows a draft or scheduled post, read only, to whoever
holds it, until it expires or its author revokes it."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.clock import utcnow
from inkwell.core.errors import NotFound
from inkwell.models.post import PostPreviewLink
from inkwell.models.user import User
from inkwell.posts.exceptions import NotPostAuthor, PostNotFound
from inkwell.posts.policy import can_edit, can_see
from inkwell.posts.records import PostRecord
from inkwell.posts.repository import PostRepository

TOKEN_PREFIX = "pv_"  # noqa: S105 - not a secret: what every preview token starts with


class PreviewLinkNotFound(NotFound):
    code, title = "preview_link_not_found", "Preview link not found"


@dataclass(frozen=True)
class NewPreviewLink:
    link: PostPreviewLink
    token: str  # shown once; only its hash is kept


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PreviewLinks:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.posts = PostRepository(session)

    async def create(
        self, *, post_id: uuid.UUID, user: User, expires_in: timedelta | None
    ) -> NewPreviewLink:
        await self._editable(post_id, user)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        link = PostPreviewLink(
            post_id=post_id,
            token_hash=token_hash(token),
            created_by=user.id,
            expires_at=utcnow() + expires_in if expires_in else None,
        )
        self.session.add(link)
        await self.session.flush()
        await self.session.refresh(link)
        return NewPreviewLink(link, token)

    async def list(self, *, post_id: uuid.UUID, user: User) -> Sequence[PostPreviewLink]:
        """The post's links, newest first, revoked and expired ones too."""
        await self._editable(post_id, user)
        query = (
            select(PostPreviewLink)
            .where(PostPreviewLink.post_id == post_id)
            .order_by(PostPreviewLink.created_at.desc(), PostPreviewLink.id.desc())
        )
        return (await self.session.scalars(query)).all()

    async def revoke(self, *, post_id: uuid.UUID, link_id: uuid.UUID, user: User) -> None:
        """The link stops working at once (revoking twice is no error)."""
        await self._editable(post_id, user)
        revoked = await self.session.execute(
            update(PostPreviewLink)
            .where(PostPreviewLink.id == link_id, PostPreviewLink.post_id == post_id)
            .values(revoked_at=func.coalesce(PostPreviewLink.revoked_at, func.now()))
            .returning(PostPreviewLink.id)
        )
        if revoked.first() is None:
            raise PreviewLinkNotFound

    async def read(self, token: str) -> PostRecord:
        """The post a working link shows; any other token is a plain 404 (no telling an
        expired link from a revoked or a made-up one)."""
        now = utcnow()
        post_id = await self.session.scalar(
            select(PostPreviewLink.post_id).where(
                PostPreviewLink.token_hash == token_hash(token),
                PostPreviewLink.revoked_at.is_(None),
                or_(PostPreviewLink.expires_at.is_(None), PostPreviewLink.expires_at > now),
            )
        )
        record = await self.posts.get_record(post_id) if post_id else None
        if record is None:
            raise PostNotFound
        return replace(record, show_raw=False)

    async def _editable(self, post_id: uuid.UUID, user: User) -> None:
        record = await self.posts.get_record(post_id)
        coauthor = record is not None and record.has_author(user.id)
        if record is None or not can_see(record.post, user, utcnow(), coauthor=coauthor):
            raise PostNotFound
        if not can_edit(record.post, user, coauthor=coauthor):
            raise NotPostAuthor


def expires_in(hours: int | None) -> timedelta | None:
    return timedelta(hours=hours) if hours else None
