"""Reading the outbox in tests, and checking that a row is a valid, leak-free event."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.catalogue import CATALOGUE
from inkwell.events.envelope import CloudEvent, EventData
from inkwell.models.event import OutboxEvent
from tests.leaks import ALWAYS_DENIED_KEYS, JWT, TEXT_MARKERS

_Data = TypeVar("_Data", bound=EventData)
SECRET_KEYS = ALWAYS_DENIED_KEYS | {"email", "access_token", "refresh_token", "secret"}


async def outbox(session: AsyncSession, after: int = 0) -> list[OutboxEvent]:
    """The outbox's rows past `after`, in position order."""
    rows = await session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.position > after)
        .order_by(OutboxEvent.position)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def last_position(session: AsyncSession) -> int:
    rows = await outbox(session)
    return rows[-1].position if rows else 0


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def checked(row: OutboxEvent) -> tuple[CloudEvent, EventData]:
    """The row's envelope and data, after checking everything a consumer relies on."""
    event = CloudEvent.model_validate(row.payload)
    kind = CATALOGUE[event.type]
    data = kind.model_validate(event.data)
    assert event.id == row.event_id
    assert event.id.version == 7
    assert event.time.utcoffset() == timedelta(0)
    assert row.payload["time"].endswith("Z")
    assert event.source == "/inkwell"
    assert row.type == event.type
    assert row.topic == f"inkwell.{kind.topic}"
    assert row.key == event.subject == data.key
    body = json.dumps(row.payload)
    assert "@" not in body, body
    assert not _keys(row.payload["data"]) & SECRET_KEYS, body
    assert not any(marker in body for marker in TEXT_MARKERS), body
    assert not JWT.search(body), body
    assert row.published_at is None
    return event, data


async def the_event(
    session: AsyncSession, kind: type[_Data], after: int, subject: uuid.UUID | str
) -> _Data:
    """The one event of this type recorded past `after`, checked; its data."""
    rows = [row for row in await outbox(session, after) if row.type == kind.event_type()]
    assert len(rows) == 1, [row.type for row in await outbox(session, after)]
    event, data = checked(rows[0])
    assert event.subject == str(subject)
    assert isinstance(data, kind)
    return data


async def types_since(session: AsyncSession, after: int) -> list[str]:
    return [row.type for row in await outbox(session, after)]
