"""Fixtures of the events tests: the signed-in users of the posts tests, a Kafka broker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.events.relaying import relay_client, relay_state  # noqa: F401 - shared fixtures
from tests.kafka import running_broker
from tests.posts.conftest import (  # noqa: F401 - shared fixtures
    alice,
    bob,
    editor,
    moderator,
    sql_statements,
)


@pytest.fixture(scope="session")
def kafka() -> Iterator[str]:
    """A real Kafka-compatible broker for the run; its bootstrap address."""
    with running_broker() as bootstrap:
        yield bootstrap
