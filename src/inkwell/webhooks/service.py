"""Webhook rules: who may manage endpoints (admins), what an endpoint may be, the log, and
sending test events and redeliveries."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from inkwell.auth.exceptions import InsufficientRole
from inkwell.core.config import Settings
from inkwell.core.ids import uuid7
from inkwell.core.queue import JobQueue
from inkwell.events.envelope import CloudEvent, EventData
from inkwell.models.user import Role, User
from inkwell.models.webhook import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from inkwell.webhooks.addresses import check_url
from inkwell.webhooks.delivery import Clock, defer_attempt, utc_now
from inkwell.webhooks.exceptions import DeliveryNotFound, EndpointDisabled, EndpointNotFound
from inkwell.webhooks.repository import WebhookRepository
from inkwell.webhooks.schemas import EndpointCreate, EndpointUpdate
from inkwell.webhooks.sender import new_secret

log = logging.getLogger("inkwell.webhooks")
DISABLED_BY_ADMIN = "disabled by an admin"


class WebhookTest(EventData):
    """The event of "send a test event": it goes to the endpoint whatever types it takes."""

    name: ClassVar[str] = "webhook.test"
    topic: ClassVar[str] = "webhooks"
    key_field: ClassVar[str] = "endpoint_id"

    endpoint_id: uuid.UUID
    message: str


@dataclass(frozen=True)
class DeliveryLog:
    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


@dataclass(frozen=True)
class DeliveryLogPage:
    items: list[DeliveryLog]
    next_cursor: uuid.UUID | None


class WebhookService:
    def __init__(
        self,
        *,
        webhooks: WebhookRepository,
        jobs: JobQueue,
        settings: Settings,
        clock: Clock = utc_now,
    ) -> None:
        self.webhooks = webhooks
        self.jobs = jobs
        self.settings = settings
        self.clock = clock

    async def create(self, *, actor: User, data: EndpointCreate) -> WebhookEndpoint:
        """Register an endpoint with a new secret (the caller shows it once)."""
        _require_admin(actor)
        await check_url(data.url, self.settings)
        endpoint = WebhookEndpoint(
            url=data.url,
            event_types=data.event_types,
            description=data.description,
            enabled=data.enabled,
            secret=new_secret(),
            created_by=actor.id,
        )
        _mark_disabled(endpoint, data.enabled, self.clock())
        await self.webhooks.add(endpoint)
        log.info("webhook endpoint %s registered by %s", endpoint.id, actor.id)
        return endpoint

    async def endpoints(self, *, actor: User) -> list[WebhookEndpoint]:
        """Every endpoint, oldest first."""
        _require_admin(actor)
        return await self.webhooks.endpoints()

    async def get(self, *, actor: User, endpoint_id: uuid.UUID) -> WebhookEndpoint:
        """One endpoint."""
        _require_admin(actor)
        return await self._endpoint(endpoint_id)

    async def update(
        self, *, actor: User, endpoint_id: uuid.UUID, changes: EndpointUpdate
    ) -> WebhookEndpoint:
        """Change the fields sent; enabling clears why and since when it was failing."""
        _require_admin(actor)
        endpoint = await self._endpoint(endpoint_id, lock=True)
        values = changes.model_dump(exclude_unset=True)
        if "url" in values:
            await check_url(values["url"], self.settings)
        if "enabled" in values and values["enabled"] != endpoint.enabled:
            _mark_disabled(endpoint, values["enabled"], self.clock())
        for name, value in values.items():
            setattr(endpoint, name, value)
        endpoint.updated_at = self.clock()
        await self.webhooks.add(endpoint)
        return endpoint

    async def delete(self, *, actor: User, endpoint_id: uuid.UUID) -> None:
        """Remove an endpoint with its deliveries; jobs still queued for it do nothing."""
        _require_admin(actor)
        await self.webhooks.delete(await self._endpoint(endpoint_id))

    async def rotate_secret(self, *, actor: User, endpoint_id: uuid.UUID) -> WebhookEndpoint:
        """Give the endpoint a new secret; the old one signs nothing from now on."""
        _require_admin(actor)
        endpoint = await self._endpoint(endpoint_id, lock=True)
        endpoint.secret, endpoint.updated_at = new_secret(), self.clock()
        await self.webhooks.add(endpoint)
        log.info("webhook endpoint %s secret rotated by %s", endpoint.id, actor.id)
        return endpoint

    async def deliveries(
        self, *, actor: User, endpoint_id: uuid.UUID, before: uuid.UUID | None, limit: int
    ) -> DeliveryLogPage:
        """A page of the endpoint's deliveries, newest first, each with its attempts."""
        _require_admin(actor)
        await self._endpoint(endpoint_id)
        found = await self.webhooks.deliveries(endpoint_id, before=before, limit=limit + 1)
        page = found[:limit]
        attempts = await self.webhooks.attempts([d.id for d in page]) if page else []
        items = [DeliveryLog(d, [a for a in attempts if a.delivery_id == d.id]) for d in page]
        more = len(found) > limit
        return DeliveryLogPage(items, page[-1].id if more else None)

    async def send_test(self, *, actor: User, endpoint_id: uuid.UUID) -> WebhookDelivery:
        """Queue a webhook.test event for the endpoint, sent at once."""
        _require_admin(actor)
        endpoint = await self._enabled(endpoint_id)
        now = self.clock()
        data = WebhookTest(endpoint_id=endpoint.id, message="A test event sent by an admin.")
        event = CloudEvent(
            id=uuid7(),
            source=self.settings.event_source,
            type=data.event_type(),
            subject=data.key,
            time=now,
            data=data.model_dump(mode="json"),
        )
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id,
            event_id=event.id,
            event_type=event.type,
            body=event.model_dump_json(),
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        await self.webhooks.add(delivery)
        await defer_attempt(self.jobs, delivery.id, 1, now)
        return delivery

    async def redeliver(
        self, *, actor: User, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> WebhookDelivery:
        """Send a delivery again now, with the same event id (its retries start over if it
        fails)."""
        _require_admin(actor)
        await self._enabled(endpoint_id)
        delivery = await self.webhooks.delivery(delivery_id, endpoint_id=endpoint_id, lock=True)
        if delivery is None:
            raise DeliveryNotFound
        now = self.clock()
        delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now
        await self.webhooks.add(delivery)
        await defer_attempt(self.jobs, delivery.id, delivery.attempts + 1, now)
        return delivery

    async def _endpoint(self, endpoint_id: uuid.UUID, *, lock: bool = False) -> WebhookEndpoint:
        endpoint = await self.webhooks.endpoint(endpoint_id, lock=lock)
        if endpoint is None:
            raise EndpointNotFound
        return endpoint

    async def _enabled(self, endpoint_id: uuid.UUID) -> WebhookEndpoint:
        endpoint = await self._endpoint(endpoint_id)
        if not endpoint.enabled:
            raise EndpointDisabled
        return endpoint


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise InsufficientRole


def _mark_disabled(endpoint: WebhookEndpoint, enabled: bool, now: datetime) -> None:
    """Enabling clears the reason, the time and the failure streak; disabling records them."""
    endpoint.failing_since = None
    endpoint.disabled_reason = None if enabled else DISABLED_BY_ADMIN
    endpoint.disabled_at = None if enabled else now
