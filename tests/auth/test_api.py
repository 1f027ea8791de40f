"""The auth endpoints, end to end through the API."""

from __future__ import annotations

import httpx

from tests.factories import DEFAULT_PASSWORD

REGISTER = "/api/v1/auth/register"


def _account(username: str = "alice", **extra: str) -> dict[str, str]:
    return {"email": f"{username}@example.com", "username": username,
            "password": DEFAULT_PASSWORD, **extra}


async def test_register_login_and_me(client: httpx.AsyncClient) -> None:
    response = await client.post(REGISTER, json=_account(display_name="Alice"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["username"] == "alice"
    assert body["email"] == "alice@example.com"
    assert "password_hash" not in body

    response = await client.post("/api/v1/auth/login",
                                 json={"login": "alice", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "bearer"
    assert response.headers["cache-control"] == "no-store"

    me = await client.get("/api/v1/users/me",
                          headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200, me.text
    assert me.json()["username"] == "alice"
