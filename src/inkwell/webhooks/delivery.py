"""Running one delivery attempt, and the rules around it: the retry schedule, disabling.

An attempt reads the delivery in one short transaction, sends it with no transaction open
(an HTTP request may take the whole timeout), and records what happened in a second one. A
delivery job names the attempt it makes; a job whose attempt was already made (a duplicate, or
a retry that a redelivery overtook) does nothing.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.db import unit_of_work
from inkwell.core.queue import DELIVER_WEBHOOK, JobQueue
from inkwell.models.webhook import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from inkwell.webhooks.repository import WebhookRepository
from inkwell.webhooks.sender import Message, Outcome, Sender

log = logging.getLogger("inkwell.webhooks")
Clock = Callable[[], datetime]

_MINUTE, _HOUR = 60, 3600
# The wait after each failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h until the
# fifteenth attempt (about 3.7 days after the first); each wait varies by up to 10% either way.
RETRY_DELAYS = (
    tuple(timedelta(seconds=s) for s in (5, 5 * _MINUTE, 30 * _MINUTE, 2 * _HOUR, 5 * _HOUR))
    + (timedelta(hours=10),) * 9
)
JITTER = 0.1
# An endpoint whose attempts have all failed for this long is disabled.
DISABLE_AFTER = timedelta(days=3)
DISABLED_REASON = "every delivery attempt failed for 3 days"


def utc_now() -> datetime:
    return datetime.now(UTC)


def retry_delay(failed_attempt: int, rng: random.Random) -> timedelta | None:
    """How long to wait after attempt `failed_attempt` (1 is the first) failed; None after
    the last one."""
    if failed_attempt > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[failed_attempt - 1] * rng.uniform(1 - JITTER, 1 + JITTER)


async def defer_attempt(jobs: JobQueue, delivery_id: uuid.UUID, number: int, at: datetime) -> None:
    """Queue attempt `number` of a delivery at `at`, in the caller's transaction."""
    await jobs.defer(DELIVER_WEBHOOK, at=at, delivery_id=str(delivery_id), attempt=str(number))


@dataclass(frozen=True)
class Due:
    """A delivery about to be attempted, read in the first transaction."""

    message: Message
    number: int


class DeliveryRunner:
    """Makes the attempts that delivery jobs ask for."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.sender = Sender(settings)
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not a secret

    async def attempt(self, delivery_id: uuid.UUID, number: int) -> Outcome | None:
        """Make attempt `number` of the delivery, if it is still due; its outcome."""
        due = await self._due(delivery_id, number)
        if due is None:
            return None
        attempted_at = self.clock()
        outcome = await self.sender.send(due.message, attempted_at)
        await self._record(delivery_id, number, attempted_at, outcome)
        return outcome

    async def _due(self, delivery_id: uuid.UUID, number: int) -> Due | None:
        async with unit_of_work(self.sessionmaker) as session:
            webhooks = WebhookRepository(session)
            delivery = await webhooks.delivery(delivery_id, lock=True)
            if delivery is None or not _awaits(delivery, number):
                return None
            endpoint = await webhooks.endpoint(delivery.endpoint_id)
            if endpoint is None or not endpoint.enabled:
                _finish(delivery, DeliveryStatus.FAILED)
                return None
            message = Message(endpoint.url, endpoint.secret, str(delivery.event_id), delivery.body)
            return Due(message, number)

    async def _record(
        self, delivery_id: uuid.UUID, number: int, attempted_at: datetime, outcome: Outcome
    ) -> None:
        async with unit_of_work(self.sessionmaker) as session:
            webhooks = WebhookRepository(session)
            delivery = await webhooks.delivery(delivery_id, lock=True)
            if delivery is None or not _awaits(delivery, number):
                return  # recorded by another run of the same attempt
            endpoint = await webhooks.endpoint(delivery.endpoint_id, lock=True)
            assert endpoint is not None  # noqa: S101 - deleting an endpoint deletes its deliveries
            delivery.attempts = number
            next_at = self._after(delivery, endpoint, attempted_at, outcome)
            await webhooks.add(_attempt_row(delivery, attempted_at, outcome, next_at))
            if next_at is not None:
                await defer_attempt(JobQueue(session), delivery.id, number + 1, next_at)

    def _after(
        self,
        delivery: WebhookDelivery,
        endpoint: WebhookEndpoint,
        attempted_at: datetime,
        outcome: Outcome,
    ) -> datetime | None:
        """Apply the outcome to the delivery and the endpoint; when to try again, if at all."""
        if outcome.succeeded:
            endpoint.failing_since = None
            _finish(delivery, DeliveryStatus.SUCCEEDED)
            return None
        endpoint.failing_since = endpoint.failing_since or attempted_at
        if endpoint.enabled and attempted_at - endpoint.failing_since >= DISABLE_AFTER:
            endpoint.enabled = False
            endpoint.disabled_reason, endpoint.disabled_at = DISABLED_REASON, attempted_at
            log.warning("webhook endpoint %s disabled: %s", endpoint.id, DISABLED_REASON)
        delay = retry_delay(delivery.attempts, self.rng)
        if delay is None or not endpoint.enabled:
            _finish(delivery, DeliveryStatus.FAILED)
            return None
        delivery.next_attempt_at = attempted_at + delay
        return delivery.next_attempt_at


def _awaits(delivery: WebhookDelivery, number: int) -> bool:
    return delivery.status == DeliveryStatus.PENDING and delivery.attempts == number - 1


def _finish(delivery: WebhookDelivery, status: DeliveryStatus) -> None:
    delivery.status = status
    delivery.next_attempt_at = None


def _attempt_row(
    delivery: WebhookDelivery, attempted_at: datetime, outcome: Outcome, next_at: datetime | None
) -> WebhookAttempt:
    return WebhookAttempt(
        delivery_id=delivery.id,
        number=delivery.attempts,
        attempted_at=attempted_at,
        status_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        error=outcome.error,
        response_excerpt=outcome.excerpt,
        succeeded=outcome.succeeded,
        next_attempt_at=next_at,
    )
