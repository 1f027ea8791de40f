"""Notification e-mail: each notification whose recipient asked for mail at once, and a daily
digest of those asked for daily; every message with a one-click unsubscribe (RFC 8058).

A sender takes the pending rows `FOR UPDATE SKIP LOCKED` and marks them `emailed_at` in the
transaction that stores the messages (`MailQueue.defer`), so a notification is mailed once
however many senders run, and a sender that fails mails nothing. Rows that are not worth a
mail (the recipient's address unverified, or the subject gone since) are marked too.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.mail.message import Message, render
from inkwell.mail.service import MailQueue
from inkwell.models.notification import EmailDelivery, NotificationKind
from inkwell.notifications.records import ActorRow, PendingMail
from inkwell.notifications.repository import NotificationRepository
from inkwell.notifications.unsubscribe import Unsubscribe, unsubscribe_token

Kind = NotificationKind
# Rows a sender takes per statement; a digest lists at most DIGEST_ITEMS of a recipient's.
BATCH = 500
DIGEST_ITEMS = 20
EXCERPT_LENGTH = 300
TITLE_IN_SUBJECT = 80
# Front-end pages the links open (beside the account pages of users/mailing.py).
PROFILE_PAGE = "/users/{username}"
SETTINGS_PAGE = "/settings/notifications"
UNSUBSCRIBE_PAGE = "/unsubscribe"
UNSUBSCRIBE_PATH = "/api/v1/notifications/unsubscribe"
# Kinds whose subject is a post, and those quoting a comment.
ABOUT_A_POST = frozenset({Kind.COMMENT, Kind.REPLY, Kind.LIKE, Kind.NEW_POST, Kind.COMMENT_HIDDEN})
QUOTING = frozenset({Kind.COMMENT, Kind.REPLY, Kind.COMMENT_HIDDEN})


@dataclass(frozen=True, slots=True)
class Item:
    """One notification as a mail tells it."""

    headline: str
    link: str
    excerpt: str | None


def _one_line(text: str, limit: int) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _name(actor: ActorRow | None) -> str:
    if actor is None:
        return "Someone"
    return actor.display_name or actor.username


def headline(row: PendingMail, actor: ActorRow | None, *, title_limit: int = 200) -> str:
    """What happened, in a sentence ("Ada and 4 others liked “Title”")."""
    who = _name(actor)
    title = f"“{_one_line(row.post_title or '', title_limit)}”"
    others = row.actors_count - 1
    sentences = {
        Kind.COMMENT: f"{who} commented on {title}",
        Kind.REPLY: f"{who} replied to your comment on {title}",
        Kind.LIKE: f"{who} and {others} others liked {title}" if others else f"{who} liked {title}",
        Kind.FOLLOW: f"{who} followed you",
        Kind.NEW_POST: f"{who} published {title}",
        Kind.COMMENT_HIDDEN: f"A moderator hid your comment on {title}",
    }
    return sentences[row.kind]


def worth_mailing(row: PendingMail) -> bool:
    """The recipient reachable, and what the notification is about still there to read."""
    if not row.reachable:
        return False
    if row.kind in ABOUT_A_POST and row.post_slug is None:
        return False
    return not (row.kind in QUOTING and row.comment_text is None)


class NotificationMail:
    def __init__(
        self, notifications: NotificationRepository, mail: MailQueue, settings: Settings
    ) -> None:
        self.notifications = notifications
        self.mail = mail
        self.settings = settings

    @classmethod
    def over(cls, session: AsyncSession, settings: Settings) -> NotificationMail:
        """The mail of a session's transaction: marks and messages commit together."""
        return cls(NotificationRepository(session), MailQueue(session, settings), settings)

    async def send_immediate(self, now: datetime) -> int:
        """A message for each notification its recipient wants mailed at once; how many."""
        sent = 0
        while rows := await self.notifications.pending_mail(
            EmailDelivery.IMMEDIATE, now=now, limit=BATCH
        ):
            actors = await self._first_actors(rows)
            for row in filter(worth_mailing, rows):
                await self.mail.defer(self._one(row, actors.get(row.id)))
                sent += 1
            await self.notifications.mark_emailed([row.id for row in rows], now)
        return sent

    async def send_digests(self, now: datetime) -> int:
        """One digest for each recipient with notifications asked for daily; how many."""
        sent = 0
        while rows := await self.notifications.pending_mail(
            EmailDelivery.DAILY, now=now, limit=BATCH
        ):
            actors = await self._first_actors(rows)
            ordered = sorted(filter(worth_mailing, rows), key=lambda row: row.recipient_id.int)
            for _, group in groupby(ordered, key=lambda row: row.recipient_id):
                await self.mail.defer(self._digest(list(group), actors))
                sent += 1
            await self.notifications.mark_emailed([row.id for row in rows], now)
        return sent

    async def _first_actors(self, rows: Sequence[PendingMail]) -> dict[uuid.UUID, ActorRow]:
        """The latest actor of each notification (the one its sentence names)."""
        found = await self.notifications.actors([row.actor_ids[0] for row in rows if row.actor_ids])
        return {
            row.id: found[row.actor_ids[0]]
            for row in rows
            if row.actor_ids and row.actor_ids[0] in found
        }

    def _item(self, row: PendingMail, actor: ActorRow | None) -> Item:
        base = self.settings.link_base
        if row.kind == Kind.FOLLOW and actor is not None:
            link = base + PROFILE_PAGE.format(username=actor.username)
        elif row.post_slug is not None:
            link = base + self.settings.post_page_path.replace("{slug}", row.post_slug)
        else:
            link = base
        excerpt = row.comment_text if row.kind in QUOTING else None
        return Item(
            headline(row, actor),
            link,
            _one_line(excerpt, EXCERPT_LENGTH) if excerpt else None,
        )

    def _one(self, row: PendingMail, actor: ActorRow | None) -> Message:
        item = self._item(row, actor)
        return self._render(
            "notifications/one",
            row,
            Unsubscribe(row.recipient_id, row.kind),
            subject=headline(row, actor, title_limit=TITLE_IN_SUBJECT),
            item=item,
        )

    def _digest(self, rows: list[PendingMail], actors: dict[uuid.UUID, ActorRow]) -> Message:
        shown = rows[-DIGEST_ITEMS:][::-1]  # the latest first
        items = [self._item(row, actors.get(row.id)) for row in shown]
        count = len(rows)
        subject = "1 new notification" if count == 1 else f"{count} new notifications"
        return self._render(
            "notifications/digest",
            rows[0],
            Unsubscribe(rows[0].recipient_id, None),
            subject=f"Your Inkwell digest: {subject}",
            items=items,
            more=count - len(items),
        )

    def _render(
        self, template: str, row: PendingMail, wish: Unsubscribe, **context: Any
    ) -> Message:
        token = unsubscribe_token(self.settings, wish)
        one_click = f"{self.settings.api_base}{UNSUBSCRIBE_PATH}?token={token}"
        message = render(
            template,
            to=row.email,
            username=row.username,
            settings_link=self.settings.link_base + SETTINGS_PAGE,
            unsubscribe_link=f"{self.settings.link_base}{UNSUBSCRIBE_PAGE}#token={token}",
            **context,
        )
        headers = {
            "List-Unsubscribe": f"<{one_click}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        return replace(message, headers=headers)
