"""A broker restart loses nothing the relay marked as sent (tansu keeping its log in S3)."""

from __future__ import annotations

import dataclasses
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inkwell.core.state import AppState
from tests.events.relaying import (
    committed,
    counts_by_key,
    drain,
    likes,
    new_relay,
    received,
    record,
    relay_settings,
)
from tests.kafka import broker_command, free_port, serving

MOTO_SERVER = str(Path(sys.executable).parent / "moto_server")
BUCKET = "tansu"


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """An S3 server (moto) with the broker's bucket, for this test."""
    port = free_port()
    with serving([MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)], port):
        endpoint = f"http://127.0.0.1:{port}"
        httpx.put(f"{endpoint}/{BUCKET}").raise_for_status()
        yield endpoint


async def test_a_broker_restart_loses_nothing_the_relay_marked_as_sent(
    committing_state: AppState, database_url: str, s3_endpoint: str
) -> None:
    port = free_port()
    broker = broker_command(port, f"s3://{BUCKET}/")
    env = {
        **os.environ,
        "AWS_ENDPOINT": s3_endpoint,
        "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    settings = relay_settings(database_url, f"127.0.0.1:{port}")
    state = dataclasses.replace(committing_state, settings=settings)
    post = uuid.uuid4()
    with serving(broker, port, env):
        await record(state, *likes(post, 1, 20))
        await drain(new_relay(settings, state.engine))
    assert all(row.published_at for row in await committed(state))

    with serving(broker, port, env):  # killed above; a new process on the same storage
        messages = await received(settings, 20)
    assert counts_by_key(messages) == {str(post): list(range(1, 21))}
