"""What live updates keep running in one app process: the hub of its clients, the listener
that feeds the hub from the bus, and the live consumer of the outbox."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from inkwell.core.config import Settings
from inkwell.core.db import unit_of_work
from inkwell.core.state import AppState
from inkwell.live.bus import Bus, listen_forever, open_bus
from inkwell.live.consumer import LiveConsumer
from inkwell.live.hub import Client, Hub
from inkwell.live.repository import LiveRepository
from inkwell.live.service import LiveService
from inkwell.models.user import User


class LiveRuntime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.hub = Hub(
            queue_size=settings.live_queue_size,
            max_connections=settings.live_max_connections_per_user,
            max_subscriptions=settings.live_max_subscriptions,
        )
        self.state: AppState | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.bus: Bus | None = None
        # Set on shutdown: every connection closes with a reconnect hint (docs/live.md).
        self.stopping = asyncio.Event()

    async def start(self, state: AppState) -> None:
        """Listen to the bus and run the live consumer (which publishes on it)."""
        self.state = state
        self.bus = open_bus(state.settings, state.sessionmaker)
        consumer = LiveConsumer(state.settings, state.sessionmaker, self.bus)
        self.tasks = [
            asyncio.create_task(listen_forever(self.bus, self.hub.deliver), name="live-bus"),
            asyncio.create_task(consumer.run_forever(), name="live-consumer"),
        ]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        if self.bus is not None:
            await self.bus.close()

    async def close_connections(self) -> None:
        """Shutdown: close every WebSocket (1012) and end every event stream, each with a
        reconnect hint, and wait until they are gone (the drain bounds the wait)."""
        self.stopping.set()
        await self.hub.idle.wait()

    def reconnect_hint(self) -> dict[str, Any]:
        """When to come back: a random delay up to the spread, so clients of a stopping
        process do not all reconnect to the others at the same moment."""
        spread = self.settings.shutdown_reconnect_spread_seconds
        delay_ms = round(random.uniform(0, spread) * 1000)  # noqa: S311 (not a secret)
        return {"type": "restart", "retry_after_ms": delay_ms}

    async def redeem(self, ticket: str) -> User:
        async with self._service() as service:
            return await service.redeem(ticket=ticket)

    async def subscribe(self, client: Client, channel: str, user: User | None) -> tuple[str, int]:
        """Check the channel, add the client to it, then read its number: messages already
        queued have numbers up to it, later ones above it."""
        async with self._service() as service:
            grant = await service.grant(channel=channel, user=user)
        self.hub.subscribe(
            client, grant.channel, moderator=grant.moderator, shown_as=grant.shown_as
        )
        async with self._service() as service:
            return grant.name, await service.current_seq(channel=grant.channel)

    @asynccontextmanager
    async def _service(self) -> AsyncIterator[LiveService]:
        """A live service over a transaction of its own (a WebSocket outlives requests)."""
        if self.state is None:
            raise RuntimeError("live updates have not started")
        async with unit_of_work(self.state.sessionmaker) as session:
            ttl = self.settings.live_ticket_ttl_seconds
            yield LiveService(live=LiveRepository(session), ticket_ttl_seconds=ttl)
