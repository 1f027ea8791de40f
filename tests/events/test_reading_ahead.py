"""A consumer that reads ahead of the horizon: a committed row is taken at once while an older
transaction still runs, and a row of that older transaction, committed later, is taken once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from inkwell.core.state import AppState
from inkwell.events.catalogue import BookmarkAdded
from inkwell.events.consumer import Consumer, OutboxRow, consume_batch
from inkwell.events.outbox import Outbox
from inkwell.models.event import OutboxConsumerAhead

WITHIN_SECONDS = 60


class Taken:
    """The event ids a consumer was handed, in order."""

    def __init__(self) -> None:
        self.ids: list[uuid.UUID] = []

    async def handle(self, _session: AsyncSession, rows: Sequence[OutboxRow]) -> None:
        self.ids.extend(row.event_id for row in rows)


def _event() -> BookmarkAdded:
    return BookmarkAdded(post_id=uuid.uuid4(), user_id=uuid.uuid4())


async def _record(session: AsyncSession, state: AppState) -> uuid.UUID:
    envelope = (await Outbox(session, state.settings).record(_event()))[0]
    return envelope.id


@pytest.fixture
async def older(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A transaction that began first and still runs: it holds the horizon back."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT pg_current_xact_id()"))
        yield connection
        await connection.rollback()


async def _started(state: AppState, taken: Taken, *, reads_ahead: bool = True) -> Consumer:
    """A consumer handing its rows to `taken`, past what earlier tests left."""
    consumer = Consumer(f"test-{reads_ahead}", taken.handle, reads_ahead=reads_ahead)
    while await consume_batch(consumer, state.sessionmaker, 500):
        pass
    taken.ids.clear()
    return consumer


async def _remembered(state: AppState) -> int:
    async with state.sessionmaker() as session:
        found = select(func.count()).select_from(OutboxConsumerAhead)
        return int((await session.execute(found)).scalar_one())


async def test_a_committed_event_is_taken_while_an_older_transaction_runs(
    committing_state: AppState, older: AsyncConnection
) -> None:
    taken, waiting = Taken(), Taken()
    ahead = await _started(committing_state, taken)
    behind = await _started(committing_state, waiting, reads_ahead=False)
    async with committing_state.sessionmaker() as session:
        event_id = await _record(session, committing_state)
        await session.commit()

    await consume_batch(ahead, committing_state.sessionmaker, 500)
    await consume_batch(behind, committing_state.sessionmaker, 500)

    assert taken.ids == [event_id]
    assert waiting.ids == []  # a consumer on the horizon waits for the older transaction


async def test_an_older_transaction_committed_later_is_taken_once(
    committing_state: AppState,
) -> None:
    taken = Taken()
    ahead = await _started(committing_state, taken)
    sessions = committing_state.sessionmaker
    async with sessions() as early, sessions() as late:
        first = await _record(early, committing_state)  # the lower transaction id
        second = await _record(late, committing_state)
        await late.commit()
        await consume_batch(ahead, sessions, 500)
        assert taken.ids == [second]
        await early.commit()

    for _ in range(3):
        await consume_batch(ahead, sessions, 500)
    assert taken.ids == [second, first]


async def test_rows_taken_ahead_are_forgotten_once_the_cursor_passes_them(
    committing_state: AppState,
) -> None:
    taken = Taken()
    ahead = await _started(committing_state, taken)
    sessions = committing_state.sessionmaker
    async with sessions() as early, sessions() as late:
        await _record(early, committing_state)
        await _record(late, committing_state)
        await late.commit()
        await consume_batch(ahead, sessions, 500)
        assert await _remembered(committing_state) == 1
        await early.commit()
    async with sessions() as session:
        await _record(session, committing_state)
        await session.commit()

    # Other transactions on the server (other databases too) may hold the horizon back a while.
    async with asyncio.timeout(WITHIN_SECONDS):
        while await _remembered(committing_state):
            await consume_batch(ahead, sessions, 500)
            await asyncio.sleep(0.05)

    assert len(taken.ids) == 3


async def test_a_batch_cut_short_reads_on_without_loss(committing_state: AppState) -> None:
    taken = Taken()
    ahead = await _started(committing_state, taken)
    recorded = []
    for _ in range(5):
        async with committing_state.sessionmaker() as session:
            recorded.append(await _record(session, committing_state))
            await session.commit()

    while await consume_batch(ahead, committing_state.sessionmaker, 2):
        pass

    assert taken.ids == recorded
