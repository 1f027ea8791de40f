"""The relay: moves outbox rows to Kafka, one active relay per database (docs/events.md).

A relay holds a PostgreSQL advisory lock on a connection of its own while it works; another
relay tries the lock every poll interval and takes over when that connection ends. The same
connection listens on the outbox channel, so a commit wakes the relay at once; the poll
interval is the fallback. Each batch is taken `FOR UPDATE SKIP LOCKED` in position order,
sent, and marked in the same transaction, after the broker acknowledged it: a relay that dies
in between leaves its rows pending and they are sent again (at least once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from inkwell.core.config import Settings
from inkwell.events.kafka import EventProducer, Outgoing
from inkwell.models.event import OUTBOX_CHANNEL

log = logging.getLogger("inkwell.relay")

# How often an active relay deletes the rows relayed longer ago than the retention.

# The advisory lock of the active relay ("inkwell" in ASCII); advisory locks are per database.
RELAY_LOCK = 0x696E6B77656C6C

# Due rows in position order, but none whose key has an earlier row waiting for a retry. The
# waiting rows are few (an index holds only rows that failed), so they are found first: checking
# each due row against its key's earlier rows would cost seconds a batch behind a backlog.
_TAKE = """
WITH waiting AS MATERIALIZED (
    SELECT key, min(position) AS position FROM outbox_events
    WHERE published_at IS NULL AND attempts > 0 AND next_attempt_at > now()
    GROUP BY key)
SELECT o.position, o.topic, o.key, o.payload::text AS payload
FROM outbox_events AS o
WHERE o.published_at IS NULL AND o.next_attempt_at <= now()
  AND NOT EXISTS (SELECT 1 FROM waiting AS w WHERE w.key = o.key AND w.position < o.position)
ORDER BY o.position
LIMIT $1
FOR UPDATE OF o SKIP LOCKED
"""
_MARK_PUBLISHED = "UPDATE outbox_events SET published_at = now() WHERE position = ANY($1::bigint[])"
# The wait doubles with each attempt, up to the maximum, from when the failure is known.
_MARK_FAILED = """
UPDATE outbox_events AS o
SET attempts = o.attempts + 1, last_error = failed.error,
    next_attempt_at = clock_timestamp()
        + make_interval(secs => least($3 * power(2, least(o.attempts, 30)), $4))
FROM unnest($1::bigint[], $2::text[]) AS failed(position, error)
WHERE o.position = failed.position
"""


def outcomes(
    positions: Sequence[int], messages: Sequence[Outgoing], errors: Sequence[str | None]
) -> tuple[list[int], list[tuple[int, str, str]]]:
    """The rows to mark published, and the failed ones (position, key, error).

    After a key's first failure its later rows of the batch are in neither list: they stay
    pending untouched, even if the broker took them, and are sent again after it.
    """
    sent: list[int] = []
    failed: list[tuple[int, str, str]] = []
    failed_keys: set[str] = set()
    for position, message, error in zip(positions, messages, errors, strict=True):
        if message.key in failed_keys:
            continue
        if error is None:
            sent.append(position)
        else:
            failed.append((position, message.key, error))
            failed_keys.add(message.key)
    return sent, failed


class Relay:
    """Relays the outbox of one database to Kafka while it holds the relay lock."""

    def __init__(self, settings: Settings, engine: AsyncEngine, producer: EventProducer) -> None:
        self.settings = settings
        self.engine = engine
        self.producer = producer
        self.active = asyncio.Event()  # set while this relay holds the lock

    async def run(self) -> None:
        """Wait for the lock, then relay until cancelled or the lock's connection is lost."""
        async with self._lock_connection() as connection:
            await self._wait_for_lock(connection)
            woken = asyncio.Event()
            await connection.add_listener(OUTBOX_CHANNEL, lambda *_: woken.set())
            self.active.set()
            log.info("relay active: sending outbox events to Kafka")
            try:
                await self._relay_until_lost(connection, woken)
            finally:
                self.active.clear()

    async def relay_batch(self) -> int:
        """Send one batch of due rows and mark them; the number of rows taken."""
        async with self.engine.begin() as connection:
            result = await connection.exec_driver_sql(_TAKE, (self.settings.relay_batch_size,))
            rows = result.all()
            if not rows:
                return 0
            messages = [Outgoing(row.topic, row.key, row.payload.encode()) for row in rows]
            errors = await self.producer.send(messages)
            await self.mark(connection, [row.position for row in rows], messages, errors)
        return len(rows)

    async def mark(
        self,
        connection: AsyncConnection,
        positions: Sequence[int],
        messages: Sequence[Outgoing],
        errors: Sequence[str | None],
    ) -> None:
        """Mark the acknowledged rows published and the failed ones for a later attempt."""
        sent, failed = outcomes(positions, messages, errors)
        await connection.exec_driver_sql(_MARK_PUBLISHED, (sent,))
        if not failed:
            return
        for position, key, error in failed:
            log.warning("outbox event %s (key %s) not sent: %s", position, key, error)
        retry = (self.settings.relay_retry_base_seconds, self.settings.relay_retry_max_seconds)
        positions_and_errors = ([f[0] for f in failed], [f[2] for f in failed])
        await connection.exec_driver_sql(_MARK_FAILED, (*positions_and_errors, *retry))

    @asynccontextmanager
    async def _lock_connection(self) -> AsyncIterator[Any]:
        url = self.engine.url.set(drivername="postgresql")
        connection = await asyncpg.connect(url.render_as_string(hide_password=False))
        try:
            yield connection
        finally:
            await connection.close()  # ends the session, and with it the lock

    async def _wait_for_lock(self, connection: Any) -> None:
        # Tried every poll interval: PostgreSQL tells no one when an advisory lock is freed.
        locked = "SELECT pg_try_advisory_lock($1)"
        while not await connection.fetchval(locked, RELAY_LOCK):  # noqa: ASYNC110
            await asyncio.sleep(self.settings.relay_poll_interval_seconds)

    async def _relay_until_lost(self, connection: Any, woken: asyncio.Event) -> None:
        while not connection.is_closed():
            woken.clear()
            if await self.relay_batch() == self.settings.relay_batch_size:
                continue
            with suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), self.settings.relay_poll_interval_seconds)
        raise ConnectionError("the relay's lock connection was lost")


async def relay_forever(settings: Settings, engine: AsyncEngine) -> None:
    """Run a relay, and another after any error (a lost database, say), until cancelled."""
    producer = EventProducer(settings)
    while True:
        try:
            await Relay(settings, engine, producer).run()
        except Exception:
            log.exception("the relay stopped; it starts again")
        await asyncio.sleep(settings.relay_poll_interval_seconds)


@asynccontextmanager
async def relay_in_background(settings: Settings, engine: AsyncEngine) -> AsyncIterator[None]:
    """Relay in this process while the block runs, if the settings ask for it (development)."""
    if not settings.runs_relay_in_process:
        yield
        return
    task = asyncio.create_task(relay_forever(settings, engine))
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
