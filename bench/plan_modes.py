"""Which plan caching makes each of the baseline's statements fastest (bench/baseline.py).

    .venv/bin/python -m bench.plan_modes [--database-url URL] [--runs 300]

For every statement the baseline runs, on the loaded data set, with the arguments its scenario
requests (bench/scenarios.py): one connection per `plan_cache_mode` (`auto`, PostgreSQL's
default, which keeps a generic plan once it costs no more than planning anew, and
`force_custom_plan`, which plans every run for its values), warmed up, then timed in
alternating rounds. Prints the best round's mean milliseconds per run (the round trip
included) and the faster mode. The baseline keeps PostgreSQL's default while it is the faster
(or as fast) for every statement (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable
from typing import Any

import asyncpg

from bench.baseline import (
    COMMENT_THREADS,
    POST_BY_SLUG,
    RW_ARTICLE,
    RW_ARTICLES,
    SEARCH,
    list_sql,
)
from bench.run import DEFAULT_URL
from bench.scenarios import Params, pick_params

MODES = ("auto", "force_custom_plan")
Arguments = Callable[[Params, int], tuple[Any, ...]]

# The baseline's statements, keyed by scenario, each with the n-th request's arguments.
STATEMENTS: dict[str, tuple[str, Arguments]] = {
    "post": (POST_BY_SLUG, lambda p, n: (p.slugs[n % len(p.slugs)],)),
    "list": (list_sql(tagged=False), lambda _p, _n: (20, 0)),
    "tag": (list_sql(tagged=True), lambda p, n: (20, 0, p.tags[n % len(p.tags)])),
    "search": (SEARCH, lambda p, n: (p.words[n % len(p.words)], 20, 0)),
    "comments": (
        COMMENT_THREADS,
        lambda p, n: (p.commented_slugs[n % len(p.commented_slugs)], 20, 0),
    ),
    "rw-articles": (RW_ARTICLES, lambda _p, _n: (20, 0)),
    "rw-article": (RW_ARTICLE, lambda p, n: (p.slugs[n % len(p.slugs)],)),
}


async def _connect(url: str, mode: str) -> asyncpg.Connection:
    connection: asyncpg.Connection = await asyncpg.connect(
        url, server_settings={"plan_cache_mode": mode, "timezone": "UTC"}
    )
    return connection


async def _timed(
    connection: asyncpg.Connection, sql: str, arguments: Arguments, params: Params, runs: int
) -> float:
    started = time.perf_counter()
    for n in range(runs):
        await connection.fetch(sql, *arguments(params, n))
    return (time.perf_counter() - started) / runs * 1000


async def measure(url: str, runs: int, rounds: int) -> dict[str, dict[str, float]]:
    params = await pick_params(url)
    connections = {mode: await _connect(url, mode) for mode in MODES}
    results: dict[str, dict[str, float]] = {}
    try:
        for key, (sql, arguments) in STATEMENTS.items():
            times: dict[str, list[float]] = {mode: [] for mode in MODES}
            for connection in connections.values():
                await _timed(connection, sql, arguments, params, 20)  # warm-up
            for _ in range(rounds):
                for mode, connection in connections.items():
                    times[mode].append(await _timed(connection, sql, arguments, params, runs))
            results[key] = {mode: min(values) for mode, values in times.items()}
    finally:
        for connection in connections.values():
            await connection.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=300, help="statements per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = asyncio.run(measure(args.database_url, args.runs, args.rounds))
    print("| statement | auto ms | force_custom_plan ms | faster |")
    print("|---|---:|---:|---|")
    for key, by_mode in results.items():
        faster = min(by_mode, key=lambda mode: by_mode[mode])
        cells = " | ".join(f"{by_mode[mode]:.3f}" for mode in MODES)
        print(f"| {key} | {cells} | {faster} |")


if __name__ == "__main__":
    main()
