"""RealWorld article lists and the feed: filters, paging, exact counts, statement counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.posts import repository as post_repository
from inkwell.posts import service as post_service
from tests.factories import create_post, follow, like
from tests.posts.conftest import StatementCounter
from tests.realworld.conftest import Conduit, errors_of


def days_ago(n: float) -> str:
    return (datetime.now(UTC) - timedelta(days=n)).isoformat()


async def listing(api: httpx.AsyncClient, query: str = "", **kwargs: Any) -> dict[str, Any]:
    response = await api.get(f"/api/articles?{query}", **kwargs)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def titles(found: dict[str, Any]) -> list[str]:
    return [article["title"] for article in found["articles"]]


@pytest.fixture
async def blog(session: AsyncSession, jake: Conduit, jane: Conduit) -> None:
    """Four public posts over four days (newest: D), a draft and an archived post."""
    a, b = jake.user, jane.user
    await create_post(session, a, title="A", published_at=days_ago(4), tags=["Dragons", "x"])
    await create_post(session, b, title="B", published_at=days_ago(3), tags=["dragons"])
    await create_post(session, a, title="C", published_at=days_ago(2), tags=["life"])
    await create_post(session, b, title="D", published_at=days_ago(1))
    await create_post(session, a, title="Draft", status="draft", tags=["dragons"])
    await create_post(session, a, title="Old", status="archived", published_at=days_ago(9))


@pytest.mark.usefixtures("blog")
async def test_list_is_newest_first_without_bodies(api: httpx.AsyncClient) -> None:
    found = await listing(api)
    assert titles(found) == ["D", "C", "B", "A"]
    assert found["articlesCount"] == 4
    assert all("body" not in article for article in found["articles"])


@pytest.mark.usefixtures("blog")
async def test_list_filters(api: httpx.AsyncClient, session: AsyncSession, jane: Conduit) -> None:
    assert titles(await listing(api, "tag=dragons")) == ["B", "A"]
    assert titles(await listing(api, "tag=Dragons")) == ["B", "A"]  # a tag's name or slug
    assert titles(await listing(api, "author=JAKE")) == ["C", "A"]
    assert titles(await listing(api, "author=jake&tag=dragons")) == ["A"]
    for empty in ("tag=unknown", "tag=!!", "author=nobody", "favorited=nobody", "favorited=jane"):
        assert await listing(api, empty) == {"articles": [], "articlesCount": 0}, empty
    assert titles(await listing(api, "tag=&author=&favorited=")) == ["D", "C", "B", "A"]
    first = (await listing(api, "title=ignored"))["articles"][-1]
    assert first["title"] == "A"
    posts = (await api.get("/api/v1/posts?author=jake&sort=oldest")).json()["items"]
    post = await post_by_id(session, posts[0]["id"])
    await like(session, jane.user, post)
    liked = await listing(api, "favorited=jane")
    assert (titles(liked), liked["articlesCount"]) == (["A"], 1)
    assert liked["articles"][0]["favoritesCount"] == 1


async def post_by_id(session: AsyncSession, post_id: str) -> Any:
    from uuid import UUID  # noqa: PLC0415

    from inkwell.models.post import Post  # noqa: PLC0415

    return await session.get(Post, UUID(post_id))


@pytest.mark.usefixtures("blog")
async def test_limit_and_offset_page_and_the_count_stays_the_total(
    api: httpx.AsyncClient,
) -> None:
    page = await listing(api, "limit=2&offset=1")
    assert (titles(page), page["articlesCount"]) == (["C", "B"], 4)
    past_the_end = await listing(api, "limit=2&offset=10")
    assert (past_the_end["articles"], past_the_end["articlesCount"]) == ([], 4)
    assert titles(await listing(api, "limit=1&offset=3")) == ["A"]


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "offset=-1", "limit=x", "offset=1000001", "tag=a%00b"]
)
async def test_bad_paging_is_a_422(api: httpx.AsyncClient, query: str) -> None:
    response = await api.get(f"/api/articles?{query}")
    assert response.status_code == 422
    assert list(errors_of(response)) == [query.split("=", maxsplit=1)[0]]


@pytest.mark.usefixtures("blog")
async def test_articles_count_is_exact_past_the_v1_count_limit(
    api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(post_repository, "COUNT_LIMIT", 2)
    monkeypatch.setattr(post_service, "COUNT_LIMIT", 2)
    v1 = (await api.get("/api/v1/posts")).json()
    assert (v1["total"], v1["total_is_exact"]) == (2, False)
    assert (await listing(api, "limit=1"))["articlesCount"] == 4


async def test_feed_holds_followed_authors_newest_first(
    api: httpx.AsyncClient, session: AsyncSession, jake: Conduit, jane: Conduit
) -> None:
    await create_post(session, jane.user, title="Jane 1", published_at=days_ago(3))
    await create_post(session, jane.user, title="Jane 2", published_at=days_ago(1))
    await create_post(session, jake.user, title="Jake's own", published_at=days_ago(2))
    await create_post(session, jane.user, title="Jane's draft", status="draft")
    empty = await api.get("/api/articles/feed", headers=jake.headers)
    assert empty.json() == {"articles": [], "articlesCount": 0}
    await follow(session, jake.user, jane.user)
    found = (await api.get("/api/articles/feed", headers=jake.headers)).json()
    assert (titles(found), found["articlesCount"]) == (["Jane 2", "Jane 1"], 2)
    assert all("body" not in article for article in found["articles"])
    assert all(article["author"]["following"] for article in found["articles"])
    page = (await api.get("/api/articles/feed?limit=1&offset=1", headers=jake.headers)).json()
    assert (titles(page), page["articlesCount"]) == (["Jane 1"], 2)


async def test_feed_needs_a_token(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/articles/feed")
    assert response.status_code == 401
    assert errors_of(response) == {"token": ["is missing"]}


async def test_feed_refuses_bad_paging(api: httpx.AsyncClient, jake: Conduit) -> None:
    response = await api.get("/api/articles/feed?limit=0", headers=jake.headers)
    assert response.status_code == 422
    assert list(errors_of(response)) == ["limit"]


async def test_lists_run_the_same_statements_for_any_page_size(
    api: httpx.AsyncClient,
    session: AsyncSession,
    jake: Conduit,
    jane: Conduit,
    sql_statements: StatementCounter,
) -> None:
    await follow(session, jake.user, jane.user)

    async def statements(url: str) -> int:
        sql_statements.reset()
        response = await api.get(url, headers=jake.headers)
        assert response.status_code == 200
        return sql_statements.count

    counts: dict[str, list[int]] = {"list": [], "feed": [], "tagged": []}
    for size, more in ((1, 1), (12, 11)):
        for n in range(more):
            post = await create_post(session, jane.user, title=f"P{size}-{n}", tags=["t", "u"])
            await like(session, jake.user, post)
        counts["list"].append(await statements(f"/api/articles?limit={size}"))
        counts["feed"].append(await statements(f"/api/articles/feed?limit={size}"))
        counts["tagged"].append(await statements(f"/api/articles?tag=t&limit={size}"))
    for name, (small, large) in counts.items():
        assert small == large, (name, counts)
    # The token's check, then: the page with its count (list), page + count (feed).
    assert counts["list"][0] == 2
    assert counts["feed"][0] == 3
