"""What read replicas cost per request, in process (no network, no load generator).

    .venv/bin/python -m bench.replicas --primary postgresql://... --replica postgresql://...

The primary must be migrated and the replica a streaming standby of it. The script writes an
author and a post on the primary, then times, in alternating rounds, a post read (GET
/api/v1/posts/{slug}) and an edit (PATCH) through an app without replicas, an app with the
replica, and the read again presenting the edit's WAL position (already replayed). Medians of
each round's mean are printed in milliseconds per request, wall time and this process's CPU
time (the app and the client; the servers' work is not in it); on a shared machine compare
them with each other, not with other runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx

from inkwell.core.config import Settings
from inkwell.core.replicas import READ_AFTER_HEADER
from inkwell.core.state import AppState
from inkwell.main import create_app

ROUNDS, PER_ROUND = 7, 300


def _settings(primary: str, replicas: list[str]) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        env="test",
        database_url=primary,
        database_replica_urls=replicas,
        access_log=False,
        rate_limit_enabled=False,
    )


async def _mean_ms(call: Callable[[], Awaitable[httpx.Response]]) -> tuple[float, float]:
    """Milliseconds per request: wall time, and this process's CPU (client and app)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(PER_ROUND):
        (await call()).raise_for_status()
    return (
        (time.perf_counter() - wall) * 1000 / PER_ROUND,
        (time.process_time() - cpu) * 1000 / PER_ROUND,
    )


async def _author(client: httpx.AsyncClient) -> dict[str, str]:
    account = {"email": "bench-replicas@example.com", "username": "benchreplicas"}
    password = "a long bench passphrase"  # noqa: S105 (a bench account)
    await client.post("/api/v1/auth/register", json={**account, "password": password})
    login = {"login": account["username"], "password": password}
    tokens = (await client.post("/api/v1/auth/login", json=login)).json()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def measure(primary: str, replica: str) -> dict[str, tuple[float, float]]:
    plain = AppState.build(_settings(primary, []))
    replicated = AppState.build(_settings(primary, [replica]))
    # Reads with replicas on have a client of their own: it never keeps a write's cookie.
    clients = {
        name: httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(state.settings, state=state)),
            base_url="http://bench",
        )
        for name, state in (("off", plain), ("on", replicated), ("on-writes", replicated))
    }
    author = await _author(clients["off"])
    body = {"title": "Bench replicas", "content_raw": "Text.", "status": "published"}
    post = (await clients["off"].post("/api/v1/posts", json=body, headers=author)).json()
    path, edit = f"/api/v1/posts/{post['slug']}", f"/api/v1/posts/{post['id']}"
    edited = await clients["on-writes"].patch(edit, json={"title": "Bench"}, headers=author)
    position = edited.headers[READ_AFTER_HEADER]
    scenarios: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
        "read, replicas off": lambda: clients["off"].get(path),
        "read, from the replica": lambda: clients["on"].get(path),
        "read with a replayed position": lambda: clients["on"].get(
            path, headers={READ_AFTER_HEADER: position}
        ),
        "edit, replicas off": lambda: clients["off"].patch(
            edit, json={"title": "Bench"}, headers=author
        ),
        "edit, replicas on (+ WAL position)": lambda: clients["on-writes"].patch(
            edit, json={"title": "Bench"}, headers=author
        ),
    }
    for call in scenarios.values():  # warm up: pools, statement caches, plans
        for _ in range(50):
            await call()
    rounds: dict[str, list[tuple[float, float]]] = {name: [] for name in scenarios}
    for _ in range(ROUNDS):
        for name, call in scenarios.items():
            rounds[name].append(await _mean_ms(call))
    for client in clients.values():
        await client.aclose()
    await plain.close()
    await replicated.close()
    return {
        name: (
            statistics.median(wall for wall, _ in values),
            statistics.median(cpu for _, cpu in values),
        )
        for name, values in rounds.items()
    }


def main(argv: list[str] | None = None) -> dict[str, tuple[float, float]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--primary", required=True)
    parser.add_argument("--replica", required=True)
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.primary, args.replica))
    print(f"{'':40} {'wall ms':>9} {'CPU ms':>9}  per request (medians of rounds)")
    for name, (wall, cpu) in result.items():
        print(f"{name:40} {wall:9.3f} {cpu:9.3f}")
    return result


if __name__ == "__main__":
    main()
