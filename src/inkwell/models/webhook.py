"""Webhooks: the endpoints admins register, the deliveries of events to them, each attempt."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from inkwell.models.base import Base, Timestamps, UUIDKey


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookEndpoint(UUIDKey, Timestamps, Base):
    """A URL that receives the events of some types, signed with the endpoint's secret.

    The secret is stored as it is (`whsec_...`): signing needs it, so it cannot be hashed.
    """

    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), server_default=text("''"))
    # Event types (`inkwell.post.published.v1`), or "*" for every type.
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(200)))
    secret: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(server_default=text("true"))
    # Why and when the service disabled it (deliveries failed for 3 days); cleared on enable.
    disabled_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    # The first failed attempt since the last success.
    failing_since: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class WebhookDelivery(UUIDKey, Base):
    """One event for one endpoint: the body it is sent with, and where its attempts stand."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The log of an endpoint, newest first (UUIDv7 ids are time-ordered).
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
        # An event is delivered once per endpoint, however often the consumer sees it.
        Index("uq_webhook_deliveries_endpoint_id_event_id", "endpoint_id", "event_id", unique=True),
    )

    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(200))
    # The CloudEvent's JSON exactly as signed and sent.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class WebhookAttempt(UUIDKey, Base):
    """One try at sending a delivery: what the endpoint answered, or why nothing came back."""

    __tablename__ = "webhook_attempts"

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(SmallInteger)
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    duration_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    # At most 1 KiB of the response body.
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    succeeded: Mapped[bool]
    next_attempt_at: Mapped[datetime | None]
