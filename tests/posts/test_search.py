"""Search ranks the newest matches only: what that bound changes, against PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_post
from tests.posts.conftest import Account

SEARCH = "/api/v1/posts/search"


def days_ago(n: float) -> str:
    return (datetime.now(UTC) - timedelta(days=n)).isoformat()


@pytest.fixture
async def sourdough(session: AsyncSession, alice: Account) -> None:
    """Four posts on one word: the oldest matches best, the newest matches least."""
    posts = [
        ("Sourdough sourdough", "Sourdough starter, sourdough loaves.", 10),
        ("Rye bread", "Rye with sourdough, and more sourdough.", 3),
        ("Sourdough at home", "Feeding a sourdough starter.", 2),
        ("Weekend baking", "Buns, and one sourdough loaf.", 1),
    ]
    for title, content, age in posts:
        await create_post(
            session, alice.user, title=title, content=content, published_at=days_ago(age)
        )


async def search(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get(SEARCH, params={"q": "sourdough", **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def titles(body: dict[str, Any]) -> list[str]:
    return [hit["title"] for hit in body["items"]]


def bound_search(monkeypatch: pytest.MonkeyPatch, candidates: int) -> None:
    monkeypatch.setattr("inkwell.posts.search.SEARCH_CANDIDATES", candidates)
    monkeypatch.setattr("inkwell.posts.service.SEARCH_CANDIDATES", candidates)


@pytest.mark.usefixtures("sourdough")
async def test_every_match_is_ranked_below_the_bound(client: httpx.AsyncClient) -> None:
    body = await search(client)
    assert titles(body) == [
        "Sourdough sourdough",
        "Sourdough at home",
        "Rye bread",
        "Weekend baking",
    ]
    assert (body["total"], body["total_is_exact"]) == (4, True)


@pytest.mark.usefixtures("sourdough")
async def test_only_the_newest_matches_are_ranked_past_the_bound(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound_search(monkeypatch, 3)
    body = await search(client)
    # The best match is the oldest: past the bound it is not a candidate.
    assert titles(body) == ["Sourdough at home", "Rye bread", "Weekend baking"]
    assert [hit["rank"] for hit in body["items"]] == sorted(
        (hit["rank"] for hit in body["items"]), reverse=True
    )
    assert (body["total"], body["total_is_exact"]) == (3, False)


@pytest.mark.usefixtures("sourdough")
async def test_pages_end_at_the_bound(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound_search(monkeypatch, 3)
    pages = [await search(client, page=n, page_size=2) for n in (1, 2, 3)]
    assert [titles(page) for page in pages] == [
        ["Sourdough at home", "Rye bread"],
        ["Weekend baking"],
        [],
    ]
    assert {(page["total"], page["total_is_exact"]) for page in pages} == {(3, False)}


@pytest.mark.usefixtures("sourdough")
async def test_search_totals_stop_at_the_count_limit(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("inkwell.posts.service.COUNT_LIMIT", 2)
    body = await search(client)
    assert len(body["items"]) == 4
    assert (body["total"], body["total_is_exact"]) == (2, False)


@pytest.mark.parametrize(
    "ages",
    [
        [1, 2, 3],  # enough in the newest window
        [1, 2, 200, 700],  # too few in it, enough in the year
        [1, 200, 300, 700],
        [1, 500, 600],  # the year predicted enough but holds too few: every match
        [400, 500, 700],  # none in the newest window: every match
    ],
)
async def test_the_candidates_are_the_newest_matches_whichever_window_holds_them(
    session: AsyncSession,
    alice: Account,
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    ages: list[int],
) -> None:
    for age in ages:
        await create_post(
            session,
            alice.user,
            title=f"Loaf {age}",
            content="A sourdough loaf.",
            published_at=days_ago(age),
        )
    bound_search(monkeypatch, 2)
    body = await search(client)
    assert set(titles(body)) == {f"Loaf {age}" for age in sorted(ages)[:2]}
    assert (body["total"], body["total_is_exact"]) == (2, False)
