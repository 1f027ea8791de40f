"""Issue 15's benchmark: the outbox, the relay and a Kafka-compatible broker.

    make bench-events
    .venv/bin/python -m bench.events --help

Runs on a database of its own (`inkwell_bench_events`, made afresh each run) and a tansu
broker started for the run (tests/kafka.py), and measures:

1. **Relay throughput**: `--events` events committed in the outbox while no relay runs; then
   `inkwell relay` starts (a process, as in production) and a consumer reads them all. The rate
   is counted from the first message the consumer receives to the last (the relay's start-up is
   reported apart).
2. **Commit-to-consumer latency**: with the relay running, a writer commits one event per
   transaction at `--rate` a second for `--seconds`; the consumer notes when each arrives.
   The latency of an event is its arrival minus the moment its commit returned.
3. **The outbox's cost on writes**: Inkwell as built against the same build with the outbox
   write replaced by a no-op (bench/no_outbox.py), interleaved rounds of wrk driving
   `POST /api/v1/posts` and `POST /api/v1/posts/{slug}/comments` (production settings,
   2 workers each, no relay running: the relay is a process of its own in production).

Prints a Markdown summary and writes everything as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from bench.loadgen import Load, WrkResult, parse_wrk, wrk_binary
from bench.servers import (
    BIN,
    Server,
    ServerConfig,
    _spawn,
    cpu_delta,
    cpu_seconds,
    inkwell_env,
    postgres_backends,
    running,
    start_inkwell,
    stop,
)
from inkwell.core import migrations
from inkwell.core.config import Settings
from inkwell.core.db import create_engine, create_sessionmaker
from inkwell.events.catalogue import PostLiked
from inkwell.events.outbox import Outbox
from tests.kafka import running_broker

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "inkwell_bench_events"
RESULTS = Path("bench/results")
TOPIC = "inkwell.engagement"
PARTITIONS = 3
KEYS = 64  # posts the generated likes are spread over: the relay keeps each key's order
PASSWORD = "bench-events-Passw0rd!"  # noqa: S105 - a throwaway account on a throwaway database


# -- the database and the consumer ---------------------------------------------------------


def _with_database(server_url: str, name: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/" + name


async def _recreate(server_url: str) -> str:
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await connection.close()
    return _with_database(server_url, DATABASE)


@dataclass
class Arrivals:
    """Every event the consumer received: its id and when (time.time())."""

    at: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    assigned: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)

    def count(self) -> int:
        with self.lock:
            return len(self.at)

    def wait_for(self, ids: list[str], timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                if all(i in self.at for i in ids):
                    return
            time.sleep(0.05)
        with self.lock:
            missing = sum(1 for i in ids if i not in self.at)
        raise TimeoutError(f"{missing} of {len(ids)} events did not arrive in {timeout_s:g}s")


def _create_topic(bootstrap: str) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})  # kept until the futures are done
    futures = admin.create_topics(
        [NewTopic(TOPIC, num_partitions=PARTITIONS, replication_factor=1)]
    )
    for future in futures.values():
        future.result(timeout=15)


def _consume(bootstrap: str, arrivals: Arrivals) -> None:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"bench-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 6000,  # librdkafka joins a tansu group slowly otherwise
            "fetch.wait.max.ms": 5,
        }
    )
    consumer.subscribe([TOPIC], on_assign=lambda _c, _p: arrivals.assigned.set())
    try:
        while not arrivals.stop.is_set():
            message = consumer.poll(0.1)
            if message is None or message.error():
                continue
            now = time.time()
            event_id = json.loads(message.value() or b"{}").get("id")
            with arrivals.lock:
                arrivals.at.setdefault(event_id, now)
    finally:
        consumer.close()


# -- writing events --------------------------------------------------------------------------


class Writer:
    """Commits PostLiked events through the app's own Outbox, as a service would."""

    def __init__(self, settings: Settings) -> None:
        self.engine = create_engine(settings)
        self.sessions = create_sessionmaker(self.engine)
        self.settings = settings
        self.posts = [uuid.uuid4() for _ in range(KEYS)]
        self.n = 0

    def _like(self) -> PostLiked:
        self.n += 1
        return PostLiked(
            post_id=self.posts[self.n % KEYS], user_id=uuid.uuid4(), likes_count=self.n
        )

    async def commit(self, events: int) -> tuple[list[str], float]:
        """One transaction of `events` events; their ids and when the commit returned."""
        async with self.sessions() as session:
            recorded = await Outbox(session, self.settings).record(
                *(self._like() for _ in range(events))
            )
            await session.commit()
        return [str(e.id) for e in recorded], time.time()

    async def close(self) -> None:
        await self.engine.dispose()


async def _fill(writer: Writer, events: int, per_transaction: int = 100) -> list[str]:
    ids: list[str] = []
    while len(ids) < events:
        batch, _ = await writer.commit(min(per_transaction, events - len(ids)))
        ids.extend(batch)
    return ids


async def _steady(writer: Writer, rate: float, seconds: float) -> dict[str, float]:
    """One event per transaction at `rate` a second; each id with its commit time."""
    committed: dict[str, float] = {}
    start = time.monotonic()
    total = int(rate * seconds)
    for n in range(total):
        await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        ids, at = await writer.commit(1)
        committed[ids[0]] = at
    return committed


# -- 1 and 2: the relay ----------------------------------------------------------------------


def _start_relay(url: str, bootstrap: str, log_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "INKWELL_ENV": "production",
        "INKWELL_DATABASE_URL": url,
        "INKWELL_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "INKWELL_JWT_SECRET": "x" * 48,
        "INKWELL_TRUSTED_HOSTS": "127.0.0.1",
        "INKWELL_LOG_LEVEL": "WARNING",
    }
    log_dir.mkdir(parents=True, exist_ok=True)
    log = (log_dir / "relay.log").open("ab")
    return subprocess.Popen(  # noqa: S603 - our own command line
        [str(BIN / "inkwell"), "relay"], env=env, stdout=log, stderr=subprocess.STDOUT
    )


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure_relay(
    url: str, bootstrap: str, args: argparse.Namespace, arrivals: Arrivals
) -> dict[str, Any]:
    settings = Settings(database_url=url)
    writer = Writer(settings)
    try:
        ids = await _fill(writer, args.events)
        started = time.time()
        relay = _start_relay(url, bootstrap, args.log_dir)
        try:
            arrivals.wait_for(ids, timeout_s=300)
            throughput = _throughput(ids, arrivals, started)
            committed = await _steady(writer, args.rate, args.seconds)
            arrivals.wait_for(list(committed), timeout_s=60)
        finally:
            relay.terminate()
            relay.wait(timeout=15)
    finally:
        await writer.close()
    with arrivals.lock:
        latencies = [(arrivals.at[i] - at) * 1000 for i, at in committed.items()]
    return {
        "throughput": throughput,
        "latency": {
            "rate_per_s": args.rate,
            "events": len(latencies),
            "p50_ms": round(_percentile(latencies, 0.50), 2),
            "p99_ms": round(_percentile(latencies, 0.99), 2),
            "max_ms": round(max(latencies), 2),
            "mean_ms": round(statistics.fmean(latencies), 2),
        },
    }


def _throughput(ids: list[str], arrivals: Arrivals, started: float) -> dict[str, Any]:
    with arrivals.lock:
        times = sorted(arrivals.at[i] for i in ids)
    first, last = times[0], times[-1]
    return {
        "events": len(ids),
        "relay_start_to_first_s": round(first - started, 3),
        "first_to_last_s": round(last - first, 3),
        "events_per_s": round((len(ids) - 1) / (last - first), 1),
    }


# -- 3: the outbox's cost on writes ----------------------------------------------------------

WRITE_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  token, kind, prefix = args[1], args[2], args[3] .. "-" .. tostring(math.random(1000000000))
  slugs = {}
  for slug in string.gmatch(args[4] or "", "[^,]+") do table.insert(slugs, slug) end
  statuses, retry_after, n = {}, 0, 0
end

function request()
  n = n + 1
  local headers = {["Content-Type"] = "application/json", Authorization = "Bearer " .. token}
  if kind == "post" then
    local body = string.format(
      '{"title": "Bench %s %d", "content_raw": "A *benchmark* post, number %d.\\n\\n' ..
      'Two paragraphs of Markdown.", "status": "published", "tags": ["bench", "events"]}',
      prefix, n, n)
    return wrk.format("POST", "/api/v1/posts", headers, body)
  end
  local slug = slugs[n % #slugs + 1]
  local body = string.format('{"content": "Comment %s %d, with **Markdown**."}', prefix, n)
  return wrk.format("POST", "/api/v1/posts/" .. slug .. "/comments", headers, body)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, c in pairs(thread:get("statuses")) do counts[status] = (counts[status] or 0) + c end
  end
  local parts = {}
  for status, c in pairs(counts) do table.insert(parts, string.format('"%s": %d', status, c)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "statuses": {%s}, "retry_after": 0, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


def _start_without_outbox(config: ServerConfig, port: int) -> Server:
    command = [
        str(BIN / "uvicorn"),
        *("--factory", "bench.no_outbox:app_factory"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(config.workers)),
        *("--no-access-log", "--no-server-header", "--log-level", "warning"),
        *("--timeout-worker-healthcheck", "60"),  # as `inkwell serve` sets it
    ]
    return _spawn("inkwell-no-outbox", command, inkwell_env(config), config)


def _sign_up(base_url: str) -> tuple[str, list[str]]:
    """A writer's access token and a few published posts to comment on."""
    name = f"bench{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=base_url, timeout=30) as client:
        account = {"email": f"{name}@bench.example.com", "username": name, "password": PASSWORD}
        client.post("/api/v1/auth/register", json=account).raise_for_status()
        answer = client.post("/api/v1/auth/login", json={"login": name, "password": PASSWORD})
        token = str(answer.raise_for_status().json()["access_token"])
        slugs = []
        for n in range(32):
            post = {"title": f"Commented {name} {n}", "content_raw": "x", "status": "published"}
            created = client.post("/api/v1/posts", json=post, headers=_bearer(token))
            slugs.append(str(created.raise_for_status().json()["slug"]))
    return token, slugs


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _drive(server: Server, kind: str, token: str, slugs: list[str], load: Load) -> dict[str, Any]:
    """One round: wrk's figures and the CPU the server and the database spent per request
    (CPU time is steadier than req/s on a machine that is doing other work)."""
    app_before = server.cpu_seconds()
    db_before = {pid: cpu_seconds(pid) for pid in postgres_backends(DATABASE)}
    result = _wrk(server, kind, token, slugs, load)
    app = cpu_delta(app_before, server.cpu_seconds())
    db = cpu_delta(db_before, {pid: cpu_seconds(pid) for pid in postgres_backends(DATABASE)})
    requests = max(result.requests, 1)
    return {
        **result.as_dict(),
        "app_cpu_ms_per_req": round(app * 1000 / requests, 3),
        "db_cpu_ms_per_req": round(db * 1000 / requests, 3),
    }


def _wrk(server: Server, kind: str, token: str, slugs: list[str], load: Load) -> WrkResult:
    script = RESULTS / "events-write.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(WRITE_LUA)
    command = [
        wrk_binary(),
        *(f"-t{load.threads}", f"-c{load.connections}", f"-d{load.seconds:g}s"),
        *(f"--timeout={load.timeout_s:g}s", "-s", str(script), server.url),
        *("--", token, kind, server.name, ",".join(slugs)),
    ]
    done = subprocess.run(  # noqa: S603 - our own arguments
        command, capture_output=True, text=True, check=True, timeout=load.seconds + 60
    )
    return parse_wrk(done.stdout)


def measure_writes(url: str, args: argparse.Namespace) -> dict[str, Any]:
    config = ServerConfig(database_url=url, log_dir=args.log_dir, port_base=args.port_base)
    load = Load(connections=args.connections, seconds=args.write_seconds)
    with_outbox = start_inkwell(config, config.port_base)
    try:
        without = _start_without_outbox(config, config.port_base + 1)
    except BaseException:
        stop(with_outbox)
        raise
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    with running([with_outbox, without]):
        token, slugs = _sign_up(with_outbox.url)
        for kind in ("post", "comment"):
            rounds: dict[str, list[dict[str, Any]]] = {"outbox": [], "no-outbox": []}
            for _ in range(args.rounds):
                for name, server in (("outbox", with_outbox), ("no-outbox", without)):
                    rounds[name].append(_drive(server, kind, token, slugs, load))
            results[kind] = rounds
    return {kind: _compare(rounds) for kind, rounds in results.items()}


def _compare(rounds: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    def median(name: str, key: str) -> float:
        return float(statistics.median(r[key] for r in rounds[name]))

    errors = sum(r["errors"] for runs in rounds.values() for r in runs)
    figures = ("rps", "p50_ms", "p99_ms", "app_cpu_ms_per_req", "db_cpu_ms_per_req")
    summary = {name: {key: median(name, key) for key in figures} for name in rounds}
    cpu = {name: s["app_cpu_ms_per_req"] + s["db_cpu_ms_per_req"] for name, s in summary.items()}
    return {
        "summary": summary,
        "ratio": round(summary["outbox"]["rps"] / summary["no-outbox"]["rps"], 3),
        "cpu_ratio": round(cpu["outbox"] / cpu["no-outbox"], 3) if cpu["no-outbox"] else None,
        "errors": errors,
        "rounds": rounds,
    }


# -- the run ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--server-url",
        default=os.environ.get("BENCH_SERVER_URL", DEFAULT_SERVER),
        help="a PostgreSQL maintenance database; the run makes its own beside it",
    )
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=200.0, help="events a second, latency run")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the latency run")
    parser.add_argument("--rounds", type=int, default=3, help="write rounds per server")
    parser.add_argument("--write-seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port-base", type=int, default=8110)
    parser.add_argument("--log-dir", type=Path, default=RESULTS)
    parser.add_argument("--skip-writes", action="store_true", help="only the relay's figures")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url = asyncio.run(_recreate(args.server_url))
    migrations.upgrade(url)
    report: dict[str, Any] = {"machine": _machine(), "args": _plain(vars(args))}
    with running_broker() as bootstrap:
        _create_topic(bootstrap)
        arrivals = Arrivals()
        consumer = threading.Thread(target=_consume, args=(bootstrap, arrivals), daemon=True)
        consumer.start()
        if not arrivals.assigned.wait(30):
            raise RuntimeError("the consumer was not given the topic's partitions")
        try:
            report["relay"] = asyncio.run(measure_relay(url, bootstrap, args, arrivals))
        finally:
            arrivals.stop.set()
            consumer.join(timeout=10)
    if not args.skip_writes:
        report["writes"] = measure_writes(url, args)
    _write(report)
    print(markdown(report))


def _machine() -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in values.items()}


def _write(report: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"events-{stamp}.json").write_text(json.dumps(report, indent=2))


def markdown(report: dict[str, Any]) -> str:
    relay = report["relay"]
    t, lat = relay["throughput"], relay["latency"]
    lines = [
        f"Commit {report['machine']['commit']}, {report['machine']['date']}, "
        f"{report['machine']['cpus']} CPUs, load average {report['machine']['load_average']}",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| relay throughput ({t['events']} events, first to last) "
        f"| {t['events_per_s']:,.0f} events/s |",
        f"| relay start to first event | {t['relay_start_to_first_s']:.2f} s |",
        f"| commit-to-consumer p50 / p99 / max ({lat['events']} at {lat['rate_per_s']:g}/s) "
        f"| {lat['p50_ms']:.1f} / {lat['p99_ms']:.1f} / {lat['max_ms']:.1f} ms |",
    ]
    for kind, result in report.get("writes", {}).items():
        s = result["summary"]
        lines.append(
            f"| POST {kind}: with outbox / without (req/s, p99 ms) | "
            f"{s['outbox']['rps']:,.0f} / {s['no-outbox']['rps']:,.0f} "
            f"({s['outbox']['p99_ms']:.1f} / {s['no-outbox']['p99_ms']:.1f}); "
            f"ratio {result['ratio']:.2f}x; CPU ms/req {_cpu(s['outbox'])} / "
            f"{_cpu(s['no-outbox'])} ({result['cpu_ratio']:.2f}x); {result['errors']} errors |"
        )
    return "\n".join(lines)


def _cpu(summary: dict[str, float]) -> str:
    """App + database CPU per request, as "app+db"."""
    return f"{summary['app_cpu_ms_per_req']:.2f}+{summary['db_cpu_ms_per_req']:.2f}"


if __name__ == "__main__":
    main()
