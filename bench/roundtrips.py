"""Every statement one request sends to PostgreSQL, BEGIN, COMMIT and pings included.

    .venv/bin/python -m bench.roundtrips --database-url postgresql://...

Runs one request per measured scenario through Inkwell in-process (after a warm-up) with an
asyncpg query logger on every pooled connection, and lists what reached the server.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import httpx
from sqlalchemy import event

from bench.run import DEFAULT_URL
from bench.scenarios import SCENARIOS, pick_params
from inkwell.core.config import Settings
from inkwell.core.state import AppState
from inkwell.main import create_app


async def roundtrips(url: str) -> dict[str, list[str]]:
    settings = Settings(_env_file=None, env="test", database_url=url, access_log=False)  # type: ignore[call-arg]
    state = AppState.build(settings)
    sent: list[str] = []

    def log(record: Any) -> None:
        sent.append(" ".join(str(record.query).split())[:110])

    def attach(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(log)

    def statement(_c: Any, _cur: Any, sql: str, *_: Any) -> None:
        sent.append(" ".join(sql.split())[:110])

    # The query logger sees simple queries (BEGIN, pings, COMMIT); the event sees the rest.
    event.listen(state.engine.sync_engine, "connect", attach)
    event.listen(state.engine.sync_engine, "before_cursor_execute", statement)
    params = await pick_params(url)
    found: dict[str, list[str]] = {}
    transport = httpx.ASGITransport(app=create_app(settings, state=state))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for scenario in SCENARIOS:
            if scenario.authenticated:  # needs a signed-in user: see bench.run for the feed
                continue
            path = scenario.paths(params)[0]
            for _ in range(3):
                (await client.get(path)).raise_for_status()
            sent.clear()
            (await client.get(path)).raise_for_status()
            found[scenario.name] = list(sent)
    await state.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    for name, statements in asyncio.run(roundtrips(args.database_url)).items():
        print(f"{name}: {len(statements)} round trips")
        for statement in statements:
            print(f"  {statement}")


if __name__ == "__main__":
    main()
