"""Every query of live updates: tickets, sequence numbers, messages and what they show."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.live import LiveChannel, LiveMessage, LiveTicket
from inkwell.models.post import Post, PostStatus
from inkwell.models.user import User


@dataclass(frozen=True)
class LivePost:
    """What the visibility rules read of a post (posts.records.PostState)."""

    id: uuid.UUID
    author_id: uuid.UUID
    status: PostStatus
    published_at: datetime | None
    deleted_at: datetime | None
    version: int
    comments_count: int
    likes_count: int


_COMMENT = text("""
SELECT c.id, c.number, c.post_id, c.parent_id, c.depth, c.status, c.author_id,
       c.deleted_at IS NOT NULL AS deleted, c.content_html, c.created_at, c.updated_at,
       c.edited_at, u.username, u.display_name, u.avatar_url
FROM comments c LEFT JOIN users u ON u.id = c.author_id
WHERE c.id = :id
""")


class LiveRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_ticket(self, token_hash: str, user_id: uuid.UUID, expires_at: datetime) -> None:
        values = {"token_hash": token_hash, "user_id": user_id, "expires_at": expires_at}
        await self.session.execute(insert(LiveTicket).values(values))

    async def take_ticket(self, token_hash: str, now: datetime) -> User | None:
        """Delete the ticket (so it works once) and return its user if it had not expired."""
        taken = delete(LiveTicket).where(LiveTicket.token_hash == token_hash)
        row = (await self.session.execute(taken.returning(LiveTicket))).scalar_one_or_none()
        if row is None or row.expires_at <= now:
            return None
        return await self.session.get(User, row.user_id)

    async def post(self, post_id: uuid.UUID) -> LivePost | None:
        columns = [getattr(Post, name) for name in LivePost.__dataclass_fields__]
        row = (await self.session.execute(select(*columns).where(Post.id == post_id))).first()
        return None if row is None else LivePost(*row)

    async def comment(self, comment_id: uuid.UUID) -> dict[str, Any] | None:
        row = (await self.session.execute(_COMMENT, {"id": comment_id})).mappings().first()
        return None if row is None else dict(row)

    async def next_seq(self, channel: str) -> int:
        """The channel's next sequence number (the consumer is the only writer of these)."""
        upsert = pg_insert(LiveChannel).values(name=channel, seq=1)
        upsert = upsert.on_conflict_do_update(
            index_elements=[LiveChannel.name], set_={"seq": LiveChannel.seq + 1}
        )
        return int((await self.session.execute(upsert.returning(LiveChannel.seq))).scalar_one())

    async def current_seq(self, channel: str) -> int:
        found = select(LiveChannel.seq).where(LiveChannel.name == channel)
        return int((await self.session.execute(found)).scalar_one_or_none() or 0)

    async def add_message(
        self, channel: str, seq: int, comment_id: uuid.UUID | None, payload: dict[str, Any]
    ) -> None:
        values = {"channel": channel, "seq": seq, "comment_id": comment_id, "payload": payload}
        await self.session.execute(insert(LiveMessage).values(values))

    async def message(self, channel: str, seq: int) -> dict[str, Any] | None:
        found = select(LiveMessage.payload).where(
            LiveMessage.channel == channel, LiveMessage.seq == seq
        )
        return (await self.session.execute(found)).scalar_one_or_none()
