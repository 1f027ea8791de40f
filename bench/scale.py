"""Issue 20's scale test: the read mix at 1, 2 and 3 app processes against one database.

    .venv/bin/python -m bench.scale                      # 1, 2 and 3 processes, 10 s each
    .venv/bin/python -m bench.scale --processes 1 2 --seconds 5
    .venv/bin/python -m bench.scale --server-env INKWELL_DATABASE_REPLICA_URLS=postgresql://...

Uses bench.run's data set (loaded into its own database the first time). Each app process is
`inkwell serve --workers 1` on a port of its own, as separate machines would run it, and gets a
wrk of its own at the same number of connections, all driven at once: the load per process is
the same at every step, so a flat throughput per process means the app scales and a falling one
shows the shared part (the database, or here the machine's cores) running out. The read mix
interleaves the single post, the plain and tag lists, comment threads and the RealWorld article
and list. Where the time goes is read from /proc: the app processes, the database backends and
the load generators, as CPU seconds per request and as a share of the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.loadgen import Load, WrkResult, run_wrk
from bench.run import DEFAULT_URL, RESULTS, DataSet, ensure_data, machine
from bench.scenarios import Params, by_key, pick_params
from bench.servers import (
    Server,
    ServerConfig,
    cpu_delta,
    postgres_backends,
    running,
    start_inkwell,
)
from bench.servers import cpu_seconds as process_cpu

READ_MIX = ["post", "list", "tag", "comments", "rw-article", "rw-articles"]


def mix_lines(params: Params, keys: list[str], count: int = 3_000) -> list[str]:
    """Request paths taking the scenarios in turn, each walking its own paths."""
    path_lists = [paths for scenario in by_key(keys) if (paths := scenario.paths(params))]
    lines = []
    for n in range(count):
        paths = path_lists[n % len(path_lists)]
        lines.append(paths[(n // len(path_lists)) % len(paths)])
    return lines


@dataclass(frozen=True)
class Step:
    processes: int
    seconds: float
    requests: int
    errors: int
    p99_ms: float  # the worst of the processes' p99
    app_cpu_s: float
    db_cpu_s: float
    load_cpu_s: float
    cores: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def rps_per_process(self) -> float:
        return self.rps / self.processes

    def ms_per_request(self, cpu_s: float) -> float:
        return cpu_s / self.requests * 1000 if self.requests else 0.0

    @property
    def busy_share(self) -> float:
        """How much of the machine's cores the three parts used together."""
        used = self.app_cpu_s + self.db_cpu_s + self.load_cpu_s
        return used / (self.seconds * self.cores)

    def as_dict(self) -> dict[str, float | int]:
        return {**asdict(self), "rps": round(self.rps, 1), "busy_share": round(self.busy_share, 3)}


def combine(processes: int, results: list[WrkResult], cpu: tuple[float, float, float]) -> Step:
    app, db, load = cpu
    return Step(
        processes=processes,
        seconds=max(r.seconds for r in results),
        requests=sum(r.requests for r in results),
        errors=sum(r.errors for r in results),
        p99_ms=max(r.p99_ms for r in results),
        app_cpu_s=app,
        db_cpu_s=db,
        load_cpu_s=load,
        cores=os.cpu_count() or 1,
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(servers: list[Server], paths: Path, load: Load, database: str) -> Step:
    """Every server driven by its own wrk at once, with the CPU each part used meanwhile."""
    script = paths.parent / "paths.lua"
    app_before = {pid: t for s in servers for pid, t in s.cpu_seconds().items()}
    db_before = {pid: process_cpu(pid) for pid in postgres_backends(database)}
    load_before = _children_cpu()
    with ThreadPoolExecutor(len(servers)) as pool:
        results = list(pool.map(lambda s: run_wrk(s.url, paths, load, script), servers))
    load_cpu = _children_cpu() - load_before
    app_after = {pid: t for s in servers for pid, t in s.cpu_seconds().items()}
    db_after = {pid: process_cpu(pid) for pid in postgres_backends(database)}
    cpu = (cpu_delta(app_before, app_after), cpu_delta(db_before, db_after), load_cpu)
    return combine(len(servers), results, cpu)


def report(steps: list[Step]) -> str:
    lines = [
        "| app processes | req/s | req/s per process | p99 ms | errors "
        "| app CPU ms/req | database CPU ms/req | load CPU ms/req | cores busy |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in steps:
        lines.append(
            f"| {s.processes} | {s.rps:,.0f} | {s.rps_per_process:,.0f} | {s.p99_ms:.1f} "
            f"| {s.errors} | {s.ms_per_request(s.app_cpu_s):.2f} "
            f"| {s.ms_per_request(s.db_cpu_s):.2f} | {s.ms_per_request(s.load_cpu_s):.2f} "
            f"| {s.busy_share:.0%} |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--processes", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--seconds", type=float, default=10.0, help="per step")
    parser.add_argument("--connections", type=int, default=16, help="per process")
    parser.add_argument("--pool-size", type=int, default=10, help="per process")
    parser.add_argument("--port-base", type=int, default=8100)
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting for every app process (for example the replicas' URLs)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    ensure_data(args.database_url, DataSet(), regenerate=False)
    params = asyncio.run(pick_params(args.database_url))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    workdir = RESULTS / f"scale-{stamp}"
    workdir.mkdir(parents=True, exist_ok=True)
    paths = workdir / "mix.paths"
    paths.write_text("\n".join(mix_lines(params, READ_MIX)) + "\n")
    config = ServerConfig(
        database_url=args.database_url, workers=1, pool_size=args.pool_size, log_dir=workdir
    )
    extra_env = dict(item.split("=", 1) for item in args.server_env)
    database = args.database_url.rsplit("/", 1)[-1]
    load = Load(connections=args.connections, seconds=args.seconds)
    steps = []
    for count in args.processes:
        servers = [start_inkwell(config, args.port_base + n, **extra_env) for n in range(count)]
        with running(servers):
            measure(servers, paths, Load(connections=args.connections, seconds=3.0), database)
            step = measure(servers, paths, load, database)
        print(f"{count} process(es): {step.rps:,.0f} req/s, p99 {step.p99_ms:.1f} ms")
        steps.append(step)
    table = report(steps)
    print(table)
    out = {"machine": machine(), "args": vars(args), "steps": [s.as_dict() for s in steps]}
    (workdir / "scale.json").write_text(json.dumps(out, indent=2))
    (workdir / "scale.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
