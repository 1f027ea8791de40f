"""/sitemap.xml (an index past the per-file limit), its files, and /robots.txt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from tests.factories import create_post
from tests.posts.conftest import Account
from tests.syndication.conftest import PAGES, SITE

S = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def hours_ago(n: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=n)).isoformat()


def parse(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 - the app's own output


def urls(root: ET.Element) -> list[tuple[str, str]]:
    assert root.tag == S + "urlset"
    return [(u.findtext(S + "loc") or "", u.findtext(S + "lastmod") or "") for u in root]


async def test_the_sitemap_lists_each_listed_post_with_its_last_change(
    client: httpx.AsyncClient, session: AsyncSession, alice: Account, site_settings: Settings
) -> None:
    old = await create_post(session, alice.user, title="Old one", published_at=hours_ago(5))
    await create_post(session, alice.user, title="New one", published_at=hours_ago(1))
    await create_post(session, alice.user, title="Draft", status="draft")
    gone = await create_post(session, alice.user, title="Gone")
    await session.execute(
        text("UPDATE posts SET deleted_at = now() WHERE id = :id"), {"id": gone.id}
    )
    stamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    await session.execute(
        text("UPDATE posts SET updated_at = :at, published_at = :at WHERE id = :id"),
        {"at": stamp, "id": old.id},
    )
    found = urls(parse(await client.get("/sitemap.xml")))
    assert found[0][0] == f"{PAGES}/posts/new-one"
    assert found[1] == (f"{PAGES}/posts/old-one", "2026-01-02T03:04:05Z")
    assert len(found) == 2


async def test_past_the_limit_per_file_the_sitemap_is_an_index(
    client: httpx.AsyncClient,
    session: AsyncSession,
    alice: Account,
    site_settings: Settings,
    app_state: Any,
) -> None:
    app_state.settings = site_settings.model_copy(update={"sitemap_urls_per_file": 2})
    for n in range(5):
        await create_post(session, alice.user, title=f"P{n}", published_at=hours_ago(10 - n))
    index = parse(await client.get("/sitemap.xml"))
    assert index.tag == S + "sitemapindex"
    files = [s.findtext(S + "loc") for s in index]
    assert files == [f"{SITE}/sitemaps/{n}.xml" for n in (1, 2, 3)]
    seen = [
        loc for n in (1, 2, 3) for loc, _ in urls(parse(await client.get(f"/sitemaps/{n}.xml")))
    ]
    assert seen == [f"{PAGES}/posts/p{n}" for n in (4, 3, 2, 1, 0)]
    assert (await client.get("/sitemaps/4.xml")).status_code == 404
    assert (await client.get("/sitemaps/0.xml")).status_code == 422
    assert (await client.get("/sitemaps/x.xml")).status_code == 422


async def test_one_sitemap_file_while_under_the_limit(
    client: httpx.AsyncClient, site_settings: Settings
) -> None:
    assert urls(parse(await client.get("/sitemap.xml"))) == []
    assert urls(parse(await client.get("/sitemaps/1.xml"))) == []
    assert (await client.get("/sitemaps/2.xml")).status_code == 404


async def test_robots_points_at_the_sitemap_and_keeps_crawlers_off_the_api(
    client: httpx.AsyncClient, site_settings: Settings
) -> None:
    response = await client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert "Allow: /feeds/" in lines
    for path in ("/api/", "/docs", "/redoc", "/openapi.json", "/health/", "/metrics"):
        assert f"Disallow: {path}" in lines
