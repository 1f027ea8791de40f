"""What HTTP caching costs and saves: the ETag against rendering, and a 304 against a 200.

    .venv/bin/python -m bench.http_cache --database-url postgresql://... [--requests 150]

Against a database filled by bench.generate. First it times computing a list page's ETag
(posts/etags.py) against rendering the same page (PostList, as the route does), on a real
page of 20 posts. Then it sends the same read many times through Inkwell in-process (httpx
over ASGITransport, one request at a time, after a warm-up): once plain (200) and once with
`If-None-Match` naming the ETag (304), and prints ms per request and requests per second.
In-process numbers leave out the HTTP server and the network; they compare the two paths.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import timeit

import httpx

from bench.run import DEFAULT_URL
from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.main import create_app
from inkwell.posts.dependencies import make_post_service
from inkwell.posts.etags import page_etag
from inkwell.posts.schemas import PostList, PostListParams

READS = (
    "/api/v1/posts?page_size=20",
    "/api/v1/posts/search?q=postgres",
    "/api/v1/tags",
    "/api/articles?limit=20",
    "/api/tags",
)


def per_call_us(function: object, number: int = 300) -> float:
    """The fastest of seven runs, in microseconds per call."""
    return min(timeit.repeat(function, number=number, repeat=7)) / number * 1e6  # type: ignore[arg-type]


async def etag_against_render(state: AppState) -> tuple[float, float]:
    async with state.read_sessionmaker() as session:
        service = make_post_service(session, state.settings)
        page = await service.list_public(params=PostListParams(page_size=20))

    def render() -> bytes:
        model = PostList.from_page(page)
        return model.__pydantic_serializer__.to_json(model)

    return per_call_us(lambda: page_etag(page)), per_call_us(render)


Timing = tuple[float, float]  # wall-clock ms per request, this process's CPU ms per request


async def timed(client: httpx.AsyncClient, url: str, headers: dict[str, str], n: int) -> Timing:
    """Wall-clock and CPU milliseconds per request over `n` sequential requests (the CPU
    time is the app's and the client's, not the database server's)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        await client.get(url, headers=headers)
    return (time.perf_counter() - wall) / n * 1000, (time.process_time() - cpu) / n * 1000


async def one_read(client: httpx.AsyncClient, url: str, n: int) -> tuple[int, Timing, Timing]:
    """The body size of a 200, and the best of three runs of 200s and of 304s."""
    first = await client.get(url)
    first.raise_for_status()
    conditional = {"If-None-Match": first.headers["etag"]}
    if (await client.get(url, headers=conditional)).status_code != 304:
        raise SystemExit(f"{url} does not answer 304 to its own ETag")
    plain: list[Timing] = []
    revalidated: list[Timing] = []
    for _ in range(3):  # alternate, so drift on a shared machine hits both alike
        plain.append(await timed(client, url, {}, n))
        revalidated.append(await timed(client, url, conditional, n))
    return len(first.content), min(plain), min(revalidated)


def describe(status: int, timing: Timing) -> str:
    wall, cpu = timing
    return f"{status} {wall:.2f} ms ({1000 / wall:,.0f}/s, {cpu:.2f} ms CPU)"


async def measure(url: str, n: int) -> None:
    settings = Settings(_env_file=None, env="test", database_url=url, access_log=False)  # type: ignore[call-arg]
    state = AppState.build(settings)
    etag_us, render_us = await etag_against_render(state)
    print(f"20-post page: ETag {etag_us:.1f} us, rendering {render_us:.1f} us")
    transport = httpx.ASGITransport(app=create_app(settings, state=state))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for path in READS:
            await timed(client, path, {}, 20)  # warm-up
            size, ok, not_modified = await one_read(client, path, n)
            print(f"{path} ({size:,} bytes): {describe(200, ok)}, {describe(304, not_modified)}")
    await state.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=150)
    args = parser.parse_args()
    asyncio.run(measure(args.database_url, args.requests))


if __name__ == "__main__":
    main()
