"""The ORM models; importing this package registers every table on `Base.metadata`."""

from inkwell.models.api_key import ApiKey
from inkwell.models.base import Base
from inkwell.models.comment import Comment, CommentStatus
from inkwell.models.engagement import Bookmark, Follow, Like, PostViewEvent
from inkwell.models.event import OutboxConsumer, OutboxConsumerAhead, OutboxEvent
from inkwell.models.idempotency import IdempotencyKey
from inkwell.models.live import LiveChannel, LiveMessage, LiveTicket
from inkwell.models.mail import OutgoingMail
from inkwell.models.media import Media, MediaStatus
from inkwell.models.notification import (
    EmailDelivery,
    Notification,
    NotificationActor,
    NotificationKind,
    NotificationSetting,
)
from inkwell.models.porting import ExportJob, ImportedRecord, ImportJob
from inkwell.models.post import (
    Post,
    PostAuthor,
    PostCount,
    PostPreviewLink,
    PostReview,
    PostSlug,
    PostStatus,
    PostTag,
    PostVersion,
    Tag,
)
from inkwell.models.relation import Block, Mute
from inkwell.models.series import Series, SeriesPost
from inkwell.models.user import AccountToken, RefreshToken, Role, TokenPurpose, User, UserSession
from inkwell.models.webhook import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AccountToken",
    "ApiKey",
    "Base",
    "Block",
    "Bookmark",
    "Comment",
    "CommentStatus",
    "EmailDelivery",
    "ExportJob",
    "Follow",
    "IdempotencyKey",
    "ImportJob",
    "ImportedRecord",
    "Like",
    "LiveChannel",
    "LiveMessage",
    "LiveTicket",
    "Media",
    "MediaStatus",
    "Mute",
    "Notification",
    "NotificationActor",
    "NotificationKind",
    "NotificationSetting",
    "OutboxConsumer",
    "OutboxConsumerAhead",
    "OutboxEvent",
    "OutgoingMail",
    "Post",
    "PostAuthor",
    "PostCount",
    "PostPreviewLink",
    "PostReview",
    "PostSlug",
    "PostStatus",
    "PostTag",
    "PostVersion",
    "PostViewEvent",
    "RefreshToken",
    "Role",
    "Series",
    "SeriesPost",
    "Tag",
    "TokenPurpose",
    "User",
    "UserSession",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
