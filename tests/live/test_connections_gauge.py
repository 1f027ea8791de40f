"""The live connections gauge of /metrics follows the WebSockets and event streams a server
holds (several processes: tests/metrics/test_multiprocess.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from tests.live.conftest import World
from tests.live.support import WAIT_SECONDS, open_socket, subscribe
from tests.metrics.test_metrics import BEARER, TOKEN, value

Serve = Callable[..., str]
GAUGE = "inkwell_live_connections"
POLL_SECONDS = 0.05


async def gauge_reaches(http: httpx.AsyncClient, websockets: int, streams: int) -> None:
    """Scrape until the gauge shows these numbers (a server counts a socket once it has
    accepted it, and uncounts it once its handler has ended)."""
    wanted = {"websocket": float(websockets), "sse": float(streams)}

    async def seen() -> dict[str, float]:
        body = (await http.get("/metrics", headers=BEARER)).text
        return {transport: value(body, GAUGE, transport=transport) for transport in wanted}

    for _ in range(int(WAIT_SECONDS / POLL_SECONDS)):
        if await seen() == wanted:
            return
        await asyncio.sleep(POLL_SECONDS)
    raise AssertionError(f"{GAUGE}: {await seen()}, not {wanted}")


async def test_the_gauge_counts_open_websockets_and_streams(serve: Serve, world: World) -> None:
    base = serve(metrics_token=TOKEN)
    async with httpx.AsyncClient(base_url=base, timeout=WAIT_SECONDS) as http:
        body = (await http.get("/metrics", headers=BEARER)).text
        assert f'{GAUGE}{{transport="websocket"}} 0.0' in body  # both series from the start
        assert f'{GAUGE}{{transport="sse"}} 0.0' in body
        async with open_socket(base) as first, open_socket(base) as second:
            await subscribe(first, world.channel)
            await subscribe(second, world.channel)
            params = {"channels": world.channel}
            async with http.stream("GET", "/api/v1/live/sse", params=params) as stream:
                assert stream.status_code == 200
                await gauge_reaches(http, websockets=2, streams=1)
            await gauge_reaches(http, websockets=2, streams=0)
        await gauge_reaches(http, websockets=0, streams=0)
