"""Relays over committed rows, and what reached the broker, for the relay tests."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.events.catalogue import PostLiked
from inkwell.events.envelope import EventData
from inkwell.events.kafka import EventProducer
from inkwell.events.outbox import Outbox
from inkwell.events.relay import Relay
from inkwell.models.event import OutboxEvent
from tests.conftest import api_client, make_settings
from tests.events.support import outbox
from tests.kafka import Received, read_topics

TOPICS = ("users", "posts", "comments", "engagement", "follows", "media")


def relay_settings(database_url: str, kafka: str, **overrides: Any) -> Settings:
    """Settings of a relay to this broker, with topics of their own (a fresh prefix)."""
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": kafka,
        "event_topic_prefix": f"t{uuid.uuid4().hex[:12]}",
        "relay_poll_interval_seconds": 0.1,
        "relay_retry_base_seconds": 0.2,
        "relay_send_timeout_seconds": 5,
    }
    return make_settings(database_url, **{**values, **overrides})


@pytest.fixture
def relay_state(committing_state: AppState, database_url: str, kafka: str) -> AppState:
    """Committing app state whose events go to topics of this test; tables emptied after."""
    return dataclasses.replace(committing_state, settings=relay_settings(database_url, kafka))


@pytest.fixture
async def relay_client(relay_state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(relay_state) as client:
        yield client


def new_relay(settings: Settings, engine: AsyncEngine) -> Relay:
    return Relay(settings, engine, EventProducer(settings))


async def drain(relay: Relay) -> None:
    """Relay batches until none is left that is due."""
    while await relay.relay_batch():
        pass


async def received(settings: Settings, count: int, wait: float = 15) -> list[Received]:
    """What the broker holds on this settings' topics (waiting up to `wait` s for `count`)."""
    assert settings.kafka_bootstrap_servers
    topics = [f"{settings.event_topic_prefix}.{topic}" for topic in TOPICS]
    return await asyncio.to_thread(
        read_topics, settings.kafka_bootstrap_servers, topics, count, wait
    )


async def committed(state: AppState) -> list[OutboxEvent]:
    """Every outbox row, as a new transaction sees it."""
    async with state.sessionmaker() as session:
        return await outbox(session)


async def record(state: AppState, *changes: EventData) -> None:
    """Record events in a transaction of their own, committed."""
    async with state.sessionmaker() as session:
        await Outbox(session, state.settings).record(*changes)
        await session.commit()


async def wait_until_relayed(state: AppState) -> None:
    """Wait (up to 10 s) until no row is pending."""
    async with asyncio.timeout(10):
        while await _pending(state):  # noqa: ASYNC110 - another process's rows change
            await asyncio.sleep(0.05)


async def _pending(state: AppState) -> int:
    async with state.sessionmaker() as session:
        pending = select(func.count()).where(OutboxEvent.published_at.is_(None))
        return await session.scalar(pending) or 0


def likes(post: uuid.UUID, first: int, last: int) -> list[PostLiked]:
    """A post's like events numbered first..last by their likes_count (their order)."""
    return [
        PostLiked(post_id=post, user_id=uuid.uuid4(), likes_count=n) for n in range(first, last + 1)
    ]


def counts_by_key(messages: Sequence[Received]) -> dict[str, list[int]]:
    """Each key's likes_count values in the order the broker holds them, first copies only."""
    seen: set[str] = set()
    order: dict[str, list[int]] = {}
    for message in messages:
        if message.event["id"] not in seen:
            seen.add(message.event["id"])
            order.setdefault(message.key, []).append(message.event["data"]["likes_count"])
    return order
