"""Request and response models of notifications and their settings."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import StrictBool, field_validator

from inkwell.core.schemas import NOT_NULL, InputModel, OutputModel, UTCDateTime
from inkwell.models.notification import EmailDelivery, NotificationKind
from inkwell.notifications.preferences import Preference
from inkwell.notifications.service import NotificationPage, NotificationRecord


class Actor(OutputModel):
    username: str
    display_name: str | None
    avatar_url: str | None


class PostSubject(OutputModel):
    id: uuid.UUID
    slug: str
    title: str


class CommentSubject(OutputModel):
    id: uuid.UUID
    excerpt: str


class NotificationView(OutputModel):
    """One notification. `actors` are the latest few (newest first), `actors_count` all of
    them (a grouped like: "Ada and 4 others"). `post` and `comment` are as they are now: null
    when gone or no longer shown."""

    id: uuid.UUID
    kind: NotificationKind
    created_at: UTCDateTime
    updated_at: UTCDateTime
    read_at: UTCDateTime | None
    actors: list[Actor]
    actors_count: int
    post: PostSubject | None
    comment: CommentSubject | None

    @classmethod
    def from_record(cls, record: NotificationRecord) -> NotificationView:
        row = record.row
        post = (
            PostSubject(id=row.post_id, slug=row.post_slug or "", title=row.post_title or "")
            if row.post_id
            else None
        )
        comment = (
            CommentSubject(id=row.comment_id, excerpt=record.excerpt or "")
            if row.comment_id
            else None
        )
        return cls(
            id=row.id,
            kind=row.kind,
            created_at=row.created_at,
            updated_at=row.updated_at,
            read_at=row.read_at,
            actors=[Actor.model_validate(actor) for actor in record.actors],
            actors_count=row.actors_count,
            post=post,
            comment=comment,
        )


class NotificationList(OutputModel):
    """A page of notifications; pass `next_cursor` back as `cursor` (null: the end)."""

    items: list[NotificationView]
    next_cursor: str | None

    @classmethod
    def from_page(cls, page: NotificationPage) -> NotificationList:
        return cls(
            items=[NotificationView.from_record(r) for r in page.items],
            next_cursor=page.next_cursor,
        )


class UnreadCount(OutputModel):
    unread: int


class KindSetting(InputModel):
    """`in_app` false: no notification of this kind is made (so none is mailed either)."""

    in_app: StrictBool
    email: EmailDelivery

    def preference(self) -> Preference:
        return Preference(in_app=self.in_app, email=self.email)


class KindSettingView(OutputModel):
    in_app: bool
    email: EmailDelivery


class NotificationSettingsUpdate(InputModel):
    """The kinds to change; the kinds left out keep their settings."""

    comment: Annotated[KindSetting | None, NOT_NULL] = None
    reply: Annotated[KindSetting | None, NOT_NULL] = None
    like: Annotated[KindSetting | None, NOT_NULL] = None
    follow: Annotated[KindSetting | None, NOT_NULL] = None
    new_post: Annotated[KindSetting | None, NOT_NULL] = None
    comment_hidden: Annotated[KindSetting | None, NOT_NULL] = None

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null (leave the kind out to keep its settings)")
        return value

    def choices(self) -> dict[NotificationKind, Preference]:
        return {
            NotificationKind(kind): setting.preference()
            for kind, setting in self
            if isinstance(setting, KindSetting)
        }


class NotificationSettings(OutputModel):
    """Every kind's settings (the defaults where the user chose nothing)."""

    comment: KindSettingView
    reply: KindSettingView
    like: KindSettingView
    follow: KindSettingView
    new_post: KindSettingView
    comment_hidden: KindSettingView

    @classmethod
    def of(cls, preferences: dict[NotificationKind, Preference]) -> NotificationSettings:
        return cls.model_validate(
            {kind.value: {"in_app": p.in_app, "email": p.email} for kind, p in preferences.items()}
        )


class Unsubscribed(OutputModel):
    """The kinds of notification no longer mailed."""

    unsubscribed: list[NotificationKind]
