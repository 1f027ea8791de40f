"""Where Inkwell's time goes on one endpoint: py-spy samples of its workers under wrk load.

    .venv/bin/python -m bench.profile --scenario list --seconds 15

Starts Inkwell as bench.run does, drives the scenario at 16 connections and samples every
worker with py-spy (`--subprocesses --nonblocking`, idle time excluded). Prints where the
samples' innermost frame is, by library, and the functions with the largest inclusive share.
Needs root (or ptrace rights) for py-spy; the flame graph data stays in bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import threading
from collections import Counter
from datetime import UTC, datetime

from bench.loadgen import Load, run_wrk
from bench.run import DEFAULT_URL, RESULTS, request_lines, sign_in
from bench.scenarios import by_key, pick_params
from bench.servers import ServerConfig, running, start_inkwell

# Innermost frame's file -> library, first match wins.
LIBRARIES = [
    ("sqlalchemy", "sqlalchemy"),
    ("asyncpg", "asyncpg"),
    ("pydantic", "pydantic"),
    ("fastapi", "fastapi"),
    ("starlette", "starlette"),
    ("uvicorn", "uvicorn"),
    ("inkwell", "inkwell"),
    ("asyncio", "asyncio (event loop)"),
    ("json", "json"),
]


def library(frame: str) -> str:
    """The library of a py-spy frame, `function (path:line)`; the path is absolute or, for
    installed packages, relative to site-packages (`fastapi/routing.py`)."""
    location = frame[frame.rfind("(") :]
    for needle, name in LIBRARIES:
        if any(f"{start}{needle}/" in location for start in ("/", "(")) or (
            f"{needle}." in location
        ):
            return name
    return "other"


def parse_collapsed(text: str) -> list[tuple[list[str], int]]:
    """py-spy's raw output: `frame;frame;...;frame count` per line, outermost first."""
    stacks = []
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def summarise(stacks: list[tuple[list[str], int]], top: int = 25) -> str:
    total = sum(n for _, n in stacks) or 1
    by_library: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for frames, n in stacks:
        by_library[library(frames[-1])] += n
        for frame in set(frames):
            inclusive[frame] += n
    lines = [f"{total} samples", "", "innermost frame by library:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in by_library.most_common()]
    lines += ["", f"largest inclusive shares (top {top}):"]
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--scenario", default="list")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--py-spy", default=".bench-tools/bin/py-spy")
    args = parser.parse_args()
    scenario = by_key([args.scenario])[0]
    workdir = RESULTS / ("profile-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
    workdir.mkdir(parents=True, exist_ok=True)
    paths = workdir / f"{scenario.key}.paths"
    params = asyncio.run(pick_params(args.database_url))
    config = ServerConfig(database_url=args.database_url, log_dir=workdir)
    raw = workdir / f"{scenario.key}.collapsed"
    with running([start_inkwell(config, config.port_base)]) as (server,):
        tokens = sign_in(server, params.feed_users) if scenario.authenticated else []
        paths.write_text("\n".join(request_lines(scenario.paths(params), tokens)) + "\n")
        run_wrk(server.url, paths, Load(seconds=3), workdir / "paths.lua")  # warm up
        load = threading.Thread(
            target=run_wrk,
            args=(server.url, paths, Load(seconds=args.seconds + 2), workdir / "paths.lua"),
        )
        load.start()
        subprocess.run(  # noqa: S603 - our own command line
            [
                args.py_spy,
                "record",
                "--pid",
                str(server.process.pid),
                "--subprocesses",
                "--nonblocking",
                "--duration",
                f"{int(args.seconds)}",
                "--format",
                "raw",
                "--output",
                str(raw),
            ],
            check=True,
            capture_output=True,
        )
        load.join()
    print(f"{scenario.name}\n\n{summarise(parse_collapsed(raw.read_text()))}\n\nraw: {raw}")


if __name__ == "__main__":
    main()
