"""Redirects and Location headers never take their host from the request's Host header."""

from __future__ import annotations

import httpx

from inkwell.core.state import AppState
from tests.conftest import api_client, make_settings
from tests.posts.conftest import Account
from tests.posts.test_api import POSTS, write

EVIL = {"Host": "evil.example"}
SITE = "https://blog.example.com"


def with_site_url(state: AppState) -> httpx.AsyncClient:
    """A client of an app with a site URL that answers any Host (so a forged one gets through)."""
    state.settings = make_settings(
        state.settings.database_url or "", site_url=SITE, trusted_hosts=["*"]
    )
    return api_client(state)


async def renamed_post(client: httpx.AsyncClient, alice: Account) -> dict[str, str]:
    post = await write(client, alice, title="First name", status="published")
    url = f"{POSTS}/{post['id']}"
    await client.patch(url, json={"slug": "second-name"}, headers=alice.headers)
    return post


async def test_trailing_slash_redirect_is_a_relative_path(client: httpx.AsyncClient) -> None:
    moved = await client.get(f"{POSTS}/?page=2", headers=EVIL)
    assert moved.status_code == 307
    assert moved.headers["location"] == f"{POSTS}?page=2"
    assert (await client.get("/api/articles/", headers=EVIL)).headers["location"] == "/api/articles"


async def test_old_slug_redirect_and_location_are_relative_paths(
    client: httpx.AsyncClient, alice: Account
) -> None:
    created = await client.post(
        POSTS, json={"title": "Hello", "content_raw": "x"}, headers={**alice.headers, **EVIL}
    )
    assert created.headers["location"] == f"{POSTS}/hello"
    await renamed_post(client, alice)
    moved = await client.get(f"{POSTS}/first-name", headers=EVIL)
    assert moved.status_code == 301
    assert moved.headers["location"] == f"{POSTS}/second-name"


async def test_redirects_use_the_configured_site_url(
    app_state: AppState, client: httpx.AsyncClient, alice: Account
) -> None:
    await renamed_post(client, alice)
    async with with_site_url(app_state) as site:
        created = await site.post(
            POSTS, json={"title": "Hello", "content_raw": "x"}, headers={**alice.headers, **EVIL}
        )
        moved = await site.get(f"{POSTS}/first-name", headers=EVIL)
        slash = await site.get(f"{POSTS}/", headers=EVIL)
    assert created.headers["location"] == f"{SITE}{POSTS}/hello"
    assert moved.headers["location"] == f"{SITE}{POSTS}/second-name"
    assert slash.headers["location"] == f"{SITE}{POSTS}"
