"""Delivery attempts against a real receiver: signatures, the retry schedule with the clock
moved, disabling after 3 days of failures, redirects, timeouts and SSRF at delivery time."""

from __future__ import annotations

import json
import socket
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.models.webhook import WebhookDelivery, WebhookEndpoint
from inkwell.webhooks.delivery import DISABLE_AFTER, JITTER, RETRY_DELAYS, DeliveryRunner
from tests.webhooks.receiver import Answer, Receiver
from tests.webhooks.support import (
    attempts_of,
    delivery_jobs,
    endpoint_with_test_delivery,
    fresh,
    real_time,
)

Sessions = async_sessionmaker[AsyncSession]


async def test_a_delivery_is_signed_and_verifies_with_the_reference_library(
    session: AsyncSession, sessionmaker: Sessions, local_settings: Settings, receiver: Receiver
) -> None:
    clock = real_time()
    endpoint, delivery = await endpoint_with_test_delivery(
        session, local_settings, clock, receiver.url
    )
    assert await delivery_jobs(session, delivery.id) == [(1, clock.now)]
    runner = DeliveryRunner(sessionmaker, local_settings, clock=clock)

    outcome = await runner.attempt(delivery.id, 1)

    assert outcome is not None
    assert outcome.succeeded
    [request] = receiver.requests
    event = request.verified(endpoint.secret)
    assert isinstance(event, dict)
    assert event["type"] == "inkwell.webhook.test.v1"
    assert event["id"] == request.headers["webhook-id"] == str(delivery.event_id)
    assert event["data"]["endpoint_id"] == str(endpoint.id)
    assert request.headers["webhook-timestamp"] == str(int(clock.now.timestamp()))
    assert request.headers["content-type"] == "application/json"
    assert request.headers["host"] == receiver.url.split("/")[2]
    assert request.path == "/hook"
    assert json.loads(request.body) == json.loads(delivery.body)
    done = await fresh(session, WebhookDelivery, delivery.id)
    assert (done.status, done.attempts, done.next_attempt_at) == ("succeeded", 1, None)
    [attempt] = await attempts_of(session, delivery.id)
    assert (attempt.succeeded, attempt.status_code, attempt.response_excerpt) == (True, 200, "ok")

    assert await runner.attempt(delivery.id, 1) is None  # a duplicate job sends nothing
    assert len(receiver.requests) == 1


async def test_retries_follow_the_schedule_until_the_endpoint_is_disabled(
    session: AsyncSession, sessionmaker: Sessions, local_settings: Settings, receiver: Receiver
) -> None:
    receiver.answer = Answer(status=500, body=b"e" * 5000)
    clock = real_time()
    endpoint, delivery = await endpoint_with_test_delivery(
        session, local_settings, clock, receiver.url
    )
    runner = DeliveryRunner(sessionmaker, local_settings, clock=clock)
    first_failure, number = clock.now, 1
    while True:
        outcome = await runner.attempt(delivery.id, number)
        assert outcome is not None
        assert not outcome.succeeded
        current = await fresh(session, WebhookDelivery, delivery.id)
        if current.status != "pending":
            break
        wait = current.next_attempt_at - clock.now
        expected = RETRY_DELAYS[number - 1]
        assert expected * (1 - JITTER) <= wait <= expected * (1 + JITTER), number
        assert (number + 1, current.next_attempt_at) in await delivery_jobs(session, delivery.id)
        assert clock.now - first_failure < DISABLE_AFTER
        clock.now = current.next_attempt_at
        number += 1

    assert clock.now - first_failure >= DISABLE_AFTER
    assert current.status == "failed"
    assert current.next_attempt_at is None
    assert (number + 1) not in {n for n, _ in await delivery_jobs(session, delivery.id)}
    disabled = await fresh(session, WebhookEndpoint, endpoint.id)
    assert disabled.enabled is False
    assert disabled.disabled_reason == "every delivery attempt failed for 3 days"
    assert disabled.disabled_at == clock.now
    assert disabled.failing_since == first_failure
    attempts = await attempts_of(session, delivery.id)
    assert [a.number for a in attempts] == list(range(1, number + 1))
    assert len(receiver.requests) == number
    assert all(a.status_code == 500 and not a.succeeded for a in attempts)
    assert all(a.response_excerpt == "e" * 1024 for a in attempts)
    assert attempts[-1].next_attempt_at is None
    assert all(a.next_attempt_at is not None for a in attempts[:-1])


async def test_a_success_ends_the_failure_streak(
    session: AsyncSession, sessionmaker: Sessions, local_settings: Settings, receiver: Receiver
) -> None:
    receiver.answer = Answer(status=503)
    clock = real_time()
    endpoint, delivery = await endpoint_with_test_delivery(
        session, local_settings, clock, receiver.url
    )
    runner = DeliveryRunner(sessionmaker, local_settings, clock=clock)
    await runner.attempt(delivery.id, 1)
    failing = await fresh(session, WebhookEndpoint, endpoint.id)
    assert failing.failing_since == clock.now

    receiver.answer = Answer(status=204, body=b"")
    clock.advance(seconds=6)
    outcome = await runner.attempt(delivery.id, 2)
    assert outcome is not None
    assert outcome.succeeded
    healthy = await fresh(session, WebhookEndpoint, endpoint.id)
    assert healthy.failing_since is None
    assert healthy.enabled is True
    assert (await fresh(session, WebhookDelivery, delivery.id)).status == "succeeded"


async def test_a_redirect_is_not_followed(
    session: AsyncSession, sessionmaker: Sessions, local_settings: Settings, receiver: Receiver
) -> None:
    receiver.answer = Answer(status=302, headers={"location": receiver.url + "/elsewhere"})
    clock = real_time()
    _, delivery = await endpoint_with_test_delivery(session, local_settings, clock, receiver.url)
    outcome = await DeliveryRunner(sessionmaker, local_settings, clock=clock).attempt(
        delivery.id, 1
    )
    assert outcome is not None
    assert (outcome.succeeded, outcome.status_code) == (False, 302)
    assert [r.path for r in receiver.requests] == ["/hook"]


async def test_an_endpoint_that_does_not_answer_in_time_fails_the_attempt(
    session: AsyncSession, sessionmaker: Sessions, local_settings: Settings, receiver: Receiver
) -> None:
    receiver.answer = Answer(delay=1.5)
    settings = local_settings.model_copy(update={"webhook_timeout_seconds": 0.3})
    clock = real_time()
    _, delivery = await endpoint_with_test_delivery(session, settings, clock, receiver.url)
    outcome = await DeliveryRunner(sessionmaker, settings, clock=clock).attempt(delivery.id, 1)
    assert outcome is not None
    assert outcome.error == "no answer within 0.3 s"
    assert outcome.duration_ms < 1000
    [attempt] = await attempts_of(session, delivery.id)
    assert (attempt.status_code, attempt.error) == (None, "no answer within 0.3 s")


async def test_a_refused_connection_fails_the_attempt(
    session: AsyncSession, sessionmaker: Sessions, local_settings: Settings
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    clock = real_time()
    url = f"http://127.0.0.1:{port}/hook"
    _, delivery = await endpoint_with_test_delivery(session, local_settings, clock, url)
    outcome = await DeliveryRunner(sessionmaker, local_settings, clock=clock).attempt(
        delivery.id, 1
    )
    assert outcome is not None
    assert outcome.status_code is None
    assert str(outcome.error).startswith("ConnectError")
    current = await fresh(session, WebhookDelivery, delivery.id)
    assert current.status == "pending"
    assert current.next_attempt_at is not None


async def test_addresses_are_checked_again_at_delivery_time(
    session: AsyncSession, sessionmaker: Sessions, local_settings: Settings, receiver: Receiver
) -> None:
    clock = real_time()
    port = receiver.url.split(":")[2].split("/")[0]
    by_name = f"http://localhost:{port}/hook"
    _, delivery = await endpoint_with_test_delivery(session, local_settings, clock, by_name)
    # The rules tightened (or the name now points elsewhere) after registration.
    strict = local_settings.model_copy(update={"webhooks_allow_private": False})
    outcome = await DeliveryRunner(sessionmaker, strict, clock=clock).attempt(delivery.id, 1)
    assert outcome is not None
    assert str(outcome.error).startswith("refused: ")
    assert "private address" in str(outcome.error)
    assert receiver.requests == []


async def test_a_disabled_endpoint_gets_nothing_more(
    session: AsyncSession, sessionmaker: Sessions, local_settings: Settings, receiver: Receiver
) -> None:
    clock = real_time()
    endpoint, delivery = await endpoint_with_test_delivery(
        session, local_settings, clock, receiver.url
    )
    endpoint.enabled = False
    await session.commit()
    runner = DeliveryRunner(sessionmaker, local_settings, clock=clock)
    assert await runner.attempt(delivery.id, 1) is None
    assert receiver.requests == []
    current = await fresh(session, WebhookDelivery, delivery.id)
    assert current.status == "failed"
    assert await attempts_of(session, delivery.id) == []


async def test_a_stale_attempt_of_a_deleted_delivery_does_nothing(
    sessionmaker: Sessions, local_settings: Settings
) -> None:
    runner = DeliveryRunner(sessionmaker, local_settings, clock=real_time())
    assert await runner.attempt(uuid.uuid4(), 1) is None
