"""Issue 18's benchmark: live updates to 1,000 WebSocket clients across two app processes.

    .venv/bin/python -m bench.live --bus postgres
    .venv/bin/python -m bench.live --bus redis --redis-url redis://127.0.0.1:6379/0

Runs on a database of its own (`inkwell_bench_live`, made afresh each run). Two `inkwell serve`
processes (one worker each, production settings) share the live messages through the bus;
`--clients` WebSocket clients, half on each process, watch one post; a writer posts a comment
through the first process every `--interval` seconds for `--seconds`. It measures:

1. **Delivery**: for each comment and each client, its arrival minus the moment the comment's
   POST returned (the commit is done by then); p50, p99 and the largest, and how many of the
   expected deliveries arrived.
2. **Memory per connection**: the resident memory of both app processes with every client
   connected and subscribed, minus their memory before, divided by the clients.

Prints a Markdown summary and writes it as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.servers import Server, ServerConfig, running, start_inkwell
from inkwell.core import migrations

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "inkwell_bench_live"
RESULTS = Path("bench/results")
PASSWORD = "bench-live-Passw0rd!"  # noqa: S105 - a throwaway account on a throwaway database
PROTOCOL = "inkwell.live.v1"


@dataclass
class Deliveries:
    """When each client received each comment (time.perf_counter())."""

    arrived: dict[str, list[float]] = field(default_factory=dict)
    connected: int = 0

    def note(self, comment_id: str) -> None:
        self.arrived.setdefault(comment_id, []).append(time.perf_counter())


async def _recreate(server_url: str) -> str:
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await connection.close()
    return server_url.rsplit("/", 1)[0] + "/" + DATABASE


def _rss_bytes(server: Server) -> int:
    total = 0
    for pid in server.pids():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


async def _author(http: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    """An account and a published post; the account's headers and the post's id."""
    account = {"email": "ada@example.com", "username": "ada", "password": PASSWORD}
    (await http.post("/api/v1/auth/register", json=account)).raise_for_status()
    login = await http.post("/api/v1/auth/login", json={"login": "ada", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.raise_for_status().json()['access_token']}"}
    post = {"title": "Watched", "content_raw": "Comments arrive live.", "status": "published"}
    created = await http.post("/api/v1/posts", json=post, headers=headers)
    return headers, str(created.raise_for_status().json()["id"])


async def _watch(url: str, channel: str, deliveries: Deliveries, ready: asyncio.Event) -> None:
    async with connect(url, subprotocols=[PROTOCOL], open_timeout=120) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "subscribe", "channel": channel}))
        await _until_subscribed(ws)
        deliveries.connected += 1
        ready.set()
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "comment.created":
                deliveries.note(message["data"]["comment"]["id"])


async def _until_subscribed(ws: ClientConnection) -> None:
    while json.loads(await ws.recv())["type"] != "subscribed":
        pass


async def _write(
    http: httpx.AsyncClient, post_id: str, headers: dict[str, str], args: argparse.Namespace
) -> dict[str, float]:
    """Post a comment every interval; when each POST returned."""
    returned: dict[str, float] = {}
    for n in range(int(args.seconds / args.interval)):
        started = time.perf_counter()
        response = await http.post(
            f"/api/v1/posts/{post_id}/comments", json={"content": f"Comment {n}"}, headers=headers
        )
        returned[response.raise_for_status().json()["id"]] = time.perf_counter()
        await asyncio.sleep(max(0.0, args.interval - (time.perf_counter() - started)))
    await asyncio.sleep(args.settle)
    return returned


def _summary(returned: dict[str, float], deliveries: Deliveries, clients: int) -> dict[str, Any]:
    latencies = sorted(
        (arrival - returned[comment]) * 1000
        for comment, arrivals in deliveries.arrived.items()
        if comment in returned
        for arrival in arrivals
    )
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "expected": len(returned) * clients,
        "delivered": len(latencies),
        "p50_ms": round(cuts[49], 1),
        "p99_ms": round(cuts[98], 1),
        "max_ms": round(latencies[-1], 1),
    }


async def measure(args: argparse.Namespace, servers: list[Server]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=servers[0].url, timeout=30) as http:
        headers, post_id = await _author(http)
        before = sum(_rss_bytes(server) for server in servers)
        deliveries = Deliveries()
        watchers = []
        for n in range(args.clients):
            ready = asyncio.Event()
            url = servers[n % len(servers)].url.replace("http://", "ws://") + "/api/v1/live"
            watchers.append(asyncio.create_task(_watch(url, f"post:{post_id}", deliveries, ready)))
            await ready.wait()
        await asyncio.sleep(2)
        after = sum(_rss_bytes(server) for server in servers)
        returned = await _write(http, post_id, headers, args)
    for watcher in watchers:
        watcher.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)
    summary = _summary(returned, deliveries, args.clients)
    summary.update(
        bus=args.bus,
        clients=args.clients,
        comments=len(returned),
        rss_before_mb=round(before / 2**20, 1),
        rss_after_mb=round(after / 2**20, 1),
        kb_per_connection=round((after - before) / args.clients / 1024, 1),
    )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server-url", default=DEFAULT_SERVER)
    parser.add_argument("--bus", choices=["postgres", "redis"], default="postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--settle", type=float, default=5.0, help="wait after the last comment")
    parser.add_argument("--port-base", type=int, default=8300)
    args = parser.parse_args()
    url = asyncio.run(_recreate(args.server_url))
    migrations.upgrade(url)
    config = ServerConfig(database_url=url, workers=1, port_base=args.port_base)
    env = {"INKWELL_REDIS_URL": args.redis_url} if args.bus == "redis" else {}
    with running([]) as servers:
        servers.extend(start_inkwell(config, args.port_base + n, **env) for n in range(2))
        summary = asyncio.run(measure(args, servers))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"live-{args.bus}.json").write_text(json.dumps(summary, indent=2))
    print("| " + " | ".join(summary) + " |")
    print("|" + "---|" * len(summary))
    print("| " + " | ".join(str(value) for value in summary.values()) + " |")


if __name__ == "__main__":
    main()
