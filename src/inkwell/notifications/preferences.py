"""What each kind does for a user who chose nothing (docs/architecture.md, Notifications)."""

from __future__ import annotations

from dataclasses import dataclass

from inkwell.models.notification import EmailDelivery, NotificationKind

Kind, Email = NotificationKind, EmailDelivery


@dataclass(frozen=True, slots=True)
class Preference:
    in_app: bool
    email: EmailDelivery


# Everything shows in the app; mail goes at once for what concerns the user's own words,
# in the daily digest for new posts, never for likes and follows (frequent, low stakes).
DEFAULTS: dict[NotificationKind, Preference] = {
    Kind.COMMENT: Preference(in_app=True, email=Email.IMMEDIATE),
    Kind.REPLY: Preference(in_app=True, email=Email.IMMEDIATE),
    Kind.COMMENT_HIDDEN: Preference(in_app=True, email=Email.IMMEDIATE),
    Kind.NEW_POST: Preference(in_app=True, email=Email.DAILY),
    Kind.LIKE: Preference(in_app=True, email=Email.OFF),
    Kind.FOLLOW: Preference(in_app=True, email=Email.OFF),
}
