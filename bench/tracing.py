"""What tracing costs a read: `inkwell serve` (one worker) with and without
OTEL_EXPORTER_OTLP_ENDPOINT, in alternating rounds, under wrk on one post read.

The spans go to an OTLP/HTTP receiver this script runs in a process of its own (it answers
and drops them). Needs a database migrated and seeded (`inkwell migrate upgrade`, `inkwell
seed-demo`) and wrk:

    .venv/bin/python -m bench.tracing --database-url postgresql://.../inkwell_bench
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.loadgen import wrk_binary
from bench.servers import ServerConfig, cpu_delta, running, start_inkwell


class Drop(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def receive_forever(port: int) -> None:
    ThreadingHTTPServer(("127.0.0.1", port), Drop).serve_forever()


async def a_slug(database_url: str) -> str:
    url = database_url.replace("postgresql://", "postgresql+asyncpg://", 1)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            query = "SELECT slug FROM posts WHERE status = 'published' LIMIT 1"
            return str(await connection.scalar(text(query)))
    finally:
        await engine.dispose()


def wrk(url: str, seconds: int) -> float:
    done = subprocess.run(  # noqa: S603 - our own arguments
        [wrk_binary(), "-t1", "-c8", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if found is None:
        raise RuntimeError("wrk printed no rate:\n" + done.stdout)
    return float(found[1])


def one_round(config: ServerConfig, path: str, seconds: int, env: dict[str, str]) -> str:
    with running([start_inkwell(config, config.port_base, **env)]) as (server,):
        wrk(server.url + path, 2)  # warm up
        before = server.cpu_seconds()
        rps = wrk(server.url + path, seconds)
        cpu_ms = cpu_delta(before, server.cpu_seconds()) * 1000 / (rps * seconds)
    return f"{rps:8.1f} req/s  {cpu_ms:.3f} ms app CPU per request"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--port-base", type=int, default=8300)
    args = parser.parse_args()
    receiver_port = args.port_base + 1
    receiver = subprocess.Popen(  # noqa: S603 - this script
        [
            sys.executable,
            "-c",
            f"from bench.tracing import receive_forever; receive_forever({receiver_port})",
        ]
    )
    config = ServerConfig(database_url=args.database_url, workers=1, port_base=args.port_base)
    path = "/api/v1/posts/" + asyncio.run(a_slug(args.database_url))
    traced = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver_port}"}
    try:
        for number in range(1, args.rounds + 1):
            print(f"round {number} off: {one_round(config, path, args.seconds, {})}", flush=True)
            print(
                f"round {number} on:  {one_round(config, path, args.seconds, traced)}", flush=True
            )
    finally:
        receiver.terminate()
        receiver.wait()


if __name__ == "__main__":
    main()
