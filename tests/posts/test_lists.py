"""Public post lists, keyset paging, full-text search, hostile queries and statement counts."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from inkwell.core.config import Settings
from inkwell.core.db import DriverSelect
from inkwell.posts.repository import PostRepository
from tests.factories import create_post, like
from tests.posts.conftest import Account, StatementCounter

POSTS = "/api/v1/posts"


def days_ago(n: float) -> str:
    return (datetime.now(UTC) - timedelta(days=n)).isoformat()


async def items(client: httpx.AsyncClient, query: str = "", **kwargs: Any) -> list[str]:
    response = await client.get(f"{POSTS}?{query}", **kwargs)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
async def blog(session: AsyncSession, alice: Account, bob: Account) -> None:
    """Five public posts over five days, plus a draft and an archived post that never list."""
    a, b = alice.user, bob.user
    await create_post(
        session,
        a,
        title="Postgres indexes",
        published_at=days_ago(5),
        tags=["postgres", "performance"],
        content="B-tree and GIN indexes.",
    )
    await create_post(
        session,
        b,
        title="Python typing",
        published_at=days_ago(4),
        tags=["python"],
        content="Protocols and generics in Python.",
    )
    await create_post(
        session,
        a,
        title="Async Python and Postgres",
        published_at=days_ago(3),
        tags=["python", "postgres"],
        content="asyncpg pools and indexes.",
    )
    await create_post(
        session,
        b,
        title="Gardening",
        published_at=days_ago(2),
        tags=["life"],
        content=("Tomatoes <img src=x onerror=alert(1)> need <script>alert(1)</script> sun."),
    )
    await create_post(
        session,
        a,
        title="Cooking pasta",
        published_at=days_ago(1),
        tags=["life"],
        content="Salt the water like the sea.",
    )
    await create_post(session, a, title="Secret draft", status="draft", tags=["python"])
    await create_post(
        session, a, title="Old news", status="archived", tags=["python"], published_at=days_ago(9)
    )


@pytest.mark.usefixtures("blog")
async def test_lists_public_posts_newest_first_with_summaries(client: httpx.AsyncClient) -> None:
    response = await client.get(POSTS)
    body = response.json()
    assert body["total"] == 5
    assert body["page"] == 1
    assert body["page_size"] == 20
    assert [i["title"] for i in body["items"]] == [
        "Cooking pasta",
        "Gardening",
        "Async Python and Postgres",
        "Python typing",
        "Postgres indexes",
    ]
    first = body["items"][0]
    assert "content_html" not in first
    assert "content_raw" not in first
    assert first["summary"] == "Salt the water like the sea."
    assert first["author"]["username"] == "alice"
    assert [t["slug"] for t in body["items"][2]["tags"]] == ["python", "postgres"]


@pytest.mark.usefixtures("blog")
async def test_filters_and_sorts(client: httpx.AsyncClient) -> None:
    assert await items(client, "author=bob") == ["Gardening", "Python typing"]
    assert await items(client, "author=BOB") == ["Gardening", "Python typing"]
    assert await items(client, "author=nobody") == []
    assert await items(client, "tag=python") == ["Async Python and Postgres", "Python typing"]
    assert await items(client, "tag=python&tag=postgres") == ["Async Python and Postgres"]
    assert await items(client, "tag=unknown") == []
    assert await items(client, "q=indexes") == ["Async Python and Postgres", "Postgres indexes"]
    assert await items(client, "q=indexes&sort=relevance") == [
        "Postgres indexes",
        "Async Python and Postgres",
    ]
    window = await items(
        client,
        params={
            "sort": "oldest",
            "published_after": days_ago(3.5),
            "published_before": days_ago(1.5),
        },
    )
    assert window == ["Async Python and Postgres", "Gardening"]
    assert (await items(client, "sort=oldest"))[0] == "Postgres indexes"
    page = await client.get(f"{POSTS}?page=2&page_size=2")
    assert [i["title"] for i in page.json()["items"]] == [
        "Async Python and Postgres",
        "Python typing",
    ]
    assert page.json()["total"] == 5


async def test_popular_sorts_by_likes(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account
) -> None:
    quiet = await create_post(session, alice.user, title="quiet")
    loved = await create_post(session, alice.user, title="loved")
    repository = PostRepository(session)
    await repository.increment(loved.id, "likes_count", 3)
    await repository.increment(quiet.id, "likes_count")
    await session.commit()
    assert await items(client, "sort=popular") == ["loved", "quiet"]
    assert (await client.get(POSTS)).json()["items"][0]["likes_count"] in {1, 3}


@pytest.mark.usefixtures("blog")
async def test_keyset_paging_walks_every_post_once(client: httpx.AsyncClient) -> None:
    for sort in ("newest", "oldest"):
        seen: list[str] = []
        response = await client.get(POSTS, params={"page_size": 2, "sort": sort})
        while True:
            body = response.json()
            seen += [item["title"] for item in body["items"]]
            if not body["next_cursor"]:
                break
            response = await client.get(
                POSTS, params={"page_size": 2, "sort": sort, "cursor": body["next_cursor"]}
            )
        assert len(seen) == 5
        assert len(set(seen)) == 5
        assert seen == await items(client, f"sort={sort}")


@pytest.mark.usefixtures("blog")
@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=10001",
        "page_size=0",
        "page_size=101",
        "page=abc",
        "sort=random",
        "sort=relevance",
        "author=%25",
        "author=a%00b",
        "tag=%25",
        "tag=a_b%00",
        "q=%00",
        "q=" + "x" * 201,
        "published_after=yesterday",
        "cursor=not-a-cursor",
        "cursor=%00",
        "cursor=WyJuZXdlc3QiLCAiMjAyNi0wMS0wMVQwMDowMDowMCswMDowMCIsICJ4Il0",
        "cursor=WyJvbGRlc3QiLCAiMjAyNi0wMS0wMVQwMDowMDowMCswMDowMCIsICIwMDAwMDAwMC0wMDAwLTAwMDAt"
        "MDAwMC0wMDAwMDAwMDAwMDAiXQ",
        "sort=popular&cursor=abc",
        "tag=a&tag=b&tag=c&tag=d&tag=e&tag=f",
    ],
)
async def test_bad_list_parameters_are_422(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"{POSTS}?{query}")
    assert response.status_code == 422, (query, response.text)
    assert response.json()["errors"]


@pytest.mark.usefixtures("blog")
@pytest.mark.parametrize(
    "q",
    [
        "'",
        '"',
        "%",
        "_",
        "\\",
        "!!",
        "&|!():*",
        "' OR 1=1 --",
        "<->",
        "a:*",
        "-",
        "or",
        '"unclosed',
        "(((",
        "null",
        "🙂",
        "\u202e",
        "a" * 200,
    ],
)
async def test_hostile_search_text_never_fails(client: httpx.AsyncClient, q: str) -> None:
    listed = await client.get(POSTS, params={"q": q})
    assert listed.status_code == 200, listed.text
    searched = await client.get(f"{POSTS}/search", params={"q": q})
    assert searched.status_code == 200, searched.text


@pytest.mark.usefixtures("blog")
async def test_search_ranks_and_highlights(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{POSTS}/search", params={"q": "postgres indexes"})
    assert response.status_code == 200
    body = response.json()
    assert [hit["title"] for hit in body["items"]] == [
        "Postgres indexes",
        "Async Python and Postgres",
    ]
    assert body["total"] == 2
    assert body["items"][0]["rank"] >= body["items"][1]["rank"]
    assert "<mark>indexes</mark>" in body["items"][0]["snippet"]
    assert "content_html" not in body["items"][0]


@pytest.mark.usefixtures("blog")
async def test_search_syntax_and_unsafe_snippets(client: httpx.AsyncClient) -> None:
    async def titles(q: str) -> list[str]:
        response = await client.get(f"{POSTS}/search", params={"q": q})
        return sorted(hit["title"] for hit in response.json()["items"])

    assert await titles("python -postgres") == ["Python typing"]
    assert await titles("tomatoes or pasta") == ["Cooking pasta", "Gardening"]
    assert await titles('"salt the water"') == ["Cooking pasta"]
    assert await titles("draft") == []
    assert await titles("news") == []
    assert await titles("") == []
    assert await titles("   ") == []
    assert await titles("the and of") == []
    garden = (await client.get(f"{POSTS}/search", params={"q": "tomatoes"})).json()["items"][0]
    assert "<" not in garden["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert (await client.get(f"{POSTS}/search")).status_code == 422
    past_the_end = await client.get(f"{POSTS}/search", params={"q": "python", "page": 9})
    assert past_the_end.json()["items"] == []
    assert past_the_end.json()["total"] == 2


async def test_list_runs_the_same_statements_for_1_and_100_posts(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    bob: Account,
    sql_statements: StatementCounter,
) -> None:
    await like(session, bob.user, await create_post(session, alice.user, tags=["a", "b"]))

    async def count(url: str, headers: dict[str, str] | None = None) -> int:
        sql_statements.reset()
        response = await client.get(url, headers=headers)
        assert response.status_code == 200
        return sql_statements.count

    one = await count(f"{POSTS}?page_size=100")
    one_tagged = await count(f"{POSTS}?page_size=100&tag=a")
    one_found = await count(f"{POSTS}/search?q=markdown&page_size=100")
    one_signed_in = await count(f"{POSTS}?page_size=100", bob.headers)
    one_found_signed_in = await count(f"{POSTS}/search?q=markdown&page_size=100", bob.headers)
    for n in range(99):
        post = await create_post(
            session, bob.user if n % 2 else alice.user, tags=["a", f"t{n % 7}"]
        )
        if n % 3 == 0:
            await like(session, bob.user, post)
    many = await count(f"{POSTS}?page_size=100")
    assert (await client.get(f"{POSTS}?page_size=100")).json()["total"] == 100
    # The page with its total in one statement (+ the tag lookup when filtering by tag).
    assert one == many == 1
    assert one_tagged == await count(f"{POSTS}?page_size=100&tag=a") == 2
    assert one_found == await count(f"{POSTS}/search?q=markdown&page_size=100") == 1
    # Signed in, liked_by_me / bookmarked_by_me come with the page: only the caller's session
    # is added, however many posts the page has.
    many_signed_in = await count(f"{POSTS}?page_size=100", bob.headers)
    assert one_signed_in == many_signed_in == 2
    found = f"{POSTS}/search?q=markdown&page_size=100"
    assert one_found_signed_in == await count(found, bob.headers) == 2
    page = (await client.get(f"{POSTS}?page_size=100", headers=bob.headers)).json()["items"]
    assert sum(item["liked_by_me"] for item in page) == 34


@pytest.mark.usefixtures("blog")
async def test_totals_stop_counting_past_the_limit(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    exact = (await client.get(POSTS)).json()
    assert (exact["total"], exact["total_is_exact"]) == (5, True)
    monkeypatch.setattr("inkwell.posts.reads.COUNT_LIMIT", 3)
    monkeypatch.setattr("inkwell.posts.service.COUNT_LIMIT", 3)
    capped = (await client.get(POSTS)).json()
    assert (capped["total"], capped["total_is_exact"]) == (3, False)
    assert len(capped["items"]) == 5
    tagged = (await client.get(POSTS, params={"tag": "python"})).json()
    assert (tagged["total"], tagged["total_is_exact"]) == (2, True)


@pytest.mark.usefixtures("blog")
async def test_random_search_text_never_fails(client: httpx.AsyncClient) -> None:
    rng = random.Random(3)  # noqa: S311 - reproducible fuzzing, not secrets
    alphabet = "ab \"'-|&!():*<>%_\\\t\n\u00e9\u4e2d\U0001f600\x01\x7f"
    for _ in range(80):
        q = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for url in (f"{POSTS}/search", POSTS):
            response = await client.get(url, params={"q": q})
            assert response.status_code == 200, (q, response.text)


async def test_api_reads_borrow_a_pooled_connection_when_driver_reads_are_on(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The API tests' read sessions are engine-bound as in production (tests/conftest.py), so
    an anonymous read borrows a connection for its DriverSelect; without driver reads none is
    borrowed and the answer is the same."""
    post = await create_post(session, alice.user, title="Borrowed")
    borrowed: list[str] = []
    borrowing = DriverSelect._borrowing

    async def record(engine: AsyncEngine, sql: str, arguments: list[Any]) -> Sequence[Any]:
        borrowed.append(sql)
        return await borrowing(engine, sql, arguments)

    monkeypatch.setattr(DriverSelect, "_borrowing", staticmethod(record))
    one = await client.get(f"{POSTS}/{post.slug}")
    page = await client.get(POSTS)

    assert one.json()["title"] == "Borrowed"
    assert [item["title"] for item in page.json()["items"]] == ["Borrowed"]
    assert len(borrowed) == (2 if settings.db_driver_reads else 0)
