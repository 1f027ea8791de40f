"""Text PostgreSQL cannot store is a client's mistake: 422 naming the field, never a 500."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.state import AppState
from inkwell.core.text import unstorable_path
from tests.factories import create_user, signed_in_headers

NUL, SURROGATE = "\x00", "\ud800"


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
async def test_json_bodies(
    client: httpx.AsyncClient, app_state: AppState, session: AsyncSession, bad: str
) -> None:
    headers = await signed_in_headers(app_state, await create_user(session))
    body = json.dumps({"title": "ok", "content_raw": "x", "tags": ["fine", f"bad{bad}"]})
    response = await client.post(
        "/api/v1/posts", content=body, headers={**headers, "content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["tags.1"]


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
async def test_login_fields(client: httpx.AsyncClient, bad: str) -> None:
    body = json.dumps({"login": f"a{bad}b", "password": "whatever it is"})
    response = await client.post(
        "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "login"


async def test_form_fields(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/token",
        content=b"username=a%00b&password=pw",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "url", ["/api/v1/users/a%00b", "/api/v1/posts?q=a%00b", "/api/v1/posts/search?q=%00"]
)
async def test_paths_and_queries(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_unreadable_body_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=b"\xff\xfe\xfa", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "body"


def test_unstorable_path_finds_nested_values_and_keys() -> None:
    assert unstorable_path({"a": [1, {"b": "ok"}, "x\x00"]}) == ("a", 2)
    assert unstorable_path({"k\x00": 1}) == ("<key>",)
    assert unstorable_path({"a": ["fine", {"b": 2.5}]}) is None
