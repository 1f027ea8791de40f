"""What notifications are made from and read into: plain records, no ORM entities."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from inkwell.models.comment import CommentStatus
from inkwell.models.notification import NotificationKind
from inkwell.notifications.preferences import DEFAULTS


@dataclass(frozen=True, slots=True)
class Origin:
    """The outbox event a notification comes from, and when it happened."""

    event_id: uuid.UUID
    at: datetime

    def about(
        self,
        kind: NotificationKind,
        actor_id: uuid.UUID,
        *,
        post_id: uuid.UUID | None = None,
        comment_id: uuid.UUID | None = None,
    ) -> Happening:
        return Happening(kind, self.event_id, actor_id, self.at, post_id, comment_id)


@dataclass(frozen=True, slots=True)
class Happening:
    """What one notification says: the kind, the event, who did it, and about what."""

    kind: NotificationKind
    event_id: uuid.UUID
    actor_id: uuid.UUID
    at: datetime
    post_id: uuid.UUID | None = None
    comment_id: uuid.UUID | None = None

    def parameters(self) -> dict[str, Any]:
        preference = DEFAULTS[self.kind]
        return {
            "kind": self.kind.value,
            "event_id": self.event_id,
            "actor": self.actor_id,
            "at": self.at,
            "post_id": self.post_id,
            "comment_id": self.comment_id,
            "email": preference.email.value,
            "in_app": preference.in_app,
        }


@dataclass(frozen=True, slots=True)
class CommentContext:
    """A comment as it is now, with its post and the comment it replies to."""

    author_id: uuid.UUID | None
    status: CommentStatus
    deleted: bool
    post_id: uuid.UUID
    post_author_id: uuid.UUID
    post_public: bool
    parent_author_id: uuid.UUID | None
    parent_live: bool


@dataclass(frozen=True, slots=True)
class NotificationRow:
    id: uuid.UUID
    kind: NotificationKind
    created_at: datetime
    updated_at: datetime
    read_at: datetime | None
    actor_ids: list[uuid.UUID]
    actors_count: int
    post_id: uuid.UUID | None
    post_slug: str | None
    post_title: str | None
    comment_id: uuid.UUID | None
    comment_text: str | None


@dataclass(frozen=True, slots=True)
class ActorRow:
    id: uuid.UUID
    username: str
    display_name: str | None
    avatar_url: str | None


@dataclass(frozen=True, slots=True)
class PendingMail:
    """A notification waiting for its e-mail, with its recipient and subject as they are now."""

    id: uuid.UUID
    kind: NotificationKind
    recipient_id: uuid.UUID
    actor_ids: list[uuid.UUID]
    actors_count: int
    email: str
    username: str
    reachable: bool  # active, not deleted, the address verified
    post_id: uuid.UUID | None
    post_slug: str | None
    post_title: str | None
    comment_text: str | None


@dataclass(frozen=True, slots=True)
class LiveNotice:
    """A notification for its recipient's live channel (`user:me`): its number in the
    channel, the notification as the list shows it, and the recipient's unread count."""

    channel: str
    seq: int
    notification: dict[str, Any]
    unread_count: int
