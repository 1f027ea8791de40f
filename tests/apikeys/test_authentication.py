"""Authenticating with a key: every unusable key is the same 401 as a bad token, its last
use is recorded at most once a minute, it has a rate of its own, and it never reaches a log."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.logging import ConsoleFormatter, JsonFormatter
from inkwell.core.state import AppState
from inkwell.models.api_key import ApiKey
from inkwell.models.user import User
from tests.apikeys.conftest import KEYS, make_key
from tests.conftest import api_client, make_settings
from tests.factories import create_user, signed_in_headers
from tests.posts.conftest import Account, StatementCounter

ME = "/api/v1/users/me"


def _without_request_id(response: httpx.Response) -> tuple[int, dict[str, object]]:
    body = response.json()
    body.pop("request_id", None)
    return response.status_code, body


async def test_an_unusable_key_answers_as_a_bad_token_does(
    client: httpx.AsyncClient, alice: Account, session: AsyncSession
) -> None:
    bad_jwt = await client.get(ME, headers={"Authorization": "Bearer not.a.jwt"})
    expected = _without_request_id(bad_jwt)
    assert expected[0] == 401
    unknown = "ink_" + "A" * 43
    key = await make_key(client, alice, ["profile:read"])
    assert (await client.get(ME, headers=key)).status_code == 200

    answers = [await client.get(ME, headers={"Authorization": f"Bearer {unknown}"})]
    await session.execute(update(User).where(User.id == alice.user.id).values(is_active=False))
    await session.commit()
    answers.append(await client.get(ME, headers=key))
    await session.execute(
        update(User)
        .where(User.id == alice.user.id)
        .values(is_active=True, deleted_at=datetime.now(UTC))
    )
    await session.commit()
    answers.append(await client.get(ME, headers=key))
    for answer in answers:
        assert _without_request_id(answer) == expected


async def test_a_key_is_not_a_realworld_token(client: httpx.AsyncClient, alice: Account) -> None:
    key = await make_key(client, alice, ["profile:read", "posts:read"])
    secret = key["Authorization"].removeprefix("Bearer ")
    for scheme in ("Token", "Bearer"):
        response = await client.get("/api/user", headers={"Authorization": f"{scheme} {secret}"})
        assert response.status_code == 401


async def _last_use(session: AsyncSession, owner: Account) -> tuple[datetime | None, str | None]:
    row = (
        await session.execute(
            select(ApiKey.last_used_at, ApiKey.last_used_ip).where(ApiKey.user_id == owner.user.id)
        )
    ).one()
    return row[0], row[1]


async def test_the_last_use_is_written_at_most_once_a_minute(
    client: httpx.AsyncClient, alice: Account, session: AsyncSession
) -> None:
    key = await make_key(client, alice, ["profile:read", "profile:write"])
    assert await _last_use(session, alice) == (None, None)
    await client.get(ME, headers=key)
    first, ip = await _last_use(session, alice)
    assert first is not None
    assert ip == "127.0.0.1"
    await client.get(ME, headers=key)
    await client.patch(ME, json={"bio": "again"}, headers=key)
    assert (await _last_use(session, alice))[0] == first

    earlier = first - timedelta(minutes=2)
    await session.execute(
        update(ApiKey).where(ApiKey.user_id == alice.user.id).values(last_used_at=earlier)
    )
    await session.commit()
    await client.patch(ME, json={"bio": "later"}, headers=key)
    later, _ = await _last_use(session, alice)
    assert later is not None
    assert later > earlier


async def test_a_key_costs_the_statements_a_token_does(
    client: httpx.AsyncClient, alice: Account, sql_statements: StatementCounter
) -> None:
    """One statement checks either (the key with its owner, or the user with the session);
    a key's first use in a minute adds one UPDATE of its last use."""
    key = await make_key(client, alice, ["posts:read"])
    path = "/api/v1/users/me/posts"
    await client.get(path, headers=alice.headers)
    sql_statements.reset()
    assert (await client.get(path, headers=alice.headers)).status_code == 200
    by_token = sql_statements.count
    sql_statements.reset()
    await client.get(path, headers=key)
    updates = [s for s in sql_statements.statements if s.lstrip().startswith("UPDATE api_keys")]
    assert len(updates) == 1
    sql_statements.reset()
    assert (await client.get(path, headers=key)).status_code == 200
    assert sql_statements.count == by_token
    assert not [s for s in sql_statements.statements if "UPDATE" in s]


async def test_a_refused_write_still_records_the_use(
    committing_state: AppState, committing_client: httpx.AsyncClient
) -> None:
    """The use is recorded in a transaction of its own (on connections of their own, as in
    production), which the request's rollback does not undo."""
    async with committing_state.sessionmaker() as session:
        user = await create_user(session, username="carol")
    carol = Account(user=user, headers=await signed_in_headers(committing_state, user))
    key = await make_key(committing_client, carol, ["profile:write"])
    refused = await committing_client.patch(ME, json={"email": "x@example.org"}, headers=key)
    assert refused.status_code == 403
    async with committing_state.sessionmaker() as session:
        assert (await _last_use(session, carol))[0] is not None


async def test_requests_are_counted_per_key(
    key_state: AppState, client: httpx.AsyncClient, alice: Account
) -> None:
    key_state.settings = key_state.settings.model_copy(
        update={"rate_limit_requests_per_api_key": 3}
    )
    first = await make_key(client, alice, ["profile:read"])
    second = await make_key(client, alice, ["profile:read"])
    for _ in range(3):
        assert (await client.get(ME, headers=first)).status_code == 200
    limited = await client.get(ME, headers=first)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["code"] == "rate_limited"
    assert (await client.get(ME, headers=second)).status_code == 200
    assert (await client.get(ME, headers=alice.headers)).status_code == 200  # not the user's


@pytest.fixture
def captured_logs() -> Iterator[list[io.StringIO]]:
    """Every log line, in the production and the development format."""
    streams = [io.StringIO(), io.StringIO()]
    handlers = [logging.StreamHandler(stream) for stream in streams]
    handlers[0].setFormatter(JsonFormatter())
    handlers[1].setFormatter(ConsoleFormatter())
    root = logging.getLogger()
    level = root.level
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield streams
    for handler in handlers:
        root.removeHandler(handler)
    root.setLevel(level)


async def test_keys_never_reach_a_log_line(
    app_state: AppState, alice: Account, captured_logs: list[io.StringIO]
) -> None:
    app_state.settings = make_settings(app_state.settings.database_url or "", access_log=True)
    async with api_client(app_state) as client:
        key = await make_key(client, alice, ["profile:read"])
        secret = key["Authorization"].removeprefix("Bearer ")
        await client.get(ME, headers=key)
        await client.get(f"{ME}?key={secret}", headers=key)
        await client.get(f"/api/v1/posts/{secret}")  # a key pasted into a path
        revoked = (await client.get(KEYS, headers=alice.headers)).json()[0]["id"]
        await client.delete(f"{KEYS}/{revoked}", headers=alice.headers)
        await client.get(ME, headers=key)  # refused: a failed authentication
    logging.getLogger("inkwell.errors").error("failed with %s", secret, exc_info=False)
    try:
        raise RuntimeError(f"token {secret}")
    except RuntimeError:
        logging.getLogger("inkwell.errors").exception("unhandled error")
    for stream in captured_logs:
        text = stream.getvalue()
        assert "api key created" in text
        assert "/api/v1/posts/ink_[redacted]" in text
        assert secret not in text
        assert secret[4:] not in text
        assert text.count("ink_[redacted]") >= 3
    assert uuid.UUID(revoked)
