"""What the admin API shows of the outbox: what waits, what keeps failing, how far behind
each in-process consumer is."""

from __future__ import annotations

from datetime import datetime

from inkwell.core.schemas import OutputModel


class FailingEvent(OutputModel):
    """An event the relay could not send yet, and when it tries again."""

    position: int
    type: str
    key: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime


class ConsumerLag(OutputModel):
    """An in-process consumer (webhooks, ...): committed events it has not read yet."""

    name: str
    behind: int
    updated_at: datetime


class OutboxStatus(OutputModel):
    """`pending` and `failing` count what the relay has not sent to Kafka (both 0 without
    Kafka, where nothing is relayed); `failing` lists the first rows that keep failing."""

    relayed_to_kafka: bool
    pending: int
    failing: int
    oldest_pending_at: datetime | None
    failing_events: list[FailingEvent]
    consumers: list[ConsumerLag]
