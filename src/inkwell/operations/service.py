"""What admins may learn of the outbox: what the relay has not sent, what keeps failing, and
how far behind the in-process consumers are."""

from __future__ import annotations

from inkwell.auth.exceptions import InsufficientRole
from inkwell.core.config import Settings
from inkwell.events.repository import OutboxRepository
from inkwell.models.user import Role, User
from inkwell.operations.schemas import ConsumerLag, FailingEvent, OutboxStatus

FAILING_SHOWN = 20


class OutboxService:
    def __init__(self, outbox: OutboxRepository, settings: Settings) -> None:
        self.outbox = outbox
        self.settings = settings

    async def status(self, actor: User) -> OutboxStatus:
        """The outbox as the relay and the consumers see it (admins only)."""
        if actor.role != Role.ADMIN:
            raise InsufficientRole
        relayed = bool(self.settings.kafka_bootstrap_servers)
        pending = await self.outbox.pending() if relayed else {}
        failing = await self.outbox.failing(FAILING_SHOWN) if relayed else []
        return OutboxStatus(
            relayed_to_kafka=relayed,
            pending=pending.get("pending", 0),
            failing=pending.get("failing", 0),
            oldest_pending_at=pending.get("oldest_pending_at"),
            failing_events=[FailingEvent.model_validate(row) for row in failing],
            consumers=[ConsumerLag.model_validate(row) for row in await self.outbox.consumers()],
        )
