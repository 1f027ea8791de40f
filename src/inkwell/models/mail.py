"""Messages waiting to be sent: what the send_email job sends, the same bytes on every try."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base, UUIDKey


class OutgoingMail(UUIDKey, Base):
    """One message; the row is deleted once the message is sent (its body may hold a link)."""

    __tablename__ = "outgoing_mail"

    message_id: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(320))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(255))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # Headers beside the usual ones (List-Unsubscribe on notification mail).
    headers: Mapped[dict[str, str]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    # When the receiving server refused the message for good (a 5xx answer): never sent.
    failed_at: Mapped[datetime | None] = mapped_column(default=None)
