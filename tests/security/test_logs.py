"""Logs record authentication events but never passwords or tokens (SECURITY 22, 35)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.logging import JsonFormatter
from inkwell.core.state import AppState
from tests.conftest import api_client, make_settings
from tests.factories import DEFAULT_PASSWORD, create_user


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The production log format, captured as the lines are written."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


async def test_tokens_and_passwords_never_reach_the_logs(
    app_state: AppState, session: AsyncSession, json_log: io.StringIO
) -> None:
    app_state.settings = make_settings(app_state.settings.database_url or "", access_log=True)
    await create_user(session, username="quiet")
    async with api_client(app_state) as client:
        tokens = (
            await client.post(
                "/api/v1/auth/login", json={"login": "quiet", "password": DEFAULT_PASSWORD}
            )
        ).json()
        await client.post(
            "/api/v1/auth/login", json={"login": "quiet", "password": "a wrong password"}
        )
        rotated = (
            await client.post(
                "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
            )
        ).json()
        me = await client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {rotated['access_token']}"}
        )
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert me.status_code == 200
    text = json_log.getvalue()
    secrets = [
        tokens["access_token"],
        tokens["refresh_token"],
        rotated["access_token"],
        rotated["refresh_token"],
        DEFAULT_PASSWORD,
        "a wrong password",
    ]
    assert not [s for s in secrets if s in text]

    records = [json.loads(line) for line in text.splitlines()]
    by_message = {r["message"]: r for r in records}
    for event in ("login succeeded", "login failed", "refresh token reuse: session revoked"):
        assert event in by_message, f"'{event}' was not logged"
        record = by_message[event]
        assert record["ip"] == "127.0.0.1"
        assert record["request_id"]
        assert record["time"].endswith("Z")
    assert by_message["login succeeded"]["user_id"]
