"""The relay against a real broker: at least once, in order per key, one relay at a time."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.events.catalogue import PostLiked
from inkwell.events.envelope import CloudEvent
from inkwell.events.kafka import Outgoing
from inkwell.events.relay import RELAY_LOCK, Relay, relay_forever
from inkwell.events.repository import OutboxRepository
from inkwell.main import create_app
from tests.events.relaying import (
    committed,
    counts_by_key,
    drain,
    likes,
    new_relay,
    received,
    record,
    wait_until_relayed,
)
from tests.kafka import Received, read_as_group


class StopsBeforeMarking(Relay):
    """A relay that hangs after its second batch was sent, before marking it (to be killed)."""

    def __init__(self, settings: Settings, relay: Relay) -> None:
        super().__init__(settings, relay.engine, relay.producer)
        self.batches = 0
        self.sent = asyncio.Event()

    async def mark(
        self,
        connection: AsyncConnection,
        positions: Sequence[int],
        messages: Sequence[Outgoing],
        errors: Sequence[str | None],
    ) -> None:
        self.batches += 1
        if self.batches == 2:
            self.sent.set()
            await asyncio.Event().wait()
        await super().mark(connection, positions, messages, errors)


async def test_a_relay_killed_between_sending_and_marking_loses_nothing(
    relay_state: AppState,
) -> None:
    settings = relay_state.settings.model_copy(update={"relay_batch_size": 10})
    posts = [uuid.uuid4() for _ in range(3)]
    for n in range(1, 11):
        await record(relay_state, *(likes(post, n, n)[0] for post in posts))
    killed = StopsBeforeMarking(settings, new_relay(settings, relay_state.engine))
    task = asyncio.create_task(drain(killed))
    await asyncio.wait_for(killed.sent.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sum(row.published_at is None for row in await committed(relay_state)) == 20

    await drain(new_relay(settings, relay_state.engine))
    messages = await received(settings, 40)
    assert len(messages) == 40  # the 30 events, and the unmarked batch of 10 sent again
    assert sum(Counter(m.event["id"] for m in messages).values()) - 30 == 10
    assert counts_by_key(messages) == {str(post): list(range(1, 11)) for post in posts}
    assert all(row.published_at for row in await committed(relay_state))


async def test_a_second_relay_waits_for_the_lock_and_takes_over(relay_state: AppState) -> None:
    settings = relay_state.settings.model_copy(update={"relay_batch_size": 2})
    engine = relay_state.engine
    first, second = new_relay(settings, engine), new_relay(settings, engine)
    first_task = asyncio.create_task(first.run())
    await asyncio.wait_for(first.active.wait(), 5)
    second_task = asyncio.create_task(second.run())
    post = uuid.uuid4()
    await record(relay_state, *likes(post, 1, 5))
    await wait_until_relayed(relay_state)  # woken by the notification
    await asyncio.sleep(0.3)  # the second tried the lock a few times meanwhile
    assert not second.active.is_set()

    first_task.cancel()
    await asyncio.wait_for(second.active.wait(), 5)
    await record(relay_state, *likes(post, 6, 8))
    await wait_until_relayed(relay_state)
    second_task.cancel()
    messages = await received(settings, 8)
    assert [m.event["data"]["likes_count"] for m in messages] == list(range(1, 9))
    await asyncio.gather(first_task, second_task, return_exceptions=True)


async def test_a_failing_event_is_retried_with_backoff_and_holds_back_its_key(
    relay_state: AppState, caplog: pytest.LogCaptureFixture
) -> None:
    base = relay_state.settings.model_copy(update={"relay_retry_base_seconds": 0.5})
    small = base.model_copy(update={"kafka_producer_options": {"message.max.bytes": 1000}})
    held, other = uuid.uuid4(), uuid.uuid4()
    await _record_large(relay_state, held)
    await record(relay_state, *likes(held, 1, 1), *likes(other, 1, 1))
    limited = new_relay(small, relay_state.engine)

    with caplog.at_level(logging.WARNING, logger="inkwell.relay"):
        assert await limited.relay_batch() == 3
    assert "not sent" in caplog.text
    large, waiting, sent = await committed(relay_state)
    assert (large.attempts, sent.attempts, waiting.attempts) == (1, 0, 0)
    assert (large.published_at, waiting.published_at) == (None, None)
    assert sent.published_at
    assert "too large" in (large.last_error or "").lower()
    assert await limited.relay_batch() == 0  # not due yet, and its key's next row waits for it
    await asyncio.sleep(0.55)
    assert await limited.relay_batch() == 2  # due again with its key's next; it fails again
    assert [row.attempts for row in await committed(relay_state)] == [2, 0, 0]
    assert 0.5 < await _seconds_until_retry(relay_state) <= 1.0  # the wait doubled

    await asyncio.sleep(1.0)
    await drain(new_relay(base, relay_state.engine))
    messages = [m for m in await received(base, 3) if m.key == str(held)]
    assert [m.event["id"] for m in messages] == [str(large.event_id), str(waiting.event_id)]


async def _record_large(state: AppState, post: uuid.UUID) -> None:
    """An event too large for a producer limited to 1000 bytes."""
    event = CloudEvent(
        id=uuid.uuid4(),
        source="/inkwell",
        type=PostLiked.event_type(),
        subject=str(post),
        time=datetime.now(UTC),
        data={"post_id": str(post), "user_id": str(uuid.uuid4()), "note": "x" * 2000},
    )
    topic = f"{state.settings.event_topic_prefix}.engagement"
    async with state.sessionmaker() as session:
        await OutboxRepository(session).add([(event, topic)])
        await session.commit()


async def _seconds_until_retry(state: AppState) -> float:
    async with state.sessionmaker() as session:
        wait = await session.scalar(
            text(
                "SELECT extract(epoch FROM next_attempt_at - now()) FROM outbox_events "
                "WHERE attempts > 0"
            )
        )
    return float(wait)


async def test_a_relay_that_loses_its_connection_starts_again(relay_state: AppState) -> None:
    relaying = asyncio.create_task(relay_forever(relay_state.settings, relay_state.engine))
    post = uuid.uuid4()
    await record(relay_state, *likes(post, 1, 2))
    await wait_until_relayed(relay_state)
    async with relay_state.engine.begin() as connection:
        ended = await connection.scalar(text(_END_LOCK_HOLDER), {"lock": RELAY_LOCK})
    assert ended
    await record(relay_state, *likes(post, 3, 4))
    await wait_until_relayed(relay_state)
    relaying.cancel()
    with suppress(asyncio.CancelledError):
        await relaying
    messages = await received(relay_state.settings, 4)
    assert counts_by_key(messages) == {str(post): [1, 2, 3, 4]}


# Ends the session holding the relay's lock (a bigint advisory lock shows as two halves).
_END_LOCK_HOLDER = """
SELECT pg_terminate_backend(l.pid)
FROM pg_locks AS l JOIN pg_database AS d ON d.oid = l.database
WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()
  AND l.classid = (CAST(:lock AS bigint) >> 32)::oid
  AND l.objid = (CAST(:lock AS bigint) & 4294967295)::oid
"""


async def test_serve_relays_in_process_when_asked(relay_state: AppState) -> None:
    settings = relay_state.settings.model_copy(update={"relay_in_process": True})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await record(relay_state, *likes(uuid.uuid4(), 1, 1))
        await wait_until_relayed(relay_state)
    assert len(await received(settings, 1)) == 1


async def test_each_consumer_group_reads_every_event_once(relay_state: AppState) -> None:
    settings = relay_state.settings
    assert settings.kafka_bootstrap_servers
    topics = [f"{settings.event_topic_prefix}.engagement"]
    posts = [uuid.uuid4() for _ in range(3)]
    await record(relay_state, *(like for post in posts for like in likes(post, 1, 10)))
    relay = new_relay(settings, relay_state.engine)
    await drain(relay)

    def read(group: str, count: int) -> list[Received]:
        assert settings.kafka_bootstrap_servers
        return read_as_group(settings.kafka_bootstrap_servers, group, topics, count)

    first, other = await asyncio.gather(
        asyncio.to_thread(read, "indexer", 30), asyncio.to_thread(read, "mailer", 30)
    )
    assert (
        counts_by_key(first) == counts_by_key(other) == {str(p): list(range(1, 11)) for p in posts}
    )
    await record(relay_state, *likes(posts[0], 11, 12))
    await drain(relay)
    again = await asyncio.to_thread(read, "indexer", 2)  # from where the group left off
    assert [m.event["data"]["likes_count"] for m in again] == [11, 12]
