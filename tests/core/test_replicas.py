"""Read replicas without a replica: WAL positions, settings, the lag bound, and a "replica"
that is not a standby. tests/resilience/test_read_replicas.py runs a real streaming replica."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from inkwell.core.replicas import (
    READ_AFTER_HEADER,
    InvalidReadAfter,
    PrimaryHistory,
    format_lsn,
    parse_lsn,
)
from inkwell.core.state import AppState
from tests.conftest import api_client, make_settings


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_a_wal_position_reads_back_as_postgresql_writes_it(position: int) -> None:
    text = format_lsn(position)
    assert parse_lsn(text) == position
    assert text == text.upper()


def test_known_positions() -> None:
    assert format_lsn(0x16_B374D848) == "16/B374D848"
    assert parse_lsn("0/16b3748") == 0x16B3748


@pytest.mark.parametrize("value", ["", "16", "16/", "/1", "G/1", "1/2/3", "123456789/0", "1 /2"])
def test_malformed_positions_are_refused(value: str) -> None:
    with pytest.raises(InvalidReadAfter):
        parse_lsn(value)


def test_replica_settings_are_checked() -> None:
    urls = make_settings(database_replica_urls="postgresql://a/db, postgres://b/db").model_dump()
    assert urls["database_replica_urls"] == ["postgresql://a/db", "postgres://b/db"]
    assert make_settings(database_replica_urls="").database_replica_urls == []
    with pytest.raises(ValidationError, match="postgresql:// URLs"):
        make_settings(database_replica_urls="mysql://a/db")
    with pytest.raises(ValidationError, match="at least twice"):
        make_settings(database_replica_max_lag_seconds=1.0, database_replica_check_seconds=1.0)


def test_the_lag_is_the_time_since_the_newest_check_a_replica_has_replayed() -> None:
    history = PrimaryHistory(keep=3)
    for at, position in [(10.0, 100), (11.0, 200), (12.0, 300), (13.0, 400)]:
        history.add(at, position)
    assert history.lag(400, now=13.0) == 0.0
    assert history.lag(399, now=13.0) == 1.0  # it has what the primary had at 12
    assert history.lag(250, now=13.5) == 2.5
    assert history.lag(150, now=13.0) is None  # older than every check kept


async def test_without_replicas_writes_name_no_position(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": "n@example.com", "username": "nopos", "password": "a long passphrase"},
    )
    assert response.status_code == 201
    assert READ_AFTER_HEADER not in response.headers
    assert "set-cookie" not in response.headers


async def test_a_server_that_is_not_a_standby_serves_no_reads(database_url: str) -> None:
    settings = make_settings(database_url, database_replica_urls=[database_url])
    state = AppState.build(settings)
    try:
        async with api_client(state) as client:
            assert (await client.get("/api/v1/posts/nothing-here")).status_code == 404
        assert state.replicas is not None
        assert not state.replicas.replicas[0].usable
        assert await state.replicas.choose(None) is None
    finally:
        await state.close()
