"""Endpoints, deliveries and a movable clock for the webhooks tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.queue import JobQueue
from inkwell.models.user import Role
from inkwell.models.webhook import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from inkwell.webhooks.repository import WebhookRepository
from inkwell.webhooks.schemas import EndpointCreate
from inkwell.webhooks.service import WebhookService
from tests.factories import create_user


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **by: float) -> None:
        self.now += timedelta(**by)


def real_time() -> Clock:
    return Clock(datetime.now(UTC))


def service(session: AsyncSession, settings: Settings, clock: Clock) -> WebhookService:
    return WebhookService(
        webhooks=WebhookRepository(session), jobs=JobQueue(session), settings=settings, clock=clock
    )


async def endpoint_with_test_delivery(
    session: AsyncSession, settings: Settings, clock: Clock, url: str
) -> tuple[WebhookEndpoint, WebhookDelivery]:
    """A registered endpoint and a test event queued for it (committed)."""
    admin = await create_user(session, role=Role.ADMIN)
    webhooks = service(session, settings, clock)
    data = EndpointCreate(url=url, event_types=["*"])
    endpoint = await webhooks.create(actor=admin, data=data)
    delivery = await webhooks.send_test(actor=admin, endpoint_id=endpoint.id)
    await session.commit()
    return endpoint, delivery


async def fresh(session: AsyncSession, kind: type[Any], key: uuid.UUID) -> Any:
    """A row as the database has it now."""
    statement = select(kind).where(kind.id == key).execution_options(populate_existing=True)
    return await session.scalar(statement)


async def attempts_of(session: AsyncSession, delivery_id: uuid.UUID) -> list[WebhookAttempt]:
    statement = (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(WebhookAttempt.number)
    )
    return list(await session.scalars(statement))


async def delivery_jobs(
    session: AsyncSession, delivery_id: uuid.UUID
) -> list[tuple[int, datetime]]:
    """The queued attempts of a delivery: (attempt number, when), in order."""
    rows = await session.execute(
        text(
            "SELECT (args->>'attempt')::int, scheduled_at FROM procrastinate_jobs "
            "WHERE task_name = 'inkwell:deliver_webhook' AND args->>'delivery_id' = :id "
            "ORDER BY id"
        ),
        {"id": str(delivery_id)},
    )
    return [(int(row[0]), row[1]) for row in rows]
