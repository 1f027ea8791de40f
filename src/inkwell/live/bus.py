"""Fan-out between processes: the consumer's process publishes each message once, every
process hands what arrives to its own subscribers.

With `INKWELL_REDIS_URL`: Redis pub/sub on one channel. Without: PostgreSQL LISTEN/NOTIFY on
one channel; a message too long for a notification's payload (8,000 bytes) travels as its
channel and number, and each process reads it from `live_messages`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import asyncpg
from redis.asyncio import Redis
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.db import unit_of_work
from inkwell.live.messages import LiveMessage
from inkwell.live.repository import LiveRepository

log = logging.getLogger("inkwell.live.bus")

BUS_CHANNEL = "inkwell_live"
NOTIFY_LIMIT = 7_900  # bytes; PostgreSQL refuses payloads of 8,000 and more
RETRY_SECONDS = 1.0
HEALTH_CHECK_SECONDS = 30
_NOTIFY_ALL = "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload"  # in order

Deliver = Callable[[LiveMessage], Awaitable[None]]


class Bus(Protocol):
    async def publish(self, messages: Sequence[LiveMessage]) -> None: ...

    async def listen(self, deliver: Deliver) -> None:
        """Hand every message published by any process to `deliver`, until cancelled."""

    async def close(self) -> None: ...


def open_bus(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> Bus:
    """Redis pub/sub when `INKWELL_REDIS_URL` is set, otherwise PostgreSQL's."""
    if settings.redis_url:
        # Its own client: the shared one times out reads after a second, a subscriber
        # waits for as long as nothing is published.
        redis = Redis.from_url(settings.redis_url, health_check_interval=HEALTH_CHECK_SECONDS)
        return RedisBus(redis)
    return PostgresBus(str(settings.database_url), sessionmaker)


async def listen_forever(bus: Bus, deliver: Deliver) -> None:
    """Listen, and after a lost connection listen again."""
    while True:
        try:
            await bus.listen(deliver)
        except Exception:
            log.exception("the live bus stopped listening; it starts again")
        await asyncio.sleep(RETRY_SECONDS)


def _encode(message: LiveMessage) -> str:
    return json.dumps(message.to_json(), separators=(",", ":"))


class RedisBus:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def close(self) -> None:
        await self.redis.aclose()

    async def publish(self, messages: Sequence[LiveMessage]) -> None:
        """All of a batch in one round trip."""
        if not messages:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for message in messages:
                pipe.publish(BUS_CHANNEL, _encode(message))
            await pipe.execute()

    async def listen(self, deliver: Deliver) -> None:
        async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(BUS_CHANNEL)
            async for item in pubsub.listen():
                await deliver(LiveMessage.from_json(json.loads(item["data"])))


class PostgresBus:
    def __init__(self, database_url: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.dsn = url.render_as_string(hide_password=False)
        self.sessionmaker = sessionmaker
        self._sender: asyncpg.Connection | None = None

    async def publish(self, messages: Sequence[LiveMessage]) -> None:
        if not messages:
            return
        sender = await self._connection()
        payloads = [_payload(message) for message in messages]
        # One statement, one transaction: one round trip and one commit for the batch, and
        # PostgreSQL delivers a transaction's notifications in the order they were sent.
        await sender.execute(_NOTIFY_ALL, BUS_CHANNEL, payloads)

    async def listen(self, deliver: Deliver) -> None:
        connection = await asyncpg.connect(self.dsn)
        arrived: asyncio.Queue[str] = asyncio.Queue()
        try:
            await connection.add_listener(BUS_CHANNEL, lambda *args: arrived.put_nowait(args[3]))
            while not connection.is_closed():
                message = await self._message(json.loads(await arrived.get()))
                if message is not None:
                    await deliver(message)
        finally:
            await connection.close()

    async def close(self) -> None:
        if self._sender is not None:
            await self._sender.close()

    async def _connection(self) -> asyncpg.Connection:
        if self._sender is None or self._sender.is_closed():
            self._sender = await asyncpg.connect(self.dsn)
        return self._sender

    async def _message(self, body: dict[str, Any]) -> LiveMessage | None:
        if "ref" not in body:
            return LiveMessage.from_json(body)
        channel, seq = body["ref"]
        async with unit_of_work(self.sessionmaker) as session:
            stored = await LiveRepository(session).message(channel, seq)
        return None if stored is None else LiveMessage.from_json(stored)


def _payload(message: LiveMessage) -> str:
    encoded = _encode(message)
    if len(encoded.encode()) <= NOTIFY_LIMIT:
        return encoded
    return json.dumps({"ref": [message.channel, message.seq]})
