"""A live message, who may see it whole, and what the others get instead.

A message carries its channel's sequence number. Every subscriber of a channel gets every
number: a subscriber who may not see a message gets its redacted form (`comment.removed` for
a comment a moderator hid) or, when there is nothing to say, a `redacted` message without
data. A client therefore sees a gap only when it really missed something.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from inkwell.models.live import POST_CHANNEL


class Audience(StrEnum):
    PUBLIC = "public"  # everyone who may subscribe
    MODERATORS = "moderators"  # the post's author, moderators and admins
    MODERATORS_AND_AUTHOR = "moderators_and_author"  # ... and the comment's author


@dataclass(frozen=True)
class Redacted:
    type: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LiveMessage:
    channel: str
    seq: int
    type: str
    data: dict[str, Any]
    audience: Audience = Audience.PUBLIC
    author_id: uuid.UUID | None = None
    redacted: Redacted | None = None

    def for_viewer(self, *, moderator: bool, user_id: uuid.UUID | None) -> dict[str, Any]:
        """The message as a subscriber with these rights receives it."""
        if self._shows_to(moderator=moderator, user_id=user_id):
            kind, data = self.type, self.data
        elif self.redacted is not None:
            kind, data = self.redacted.type, self.redacted.data
        else:
            kind, data = "redacted", {}
        return {"channel": self.channel, "seq": self.seq, "type": kind, "data": data}

    def _shows_to(self, *, moderator: bool, user_id: uuid.UUID | None) -> bool:
        if self.audience is Audience.PUBLIC or moderator:
            return True
        return (
            self.audience is Audience.MODERATORS_AND_AUTHOR
            and user_id is not None
            and user_id == self.author_id
        )

    def to_json(self) -> dict[str, Any]:
        """The form kept in `live_messages` and sent between processes."""
        redacted = None if self.redacted is None else {**vars(self.redacted)}
        return {
            "channel": self.channel,
            "seq": self.seq,
            "type": self.type,
            "data": self.data,
            "audience": self.audience.value,
            "author_id": None if self.author_id is None else str(self.author_id),
            "redacted": redacted,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> LiveMessage:
        author = value.get("author_id")
        redacted = value.get("redacted")
        return cls(
            channel=value["channel"],
            seq=value["seq"],
            type=value["type"],
            data=value["data"],
            audience=Audience(value["audience"]),
            author_id=uuid.UUID(author) if author else None,
            redacted=Redacted(**redacted) if redacted else None,
        )


def parse_post_channel(channel: str) -> uuid.UUID | None:
    """The post id a `post:{id}` channel names; None for anything else."""
    if not channel.startswith(POST_CHANNEL):
        return None
    try:
        return uuid.UUID(channel.removeprefix(POST_CHANNEL))
    except ValueError:
        return None
