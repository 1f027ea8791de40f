"""Every query on notifications and their settings: the reads of the API, and the writes
of the outbox consumer (set-based: one statement per event, or per batch of followers)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from inkwell.models.comment import Comment, CommentStatus
from inkwell.models.engagement import Follow, Like
from inkwell.models.notification import (
    EmailDelivery,
    Notification,
    NotificationKind,
    NotificationSetting,
)
from inkwell.models.post import Post
from inkwell.models.user import User
from inkwell.models.visibility import LISTED, PUBLIC
from inkwell.notifications.preferences import DEFAULTS, Preference
from inkwell.notifications.records import (
    ActorRow,
    CommentContext,
    Happening,
    NotificationRow,
    PendingMail,
)
from inkwell.users.repository import active

# How much of a comment a notification quotes (the service cuts it to EXCERPT_LENGTH).
EXCERPT_READ = 201

# A UUIDv7 made by PostgreSQL (15 has no uuidv7()): the time in milliseconds over the first
# 48 bits of a random UUID, and the version bits set to 7. Set-based inserts make their ids
# here; they stay time-ordered like the ids made in Python (core/ids.py).
_UUID7 = """encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING
substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid"""

# A row for each recipient `u` (from `source`) who has the kind on (in the app or by mail),
# is active, is not the actor, and has neither blocked nor muted the actor; `tail` ends the
# statement. The text is
# put together from this module's constants only: every value is a bound parameter.
_INSERT_FOR_RECIPIENTS = """
INSERT INTO notifications (id, recipient_id, kind, event_id, actor_ids, actors_count, post_id,
    comment_id, email, in_app, created_at, updated_at)
SELECT {uuid7}, u.id, CAST(:kind AS notification_kind), :event_id,
       ARRAY[CAST(:actor AS uuid)], 1, CAST(:post_id AS uuid), CAST(:comment_id AS uuid),
       coalesce(s.email, CAST(:email AS email_delivery)), coalesce(s.in_app, :in_app), :at, :at
FROM {source}
LEFT JOIN notification_settings s ON s.user_id = u.id AND s.kind = CAST(:kind AS notification_kind)
WHERE u.is_active AND u.deleted_at IS NULL AND u.id <> :actor
  AND (coalesce(s.in_app, :in_app) OR coalesce(s.email, CAST(:email AS email_delivery)) <> 'off')
  AND NOT EXISTS (SELECT FROM blocks b WHERE b.blocker_id = u.id AND b.blocked_id = :actor)
  AND NOT EXISTS (SELECT FROM mutes m WHERE m.muter_id = u.id AND m.muted_id = :actor)
{tail}"""


def _insert_for(source: str, tail: str) -> str:
    return _INSERT_FOR_RECIPIENTS.format(uuid7=_UUID7, source=source, tail=tail)


_NOTIFY_ONE = text(
    _insert_for("users u", "AND u.id = :recipient ON CONFLICT DO NOTHING RETURNING id")
)
# One batch of an author's followers (in follower id order, after `after`); answers how many
# followers the batch held and the last one.
_FOLLOWERS_BATCH = """
WITH batch AS (
    SELECT follower_id FROM follows
    WHERE followee_id = :actor AND follower_id > :after
    ORDER BY follower_id LIMIT :size
), made AS ({insert})
SELECT count(*) AS taken, (array_agg(follower_id ORDER BY follower_id DESC))[1] AS last,
       (SELECT coalesce(array_agg(id), '{{}}') FROM made) AS made
FROM batch"""
_NOTIFY_FOLLOWERS = text(
    _FOLLOWERS_BATCH.format(
        insert=_insert_for(
            "batch JOIN users u ON u.id = batch.follower_id", "ON CONFLICT DO NOTHING RETURNING id"
        )
    )
)
# The recipient's one row for likes of a post, made if missing (with the first liker).
_OPEN_GROUP = text(
    _insert_for(
        "users u",
        """AND u.id = :recipient
ON CONFLICT (recipient_id, kind, post_id) WHERE kind IN ('like', 'new_post')
DO UPDATE SET email = excluded.email
RETURNING id, (xmax = 0) AS made""",
    )
)
# Count a liker once: a new one moves the group to the top, unread again, to be mailed again.
_JOIN_GROUP = text("""
WITH counted AS (
    INSERT INTO notification_actors (notification_id, actor_id, created_at)
    VALUES (:id, :actor, :at)
    ON CONFLICT DO NOTHING
    RETURNING notification_id
)
UPDATE notifications n
SET actors_count = n.actors_count + 1,
    actor_ids = (array_prepend(
        CAST(:actor AS uuid), array_remove(n.actor_ids, CAST(:actor AS uuid))
    ))[1:3],
    read_at = NULL, emailed_at = NULL, updated_at = greatest(n.updated_at, :at)
FROM counted
WHERE n.id = counted.notification_id AND NOT :made
RETURNING n.id
""")
_NO_ONE = uuid.UUID(int=0)
# Numbers for the messages of live channels, several at a time (the live domain's counters).
_NUMBER_LIVE = text("""
INSERT INTO live_channels (name, seq)
SELECT * FROM unnest(CAST(:names AS varchar[]), CAST(:counts AS bigint[]))
ON CONFLICT (name) DO UPDATE SET seq = live_channels.seq + excluded.seq
RETURNING name, seq
""")


def _views(now: datetime) -> Any:
    """Notifications with their subjects as they are now (the list's columns)."""
    return (
        select(
            Notification.id,
            Notification.kind,
            Notification.created_at,
            Notification.updated_at,
            Notification.read_at,
            Notification.actor_ids,
            Notification.actors_count,
            Post.id.label("post_id"),
            Post.slug.label("post_slug"),
            Post.title.label("post_title"),
            Comment.id.label("comment_id"),
            func.left(Comment.content_raw, EXCERPT_READ).label("comment_text"),
        )
        .select_from(Notification)
        .outerjoin(Post, and_(Post.id == Notification.post_id, PUBLIC.where(now)))
        .outerjoin(Comment, _comment_shown())
    )


def _comment_shown() -> Any:
    """A notification's comment while it is shown (its own hidden comment, for the
    `comment_hidden` kind, while it is not deleted)."""
    return and_(
        Comment.id == Notification.comment_id,
        Comment.deleted_at.is_(None),
        or_(
            Comment.status == CommentStatus.VISIBLE,
            Notification.kind == NotificationKind.COMMENT_HIDDEN,
        ),
    )


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # The notifications the writes below made or grew, in order (for live updates).
        self.touched: list[uuid.UUID] = []

    # Writes of the consumer

    async def notify(self, recipient_id: uuid.UUID, happening: Happening) -> bool:
        """One notification, unless the recipient would not want it or has it already."""
        made = (
            await self.session.execute(
                _NOTIFY_ONE, {**happening.parameters(), "recipient": recipient_id}
            )
        ).first()
        if made is not None:
            self.touched.append(made.id)
        return made is not None

    async def notify_followers(self, happening: Happening, batch_size: int) -> None:
        """One notification for each follower of the actor, `batch_size` followers a statement."""
        after = _NO_ONE
        while True:
            taken, last, made = (
                await self.session.execute(
                    _NOTIFY_FOLLOWERS,
                    {**happening.parameters(), "after": after, "size": batch_size},
                )
            ).one()
            self.touched.extend(made)
            if taken < batch_size:
                return
            after = last

    async def group(self, recipient_id: uuid.UUID, happening: Happening) -> None:
        """Count the actor in the recipient's one notification of this kind for the post."""
        opened = (
            await self.session.execute(
                _OPEN_GROUP, {**happening.parameters(), "recipient": recipient_id}
            )
        ).first()
        if opened is None:
            return
        grown = await self.session.execute(
            _JOIN_GROUP,
            {"id": opened.id, "made": opened.made, "actor": happening.actor_id, "at": happening.at},
        )
        if opened.made or grown.first() is not None:
            self.touched.append(opened.id)

    # What the consumer checks, as it is now

    async def comment_context(self, comment_id: uuid.UUID, now: datetime) -> CommentContext | None:
        parent = aliased(Comment)
        row = (
            await self.session.execute(
                select(
                    Comment.author_id,
                    Comment.status,
                    Comment.deleted_at.is_not(None).label("deleted"),
                    Comment.post_id,
                    Post.author_id.label("post_author_id"),
                    PUBLIC.where(now).label("post_public"),
                    parent.author_id.label("parent_author_id"),
                    (parent.deleted_at.is_(None) & (parent.status == CommentStatus.VISIBLE)).label(
                        "parent_live"
                    ),
                )
                .select_from(Comment)
                .join(Post, Post.id == Comment.post_id)
                .outerjoin(parent, parent.id == Comment.parent_id)
                .where(Comment.id == comment_id)
            )
        ).first()
        return CommentContext(**row._mapping) if row else None

    async def public_post_author(
        self, post_id: uuid.UUID, now: datetime, *, listed: bool = False
    ) -> uuid.UUID | None:
        """The author of a post anyone may read now (in the lists, with `listed`)."""
        audience = LISTED if listed else PUBLIC
        found: uuid.UUID | None = await self.session.scalar(
            select(Post.author_id).where(Post.id == post_id, audience.where(now))
        )
        return found

    async def likes(self, user_id: uuid.UUID, post_id: uuid.UUID) -> bool:
        return await self._exists(Like, Like.user_id == user_id, Like.post_id == post_id)

    async def follows(self, follower_id: uuid.UUID, followee_id: uuid.UUID) -> bool:
        return await self._exists(
            Follow, Follow.follower_id == follower_id, Follow.followee_id == followee_id
        )

    async def _exists(self, table: Any, *conditions: Any) -> bool:
        found = await self.session.scalar(select(select(table).where(*conditions).exists()))
        return bool(found)

    # Reads of the API

    async def page(
        self,
        recipient_id: uuid.UUID,
        *,
        now: datetime,
        unread: bool,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[NotificationRow]:
        """The recipient's notifications, latest activity first, with their subjects as they
        are now: a post only while anyone may read it, a comment only while it is shown (or,
        for a hidden comment's notification, while it is not deleted)."""
        conditions = [Notification.recipient_id == recipient_id, Notification.in_app]
        if unread:
            conditions.append(Notification.read_at.is_(None))
        if after is not None:
            conditions.append(tuple_(Notification.updated_at, Notification.id) < tuple_(*after))
        rows = await self.session.execute(
            _views(now)
            .where(*conditions)
            .order_by(Notification.updated_at.desc(), Notification.id.desc())
            .limit(limit)
        )
        return [NotificationRow(**row._mapping) for row in rows]

    async def shown(
        self, ids: Sequence[uuid.UUID], now: datetime
    ) -> list[tuple[uuid.UUID, NotificationRow]]:
        """The notifications among `ids` shown in the app, each with its recipient, in the
        order of `ids`."""
        if not ids:
            return []
        found = _views(now).add_columns(Notification.recipient_id)
        rows = await self.session.execute(
            found.where(Notification.id.in_(ids), Notification.in_app)
        )
        by_id = {}
        for row in rows:
            fields = dict(row._mapping)
            recipient = fields.pop("recipient_id")
            by_id[row.id] = (recipient, NotificationRow(**fields))
        return [by_id[i] for i in ids if i in by_id]

    async def unread_counts(self, recipient_ids: set[uuid.UUID]) -> dict[uuid.UUID, int]:
        """How many unread notifications each of these recipients has (one statement)."""
        rows = await self.session.execute(
            select(Notification.recipient_id, func.count())
            .where(
                Notification.recipient_id.in_(recipient_ids),
                Notification.read_at.is_(None),
                Notification.in_app,
            )
            .group_by(Notification.recipient_id)
        )
        counts = dict.fromkeys(recipient_ids, 0)
        counts.update({row[0]: int(row[1]) for row in rows})
        return counts

    async def number_live(self, counts: dict[str, int]) -> dict[str, int]:
        """Take `counts[channel]` sequence numbers of each live channel; the last one taken."""
        rows = await self.session.execute(
            _NUMBER_LIVE, {"names": list(counts), "counts": list(counts.values())}
        )
        return {row.name: int(row.seq) for row in rows}

    async def actors(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ActorRow]:
        """The active accounts among `ids`, by id (one statement for a whole page)."""
        if not ids:
            return {}
        rows = await self.session.execute(
            select(User.id, User.username, User.display_name, User.avatar_url).where(
                User.id.in_(set(ids)), active(User)
            )
        )
        return {row.id: ActorRow(**row._mapping) for row in rows}

    async def unread_count(self, recipient_id: uuid.UUID) -> int:
        count = await self.session.scalar(
            select(func.count()).where(
                Notification.recipient_id == recipient_id,
                Notification.read_at.is_(None),
                Notification.in_app,
            )
        )
        return int(count or 0)

    async def mark_read(
        self, recipient_id: uuid.UUID, notification_id: uuid.UUID, now: datetime
    ) -> bool:
        """Mark one of the recipient's notifications read; False when it is not theirs."""
        found = await self.session.scalar(
            update(Notification)
            .where(Notification.id == notification_id, Notification.recipient_id == recipient_id)
            .values(read_at=func.coalesce(Notification.read_at, now))
            .returning(Notification.id)
        )
        return found is not None

    async def mark_all_read(self, recipient_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(Notification)
            .where(Notification.recipient_id == recipient_id, Notification.read_at.is_(None))
            .values(read_at=now)
        )

    # Mail

    async def pending_mail(
        self, delivery: EmailDelivery, *, now: datetime, limit: int
    ) -> list[PendingMail]:
        """Notifications still to be mailed this way, oldest activity first, locked for this
        transaction (another sender skips them), with their subjects as they are now."""
        rows = await self.session.execute(
            select(
                Notification.id,
                Notification.kind,
                Notification.recipient_id,
                Notification.actor_ids,
                Notification.actors_count,
                User.email,
                User.username,
                (active(User) & User.email_verified_at.is_not(None)).label("reachable"),
                Post.id.label("post_id"),
                Post.slug.label("post_slug"),
                Post.title.label("post_title"),
                func.left(Comment.content_raw, EXCERPT_READ).label("comment_text"),
            )
            .select_from(Notification)
            .join(User, User.id == Notification.recipient_id)
            .outerjoin(Post, and_(Post.id == Notification.post_id, PUBLIC.where(now)))
            .outerjoin(Comment, _comment_shown())
            .where(
                Notification.email != EmailDelivery.OFF,  # the partial index's condition
                Notification.email == delivery,
                Notification.emailed_at.is_(None),
            )
            .order_by(Notification.updated_at)
            .limit(limit)
            .with_for_update(of=Notification, skip_locked=True)
        )
        return [PendingMail(**row._mapping) for row in rows]

    async def mark_emailed(self, ids: Sequence[uuid.UUID], now: datetime) -> None:
        """Mark notifications mailed (or looked at and not worth mailing)."""
        if ids:
            await self.session.execute(
                update(Notification).where(Notification.id.in_(ids)).values(emailed_at=now)
            )

    async def user_exists(self, user_id: uuid.UUID) -> bool:
        return await self._exists(User, User.id == user_id)

    # Settings

    async def preferences(self, user_id: uuid.UUID) -> dict[NotificationKind, Preference]:
        """The user's choices, the defaults for the kinds they left alone."""
        rows = await self.session.execute(
            select(
                NotificationSetting.kind, NotificationSetting.in_app, NotificationSetting.email
            ).where(NotificationSetting.user_id == user_id)
        )
        chosen = {row.kind: Preference(in_app=row.in_app, email=row.email) for row in rows}
        return {kind: chosen.get(kind, default) for kind, default in DEFAULTS.items()}

    async def save_preferences(
        self, user_id: uuid.UUID, choices: dict[NotificationKind, Preference]
    ) -> None:
        if not choices:
            return
        values = [
            {"user_id": user_id, "kind": kind, "in_app": p.in_app, "email": p.email}
            for kind, p in choices.items()
        ]
        statement = pg_insert(NotificationSetting).values(values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[NotificationSetting.user_id, NotificationSetting.kind],
                set_={"in_app": statement.excluded.in_app, "email": statement.excluded.email},
            )
        )
