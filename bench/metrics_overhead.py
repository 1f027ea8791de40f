"""What the request metrics cost per request, in-process.

    .venv/bin/python -m bench.metrics_overhead [--requests 20000] [--rounds 5]

Drives an ASGI app directly (no HTTP client, server or network): a minimal endpoint that
answers 200 at once, bare and wrapped in MetricsMiddleware, alternating rounds, best round of
each; the difference is the middleware's cost per request (its timer, the status capture, a
counter and a histogram). Run it twice: as is (values in memory, one worker) and with
PROMETHEUS_MULTIPROC_DIR set to an empty directory (values in shared files, several workers).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from starlette.types import Message, Receive, Scope, Send

from inkwell.metrics.middleware import MetricsMiddleware


class Route:
    path = "/api/v1/posts/{id_or_slug}"


SCOPE = {"type": "http", "method": "GET", "path": "/api/v1/posts/x", "route": Route()}
START = {"type": "http.response.start", "status": 200, "headers": []}
BODY = {"type": "http.response.body", "body": b"{}"}


async def endpoint(_scope: Scope, _receive: Receive, send: Send) -> None:
    await send(START)
    await send(BODY)


async def receive() -> Message:
    return {"type": "http.request", "body": b""}


async def send(_message: Message) -> None:
    return None


async def per_request(app: object, requests: int) -> float:
    """Seconds per request over `requests` calls of `app`."""
    call = app.__call__  # type: ignore[operator]
    started = time.perf_counter()
    for _ in range(requests):
        await call(dict(SCOPE), receive, send)
    return (time.perf_counter() - started) / requests


async def main(requests: int, rounds: int) -> None:
    wrapped = MetricsMiddleware(endpoint, templates={})
    bare: list[float] = []
    metered: list[float] = []
    for _ in range(rounds):
        bare.append(await per_request(endpoint, requests))
        metered.append(await per_request(wrapped, requests))
    mode = "multiprocess files" if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else "in memory"
    cost = (min(metered) - min(bare)) * 1e6
    print(f"values {mode}: bare {min(bare) * 1e6:.2f} us, with metrics {min(metered) * 1e6:.2f} us")
    print(f"the middleware's cost: {cost:.2f} us per request")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    asyncio.run(main(options.requests, options.rounds))
