"""Issue 6's benchmark: Inkwell against a Starlette + asyncpg baseline on the same database.

    make bench              # full run, 10-20 minutes (data load included the first time)
    make bench-quick        # smoke run, about 4 minutes once the data is loaded
    .venv/bin/python -m bench.run --help

Loads the data set into its own database (reused while its seed and shape match), starts
Inkwell (`inkwell serve --workers 2 --no-migrate`, production settings, access log off) and the
baseline (uvicorn, 2 workers, the same pool size), then drives each endpoint with wrk,
interleaving the two (A, B, A, B, A, B). Prints a Markdown table and writes everything as JSON
to bench/results/. Then the scenarios beside the table: logins beside readers, saturation and
the mixed workload (bench/extras.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import extras
from bench.generate import BENCH_PASSWORD
from bench.loadgen import Load, run_wrk
from bench.scenarios import Params, Scenario, by_key, pick_params
from bench.servers import (
    Server,
    ServerConfig,
    cpu_delta,
    postgres_backends,
    running,
    start_baseline,
    start_inkwell,
)
from bench.stats import HEADER, Round, summarise, table_rows
from inkwell.core import migrations

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/inkwell_bench"
RESULTS = Path("bench/results")


@dataclass(frozen=True)
class DataSet:
    seed: int = 1
    users: int = 1_000
    posts: int = 100_000
    tags: int = 50
    tags_per_post: int = 3
    comments: int = 200_000
    follows_min: int = 20
    follows_max: int = 50
    # Bumped when the generator writes different rows for the same fields.
    version: int = 2

    @property
    def signature(self) -> str:
        """The data set's fields and the schema's revision: either changing reloads it (a
        migration may change how rows are stored, e.g. 0005's narrower heap)."""
        fields = {**asdict(self), "schema": migrations.head_revision()}
        return "inkwell-bench " + json.dumps(fields, sort_keys=True)


# Database


def _split(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    return base + "/postgres", name.split("?")[0]


async def _current_signature(url: str) -> str | None:
    maintenance, name = _split(url)
    connection = await asyncpg.connect(maintenance)
    try:
        row = await connection.fetchrow(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            name,
        )
    finally:
        await connection.close()
    return None if row is None else str(row[0] or "")


async def _recreate(url: str, signature: str | None) -> None:
    """Drop and create the bench database, or only label it (signature given)."""
    maintenance, name = _split(url)
    connection = await asyncpg.connect(maintenance)
    try:
        if signature is not None:
            await connection.execute(f"COMMENT ON DATABASE \"{name}\" IS '{signature}'")
            return
        busy = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", name
        )
        if busy:
            raise SystemExit(f"{name} has {busy} open connections; close them or pick another")
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def ensure_data(url: str, data: DataSet, regenerate: bool) -> None:
    """Load the data set unless the database already holds exactly this one."""
    if not regenerate and asyncio.run(_current_signature(url)) == data.signature:
        print(f"reusing {url} ({data.signature})")
        return
    print(f"loading the data set into {url} (about 2 minutes)")
    asyncio.run(_recreate(url, None))
    command = [
        sys.executable,
        "-m",
        "bench.generate",
        f"--database-url={url}",
        f"--seed={data.seed}",
        f"--authors={data.users}",
        f"--posts={data.posts}",
        f"--tags={data.tags}",
        f"--tags-per-post={data.tags_per_post}",
        f"--comments={data.comments}",
        f"--follows-min={data.follows_min}",
        f"--follows-max={data.follows_max}",
    ]
    subprocess.run(command, check=True)  # noqa: S603 - our own command line
    asyncio.run(_recreate(url, data.signature))


async def _forget_sessions(url: str) -> None:
    """Remove the sessions the run's sign-ins made, so the next run sees the same data."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("DELETE FROM user_sessions")
    finally:
        await connection.close()


# Measuring


def measure_round(server: Server, paths: Path, load: Load, database: str, script: Path) -> Round:
    """One wrk run, with the CPU of the server's processes and of the database backends."""
    app_before = server.cpu_seconds()
    db_before = {pid: _cpu(pid) for pid in postgres_backends(database)}
    result = run_wrk(server.url, paths, load, script)
    app_after = server.cpu_seconds()
    db_after = {pid: _cpu(pid) for pid in postgres_backends(database)}
    return Round(
        target=server.name,
        rps=result.rps,
        requests=result.requests,
        errors=result.errors,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        app_cpu_s=cpu_delta(app_before, app_after),
        db_cpu_s=cpu_delta(db_before, db_after),
        statuses={str(k): v for k, v in result.statuses.items()},
        load_average=os.getloadavg()[0],
    )


def _cpu(pid: int) -> float:
    from bench.servers import cpu_seconds  # noqa: PLC0415 - tiny, keeps the import list short

    return cpu_seconds(pid)


def _probe(server: Server, line: str) -> int:
    """The status of the first request of a paths file line (a path, maybe a token)."""
    path, _, token = line.partition(" ")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(server.url + path, headers=headers, timeout=10).status_code


def sign_in(server: Server, usernames: list[str]) -> list[str]:
    """Access tokens of these bench users from Inkwell's login (valid for 15 minutes)."""
    tokens = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for username in usernames:
            answer = client.post(
                "/api/v1/auth/login", json={"login": username, "password": BENCH_PASSWORD}
            )
            answer.raise_for_status()
            tokens.append(answer.json()["access_token"])
    return tokens


def request_lines(paths: list[str], tokens: list[str]) -> list[str]:
    """The lines of wrk's paths file: each path, with an access token to send if there are any
    (paths and tokens are paired round robin until both are used up)."""
    if not tokens:
        return paths
    count = max(len(paths), len(tokens))
    return [f"{paths[n % len(paths)]} {tokens[n % len(tokens)]}" for n in range(count)]


def run_scenario(
    scenario: Scenario,
    *,
    servers: list[Server],
    params: Params,
    load: Load,
    rounds: int,
    workdir: Path,
    database: str,
) -> dict[str, Any]:
    tokens = sign_in(servers[0], params.feed_users) if scenario.authenticated else []
    lines = request_lines(scenario.paths(params), tokens)
    statuses = {s.name: _probe(s, lines[0]) for s in servers}
    if any(not 200 <= code < 300 for code in statuses.values()):
        reason = f"probe of {lines[0].partition(' ')[0]} answered {statuses}"
        print(f"skip {scenario.name}: {reason}")
        return {"scenario": scenario.key, "name": scenario.name, "skipped": reason}
    paths_file = workdir / f"{scenario.key}.paths"
    paths_file.write_text("\n".join(lines) + "\n")
    script = workdir / "paths.lua"
    warm = Load(connections=load.connections, seconds=min(3.0, load.seconds / 3))
    for server in servers:
        run_wrk(server.url, paths_file, warm, script)
    measured: list[Round] = []
    for n in range(rounds):
        for server in servers if n % 2 == 0 else list(reversed(servers)):
            result = measure_round(server, paths_file, load, database, script)
            print(
                f"  {scenario.key} round {n + 1} {server.name}: {result.rps:,.0f} req/s "
                f"p99 {result.p99_ms:.1f} ms errors {result.errors} "
                f"(load average {result.load_average:.1f})"
            )
            measured.append(result)
    return {
        "scenario": scenario.key,
        "name": scenario.name,
        "rounds": [asdict(r) for r in measured],
    }


def report(results: list[dict[str, Any]]) -> str:
    lines = [HEADER]
    skipped = []
    for result in results:
        if "skipped" in result:
            skipped.append(f"- {result['name']}: skipped ({result['skipped']})")
            continue
        rounds = [Round.from_dict(r) for r in result["rounds"]]
        inkwell = summarise([r for r in rounds if r.target == "inkwell"])
        base = [r for r in rounds if r.target == "baseline"]
        lines.extend(table_rows(result["name"], inkwell, summarise(base) if base else None))
    return "\n".join(lines + (["", *skipped] if skipped else []))


def machine() -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    )
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit + ("+dirty" if dirty else ""),
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="3 s per round, short extras")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=None, help="per round (default 10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument("--port-base", type=int, default=8100, help="uses this and 3 above")
    parser.add_argument("--regenerate", action="store_true", help="reload the data set")
    parser.add_argument("--only", nargs="*", help="scenario keys (default: all)")
    parser.add_argument(
        "--extras",
        nargs="*",
        default=["logins", "revalidation", "saturation", "mixed"],
        help="scenarios beside the table (none: --extras)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.rounds < 3:
        print("warning: issue 6 asks for at least 3 rounds")
    seconds = args.seconds or (3.0 if args.quick else 10.0)
    load = Load(connections=args.connections, seconds=seconds)
    ensure_data(args.database_url, DataSet(seed=args.seed), args.regenerate)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    workdir = RESULTS / stamp
    workdir.mkdir(parents=True, exist_ok=True)
    params = asyncio.run(pick_params(args.database_url))
    config = ServerConfig(
        database_url=args.database_url,
        workers=args.workers,
        pool_size=args.pool_size,
        log_dir=workdir,
        port_base=args.port_base,
    )
    database = args.database_url.rsplit("/", 1)[1].split("?")[0]
    info = machine()
    started = time.monotonic()
    with running(
        [start_inkwell(config, config.port_base), start_baseline(config, config.port_base + 1)]
    ) as servers:
        results = [
            run_scenario(
                s,
                servers=servers,
                params=params,
                load=load,
                rounds=args.rounds,
                workdir=workdir,
                database=database,
            )
            for s in by_key(args.only)
        ]
        extra = extras.run_all(args.extras, servers[0], params, workdir, quick=args.quick)
    extra |= extras.run_isolated(args.extras, config, params, workdir, quick=args.quick)
    asyncio.run(_forget_sessions(args.database_url))
    info["seconds"] = round(time.monotonic() - started)
    table = report(results)
    output = {"machine": info, "load": asdict(load), "rounds": args.rounds, "results": results}
    output["extras"] = extra
    (workdir / "results.json").write_text(json.dumps(output, indent=2, default=str))
    print(f"\n{info}\n\n{table}\n\n{extras.report(extra)}\n\nwrote {workdir / 'results.json'}")
    if any(r.get("rounds") and any(x["errors"] for x in r["rounds"]) for r in results):
        print("INVALID: some requests were not answered with a 2xx (see the errors column)")
        raise SystemExit(1)
    if any("skipped" in r for r in results):
        print("INCOMPLETE: some endpoints were skipped (see the reasons below the table)")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
