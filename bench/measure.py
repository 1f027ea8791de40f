"""Time the hot post reads against a loaded database and print their plans, as Markdown.

    python -m bench.measure --database-url postgresql://postgres@127.0.0.1:5432/inkwell_bench

Each scenario is requested through the real app in-process (httpx + ASGITransport, one client,
sequential requests, after a warm-up), so the time includes routing, validation, the SQL and
serialisation. Then every SQL statement the request sent is run again under
EXPLAIN (ANALYZE, BUFFERS) with the same parameters.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import event, text

from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.main import create_app


@dataclass
class Scenario:
    name: str
    url: str


async def _pick(state: AppState) -> dict[str, str]:
    """Realistic parameters: a popular and a rare tag, a live slug, common and rarer words."""
    async with state.engine.connect() as connection:

        async def one(sql: str) -> str:
            return str((await connection.execute(text(sql))).scalar_one())

        return {
            "popular_tag": await one(
                "SELECT t.slug FROM tags t JOIN post_tags pt ON pt.tag_id = t.id "
                "GROUP BY t.slug ORDER BY count(*) DESC LIMIT 1"
            ),
            "rare_tag": await one(
                "SELECT t.slug FROM tags t JOIN post_tags pt ON pt.tag_id = t.id "
                "GROUP BY t.slug ORDER BY count(*) ASC, t.slug LIMIT 1"
            ),
            "slug": await one(
                "SELECT slug FROM posts WHERE status = 'published' AND deleted_at IS NULL "
                "ORDER BY id LIMIT 1 OFFSET 5000"
            ),
            "author": await one("SELECT username FROM users ORDER BY username LIMIT 1"),
            "word_100": await one(_WORD.format(low=80, high=120)),
            "word_1000": await one(_WORD.format(low=900, high=1100)),
            "word_5000": await one(_WORD.format(low=4500, high=5500)),
            "word_20000": await one(_WORD.format(low=18000, high=22000)),
        }


# A word (lexeme) found in about as many posts as asked; ts_stat reads every vector once.
_WORD = (
    "SELECT word FROM ts_stat('SELECT search_vector FROM posts') "
    "WHERE ndoc BETWEEN {low} AND {high} AND word ~ '^[a-z]+$' ORDER BY word LIMIT 1"
)


def scenarios(p: dict[str, str]) -> list[Scenario]:
    return [
        Scenario("GET /posts (newest, page 1)", "/api/v1/posts"),
        Scenario("GET /posts?page=50", "/api/v1/posts?page=50"),
        Scenario("GET /posts/{slug}", f"/api/v1/posts/{p['slug']}"),
        Scenario("GET /posts?tag=<popular>", f"/api/v1/posts?tag={p['popular_tag']}"),
        Scenario("GET /posts?tag=<rare>", f"/api/v1/posts?tag={p['rare_tag']}"),
        Scenario("GET /posts?author=<name>", f"/api/v1/posts?author={p['author']}"),
        Scenario(
            "GET /posts/search?q=<word in ~100 posts>", f"/api/v1/posts/search?q={p['word_100']}"
        ),
        Scenario(
            "GET /posts/search?q=<word in ~1000 posts>", f"/api/v1/posts/search?q={p['word_1000']}"
        ),
        Scenario(
            "GET /posts/search?q=<word in ~5000 posts>", f"/api/v1/posts/search?q={p['word_5000']}"
        ),
        Scenario(
            "GET /posts/search?q=<word in ~20000 posts>",
            f"/api/v1/posts/search?q={p['word_20000']}",
        ),
        Scenario("GET /posts/search?q=coffee (2,100 posts)", "/api/v1/posts/search?q=coffee"),
        Scenario("GET /posts/search?q=garden (6,400 posts)", "/api/v1/posts/search?q=garden"),
        Scenario(
            "GET /posts/search?q=postgres index (18,500 posts)",
            "/api/v1/posts/search?q=postgres%20index",
        ),
        Scenario("GET /posts?q=coffee&sort=relevance", "/api/v1/posts?q=coffee&sort=relevance"),
        Scenario(
            'GET /posts/search?q="music history" -wine',
            "/api/v1/posts/search?q=%22music%20history%22%20-wine",
        ),
    ]


async def _time(client: httpx.AsyncClient, url: str, runs: int) -> list[float]:
    for _ in range(10):
        (await client.get(url)).raise_for_status()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return times


async def _statements(state: AppState, client: httpx.AsyncClient, url: str) -> list[Any]:
    captured: list[tuple[str, Any]] = []

    def record(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    event.listen(state.engine.sync_engine, "before_cursor_execute", record)
    try:
        (await client.get(url)).raise_for_status()
    finally:
        event.remove(state.engine.sync_engine, "before_cursor_execute", record)
    plans = []
    async with state.engine.connect() as connection:
        for statement, parameters in captured:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            result = await connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
            )
            plans.append((statement, parameters, "\n".join(row[0] for row in result)))
    return plans


async def measure(url: str, runs: int, only: str) -> None:
    settings = Settings(
        _env_file=None,
        env="test",
        database_url=url,  # type: ignore[call-arg]
        access_log=False,
        db_pool_size=2,
    )
    state = AppState.build(settings)
    app = create_app(settings, state=state)
    transport = httpx.ASGITransport(app=app)
    params = await _pick(state)
    rows, details = [], []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for scenario in [s for s in scenarios(params) if only in s.name]:
            times = await _time(client, scenario.url, runs)
            mean, p95 = statistics.fmean(times), statistics.quantiles(times, n=20)[-1]
            rows.append(f"| {scenario.name} | {mean:.2f} | {p95:.2f} |")
            details.append((scenario, await _statements(state, client, scenario.url)))
    await state.close()
    print("| request | mean ms | p95 ms |\n|---|---:|---:|")
    print("\n".join(rows))
    for scenario, plans in details:
        print(f"\n### {scenario.name}\n\n`{scenario.url}`\n")
        for statement, parameters, plan in plans:
            print(f"```sql\n{statement.strip()}\n-- parameters: {parameters}\n```\n")
            print(f"```\n{plan}\n```\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    args = parser.parse_args()
    asyncio.run(measure(args.database_url, args.runs, args.only))


if __name__ == "__main__":
    main()
