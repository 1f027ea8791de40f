"""Notifications: one row per recipient and happening, made by the outbox consumer of
notifications; and each user's settings per kind."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base, UUIDKey


class NotificationKind(enum.StrEnum):
    COMMENT = "comment"  # a comment on your post
    REPLY = "reply"  # a reply to your comment
    LIKE = "like"  # likes of your post, one notification per post
    FOLLOW = "follow"  # a new follower
    NEW_POST = "new_post"  # a post published by an author you follow
    COMMENT_HIDDEN = "comment_hidden"  # a moderator hid your comment


class EmailDelivery(enum.StrEnum):
    OFF = "off"
    IMMEDIATE = "immediate"
    DAILY = "daily"


def _enum(kind: type[enum.StrEnum], name: str) -> Enum:
    return Enum(kind, name=name, values_callable=lambda e: [m.value for m in e])


KIND_TYPE = _enum(NotificationKind, "notification_kind")
EMAIL_TYPE = _enum(EmailDelivery, "email_delivery")

# Kinds with at most one notification per recipient and post: likes are grouped in one row,
# and a post published, unpublished and published again announces itself once.
ONE_PER_POST = "kind IN ('like', 'new_post')"
# Rows the mail sender has still to look at (docs/architecture.md, Notifications).
WANTS_EMAIL = "email <> 'off' AND emailed_at IS NULL"


class Notification(UUIDKey, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # The same event never makes a recipient two notifications of one kind.
        UniqueConstraint("recipient_id", "event_id", "kind", name="uq_notifications_event"),
        Index(
            "uq_notifications_one_per_post",
            "recipient_id",
            "kind",
            "post_id",
            unique=True,
            postgresql_where=text(ONE_PER_POST),
        ),
        Index("ix_notifications_recipient_id_updated_at", "recipient_id", "updated_at", "id"),
        Index(
            "ix_notifications_unread",
            "recipient_id",
            "updated_at",
            "id",
            postgresql_where=text("read_at IS NULL"),
        ),
        Index("ix_notifications_email_wanted", "updated_at", postgresql_where=text(WANTS_EMAIL)),
        Index("ix_notifications_post_id", "post_id"),
        Index("ix_notifications_comment_id", "comment_id"),
    )

    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(KIND_TYPE)
    # The outbox event that made the row (for grouped likes: the first like's).
    event_id: Mapped[uuid.UUID] = mapped_column()
    # Who did it, newest first: at most a few, and how many in all (grouped likes).
    actor_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid))
    actors_count: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    post_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), default=None
    )
    comment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), default=None
    )
    # What the recipient's settings asked for when the row was made or last grew; a mail
    # sender sets `emailed_at` once it has sent (or batched) it.
    email: Mapped[EmailDelivery] = mapped_column(EMAIL_TYPE, server_default=EmailDelivery.OFF.value)
    emailed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Shown in the app: a kind the recipient keeps out of the app but mails is made for the
    # mail alone, and the list and the unread count leave it out.
    in_app: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The latest activity (a new like of a grouped row moves it): the list's order.
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class NotificationActor(Base):
    """Everyone a grouped notification counts, once each (a like, unlike and like again by
    the same person, or a replayed event, counts once)."""

    __tablename__ = "notification_actors"
    __table_args__ = (
        PrimaryKeyConstraint("notification_id", "actor_id", name="pk_notification_actors"),
    )

    notification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE")
    )
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class NotificationSetting(Base):
    """A user's choice for one kind; a kind without a row has the defaults."""

    __tablename__ = "notification_settings"
    __table_args__ = (PrimaryKeyConstraint("user_id", "kind", name="pk_notification_settings"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(KIND_TYPE)
    in_app: Mapped[bool] = mapped_column(Boolean)
    email: Mapped[EmailDelivery] = mapped_column(EMAIL_TYPE)
