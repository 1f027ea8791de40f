"""The webhooks' consumer of the outbox: one delivery per event and matching enabled endpoint,
each with its first delivery job, in the transaction that moves the consumer's cursor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.ids import uuid7
from inkwell.core.queue import JobQueue
from inkwell.events.consumer import Consumer, OutboxRow
from inkwell.models.webhook import WebhookEndpoint
from inkwell.webhooks.delivery import defer_attempt
from inkwell.webhooks.repository import WebhookRepository
from inkwell.webhooks.schemas import ALL_TYPES

CONSUMER_NAME = "webhooks"


def wants(endpoint: WebhookEndpoint, event_type: str) -> bool:
    return ALL_TYPES in endpoint.event_types or event_type in endpoint.event_types


async def create_deliveries(session: AsyncSession, rows: Sequence[OutboxRow]) -> None:
    """Queue each row for every enabled endpoint that takes its type."""
    webhooks = WebhookRepository(session)
    endpoints = await webhooks.enabled_endpoints()
    now = datetime.now(UTC)
    deliveries = [
        {
            "id": uuid7(),
            "endpoint_id": endpoint.id,
            "event_id": row.event_id,
            "event_type": row.type,
            "body": row.body,
            "next_attempt_at": now,
            "created_at": now,
        }
        for row in rows
        for endpoint in endpoints
        if wants(endpoint, row.type)
    ]
    jobs = JobQueue(session)
    for delivery_id in await webhooks.add_deliveries(deliveries):
        await defer_attempt(jobs, delivery_id, 1, now)


WEBHOOKS = Consumer(CONSUMER_NAME, create_deliveries)
