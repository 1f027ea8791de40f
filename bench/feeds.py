"""Feeds against plain JSON reads, in-process: what a feed costs, and a revalidated (304) one.

    .venv/bin/python -m bench.feeds --database-url postgresql://... [--requests 150]

Against a database filled by bench.generate. Each read is sent many times through Inkwell
in-process (httpx over ASGITransport, one request at a time, after a warm-up), three
alternating runs, best of each: the feeds of the whole site (20 posts, full content) plain
(200) and revalidated with the ETag they answered (304, what a feed reader or a CDN that
holds the feed sends), against the JSON reads of the API: one post, and a page of 20. Prints
wall-clock ms per request (requests per second) and this process's CPU ms per request (app
and client, not PostgreSQL). In-process numbers leave out the HTTP server and the network.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx

from bench.run import DEFAULT_URL
from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.main import create_app

FEEDS = ("/feeds/atom.xml", "/feeds/rss.xml", "/feeds/feed.json", "/feeds/atom.xml?content=excerpt")
Timing = tuple[float, float]  # wall-clock ms per request, this process's CPU ms per request


async def timed(client: httpx.AsyncClient, url: str, headers: dict[str, str], n: int) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        response = await client.get(url, headers=headers)
        if response.status_code not in (200, 304):
            raise SystemExit(f"{url}: {response.status_code}")
    return (time.perf_counter() - wall) / n * 1000, (time.process_time() - cpu) / n * 1000


def describe(timing: Timing) -> str:
    wall, cpu = timing
    return f"{wall:.2f} ms ({1000 / wall:,.0f}/s, {cpu:.2f} ms CPU)"


async def best(client: httpx.AsyncClient, url: str, headers: dict[str, str], n: int) -> Timing:
    return min([await timed(client, url, headers, n) for _ in range(3)])


async def measure(url: str, n: int) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, env="test", database_url=url, access_log=False, site_url="https://bench"
    )
    state = AppState.build(settings)
    transport = httpx.ASGITransport(app=create_app(settings, state=state))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        page = (await client.get("/api/v1/posts?page_size=1")).json()
        reads = (f"/api/v1/posts/{page['items'][0]['slug']}", "/api/v1/posts?page_size=20")
        for path in (*reads, *FEEDS):
            await timed(client, path, {}, 20)  # warm-up
            first = await client.get(path)
            revalidate = {"If-None-Match": first.headers["etag"]}
            print(f"{path} ({len(first.content):,} bytes)")
            print(f"  200: {describe(await best(client, path, {}, n))}")
            print(f"  304: {describe(await best(client, path, revalidate, n))}")
    await state.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=150)
    args = parser.parse_args()
    asyncio.run(measure(args.database_url, args.requests))


if __name__ == "__main__":
    main()
