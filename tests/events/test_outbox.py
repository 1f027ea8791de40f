"""The recorder and the envelope on their own: settings, UTC time, the type's shape."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.db import WriteInSafeRequestError, create_read_sessionmaker
from inkwell.core.ids import uuid7
from inkwell.events.catalogue import CATALOGUE, EVENT_TYPES, UserFollowed
from inkwell.events.envelope import CloudEvent
from inkwell.events.outbox import Outbox
from tests.conftest import make_settings
from tests.events.support import outbox
from tests.posts.conftest import StatementCounter


async def test_the_source_and_topic_prefix_come_from_the_settings(session: AsyncSession) -> None:
    settings = make_settings(event_source="https://blog.example/inkwell", event_topic_prefix="acme")
    follower, followee = uuid.uuid4(), uuid.uuid4()
    (event,) = await Outbox(session, settings).record(
        UserFollowed(follower_id=follower, followee_id=followee)
    )
    (row,) = await outbox(session)
    assert (row.topic, row.key, row.type) == ("acme.follows", str(followee), event.type)
    assert row.payload["source"] == "https://blog.example/inkwell"
    assert row.payload["data"] == {"follower_id": str(follower), "followee_id": str(followee)}


async def test_events_of_one_change_are_one_statement_in_their_order(
    session: AsyncSession, settings: Settings, sql_statements: StatementCounter
) -> None:
    changes = [UserFollowed(follower_id=uuid.uuid4(), followee_id=uuid.uuid4()) for _ in range(3)]
    events = await Outbox(session, settings).record(*changes)
    assert len([s for s in sql_statements.statements if "outbox_events" in s]) == 1
    rows = await outbox(session)
    assert [row.event_id for row in rows] == [event.id for event in events]
    assert [row.payload["data"] for row in rows] == [c.model_dump(mode="json") for c in changes]


async def test_nothing_to_record_sends_nothing(
    session: AsyncSession, settings: Settings, sql_statements: StatementCounter
) -> None:
    assert await Outbox(session, settings).record() == []
    assert sql_statements.statements == []


async def test_a_read_session_cannot_record(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    reads = create_read_sessionmaker(sessionmaker)
    async with reads() as session:
        with pytest.raises(WriteInSafeRequestError):
            await Outbox(session, settings).record(
                UserFollowed(follower_id=uuid.uuid4(), followee_id=uuid.uuid4())
            )


@pytest.mark.parametrize("prefix", ["", "has space", "slash/topic", "x" * 201])
def test_the_topic_prefix_must_be_a_kafka_name(prefix: str) -> None:
    with pytest.raises(ValidationError):
        make_settings(event_topic_prefix=prefix)


def test_the_envelope_refuses_a_time_outside_utc() -> None:
    fields = {
        "id": uuid7(),
        "source": "/inkwell",
        "type": "inkwell.post.created.v1",
        "subject": "x",
        "data": {},
    }
    CloudEvent.model_validate({**fields, "time": datetime.now(UTC)})
    with pytest.raises(ValidationError, match="UTC"):
        CloudEvent.model_validate({**fields, "time": datetime.now(timezone(timedelta(hours=2)))})


def test_every_type_is_versioned_and_named_once() -> None:
    assert len(CATALOGUE) == len(EVENT_TYPES) == 32
    for name, kind in CATALOGUE.items():
        assert name == f"inkwell.{kind.name}.v{kind.version}"
        assert kind.key_field in kind.model_fields
        assert "email" not in kind.model_fields
