"""Live updates' rules: tickets, and who may watch which channel."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from inkwell.core.clock import utcnow
from inkwell.live.exceptions import ChannelNotFound, InvalidTicket, SignInRequired
from inkwell.live.messages import parse_post_channel
from inkwell.live.repository import LiveRepository
from inkwell.models.live import MY_CHANNEL, post_channel, user_channel
from inkwell.models.user import User
from inkwell.posts.policy import can_moderate, can_see

TICKET_BYTES = 32


@dataclass(frozen=True)
class Grant:
    """A channel a subscriber may watch (its canonical name), and whether it sees what only
    the post's moderators see."""

    channel: str
    moderator: bool
    shown_as: str | None = None  # the name the subscriber knows it by (`user:me`)

    @property
    def name(self) -> str:
        return self.shown_as or self.channel


def ticket_hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


class LiveService:
    def __init__(self, *, live: LiveRepository, ticket_ttl_seconds: int) -> None:
        self.live = live
        self.ticket_ttl = timedelta(seconds=ticket_ttl_seconds)

    async def issue_ticket(self, *, user: User) -> tuple[str, int]:
        """A new single-use ticket for `user` and its lifetime in seconds; only its hash is
        kept."""
        ticket = secrets.token_urlsafe(TICKET_BYTES)
        await self.live.add_ticket(ticket_hash(ticket), user.id, utcnow() + self.ticket_ttl)
        return ticket, int(self.ticket_ttl.total_seconds())

    async def redeem(self, *, ticket: str) -> User:
        """The active user a ticket was issued to; the ticket works no more."""
        user = await self.live.take_ticket(ticket_hash(ticket), utcnow())
        if user is None or not user.is_active:
            raise InvalidTicket
        return user

    async def grant(self, *, channel: str, user: User | None) -> Grant:
        """May `user` watch `channel`? A post nobody may see and a post this user may not see
        (a draft of someone else) are refused alike. `user:me` is the signed-in user's own."""
        if channel == MY_CHANNEL:
            if user is None:
                raise SignInRequired
            return Grant(user_channel(user.id), moderator=False, shown_as=MY_CHANNEL)
        post_id = parse_post_channel(channel)
        post = await self.live.post(post_id) if post_id else None
        if post is None or not can_see(post, user, utcnow()):
            raise ChannelNotFound
        return Grant(post_channel(post.id), can_moderate(post, user))

    async def current_seq(self, *, channel: str) -> int:
        """The channel's last sequence number (0 before its first message)."""
        return await self.live.current_seq(channel)
