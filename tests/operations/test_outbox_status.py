"""GET /api/v1/admin/outbox: what the relay has not sent, what keeps failing, consumer lag."""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy import text

from inkwell.core.state import AppState
from inkwell.events.catalogue import PostLiked
from inkwell.models.user import Role
from tests.conftest import api_client
from tests.events.relaying import likes, record
from tests.factories import create_user, signed_in_headers

STATUS = "/api/v1/admin/outbox"


async def _headers(state: AppState, role: Role) -> dict[str, str]:
    async with state.sessionmaker() as session:
        user = await create_user(session, role=role)
        await session.commit()
    return await signed_in_headers(state, user)


def _with_kafka(state: AppState) -> AppState:
    """Settings of a deployment that relays to Kafka (no relay runs in these tests)."""
    settings = state.settings.model_copy(
        update={"kafka_bootstrap_servers": "127.0.0.1:9", "relay_in_process": False}
    )
    return dataclasses.replace(state, settings=settings)


async def test_an_admin_sees_pending_and_failing_events(committing_state: AppState) -> None:
    state = _with_kafka(committing_state)
    post = uuid.uuid4()
    await record(state, *likes(post, 1, 3))
    async with state.sessionmaker() as session:
        await session.execute(
            text(
                "UPDATE outbox_events SET attempts = 2, last_error = 'broker refused', "
                "next_attempt_at = now() + interval '1 minute' WHERE position = "
                "(SELECT min(position) FROM outbox_events)"
            )
        )
        await session.commit()
    headers = await _headers(state, Role.ADMIN)

    async with api_client(state) as client:
        response = await client.get(STATUS, headers=headers)

    assert response.status_code == 200, response.text
    status = response.json()
    assert status["relayed_to_kafka"] is True
    assert (status["pending"], status["failing"]) == (3, 1)
    assert status["oldest_pending_at"]
    [failing] = status["failing_events"]
    assert failing["type"] == PostLiked.event_type()
    assert failing["key"] == str(post)
    assert (failing["attempts"], failing["last_error"]) == (2, "broker refused")


async def test_without_kafka_nothing_is_pending_and_consumer_lag_is_shown(
    committing_state: AppState,
) -> None:
    async with committing_state.sessionmaker() as session:
        await session.execute(text("INSERT INTO outbox_consumers (name) VALUES ('webhooks')"))
        await session.commit()
    await record(committing_state, *likes(uuid.uuid4(), 1, 2))
    headers = await _headers(committing_state, Role.ADMIN)

    async with api_client(committing_state) as client:
        status = (await client.get(STATUS, headers=headers)).json()

    assert status["relayed_to_kafka"] is False
    assert (status["pending"], status["failing"], status["failing_events"]) == (0, 0, [])
    [consumer] = status["consumers"]
    assert (consumer["name"], consumer["behind"]) == ("webhooks", 2)


async def test_only_admins_see_the_outbox(committing_state: AppState) -> None:
    async with api_client(committing_state) as client:
        anonymous = await client.get(STATUS)
        for role in (Role.AUTHOR, Role.MODERATOR):
            refused = await client.get(STATUS, headers=await _headers(committing_state, role))
            assert refused.status_code == 403, role
    assert anonymous.status_code == 401
