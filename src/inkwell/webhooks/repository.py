"""Every query of the webhooks domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.webhook import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, item: WebhookEndpoint | WebhookDelivery | WebhookAttempt) -> None:
        self.session.add(item)
        await self.session.flush()

    async def endpoint(
        self, endpoint_id: uuid.UUID, *, lock: bool = False
    ) -> WebhookEndpoint | None:
        statement = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
        if lock:
            statement = statement.with_for_update()
        return await self.session.scalar(statement)

    async def endpoints(self) -> list[WebhookEndpoint]:
        """Every endpoint, oldest first."""
        statement = select(WebhookEndpoint).order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        return list(await self.session.scalars(statement))

    async def enabled_endpoints(self) -> list[WebhookEndpoint]:
        statement = select(WebhookEndpoint).where(WebhookEndpoint.enabled)
        return list(await self.session.scalars(statement))

    async def delete(self, endpoint: WebhookEndpoint) -> None:
        await self.session.delete(endpoint)
        await self.session.flush()

    async def add_deliveries(self, deliveries: Sequence[dict[str, object]]) -> list[uuid.UUID]:
        """Insert deliveries, skipping an event an endpoint already has; the new ids."""
        if not deliveries:
            return []
        statement = (
            insert(WebhookDelivery)
            .values(list(deliveries))
            .on_conflict_do_nothing(index_elements=["endpoint_id", "event_id"])
            .returning(WebhookDelivery.id)
        )
        return list(await self.session.scalars(statement))

    async def delivery(
        self, delivery_id: uuid.UUID, *, endpoint_id: uuid.UUID | None = None, lock: bool = False
    ) -> WebhookDelivery | None:
        statement = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
        if endpoint_id is not None:
            statement = statement.where(WebhookDelivery.endpoint_id == endpoint_id)
        if lock:
            statement = statement.with_for_update()
        return await self.session.scalar(statement.execution_options(populate_existing=True))

    async def deliveries(
        self, endpoint_id: uuid.UUID, *, before: uuid.UUID | None, limit: int
    ) -> list[WebhookDelivery]:
        """A page of an endpoint's deliveries, newest first, older than `before` if given."""
        statement = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        if before is not None:
            statement = statement.where(WebhookDelivery.id < before)
        statement = statement.order_by(WebhookDelivery.id.desc()).limit(limit)
        return list(await self.session.scalars(statement))

    async def attempts(self, delivery_ids: Sequence[uuid.UUID]) -> list[WebhookAttempt]:
        """The attempts of these deliveries, newest first."""
        statement = (
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(delivery_ids))
            .order_by(WebhookAttempt.delivery_id, WebhookAttempt.number.desc())
        )
        return list(await self.session.scalars(statement))
