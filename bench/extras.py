"""The scenarios beside the table: logins beside readers, revalidation, saturation, the mixed
workload."""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import revalidation
from bench.generate import BENCH_PASSWORD
from bench.loadgen import Load, run_wrk
from bench.scenarios import Params
from bench.servers import Server, ServerConfig, running, start_inkwell

LOGINS_PER_SECOND = 4.0
MIXED_USERS = (2, 4, 8, 16, 32)


# Logins do not stall readers


async def _logins(url: str, rate: float, seconds: float, out: list[tuple[int, float]]) -> None:
    """Start `rate` logins a second for `seconds`, each on its own task (an open model)."""
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:

        async def one(n: int) -> None:
            started = time.perf_counter()
            answer = await client.post(
                "/api/v1/auth/login",
                json={"login": f"author{n % 1000}", "password": BENCH_PASSWORD},
            )
            out.append((answer.status_code, (time.perf_counter() - started) * 1000))

        tasks, n, begin = [], 0, time.monotonic()
        while time.monotonic() - begin < seconds:
            tasks.append(asyncio.create_task(one(n)))
            n += 1
            await asyncio.sleep(max(0.0, begin + n / rate - time.monotonic()))
        await asyncio.gather(*tasks)


def logins_beside_readers(
    server: Server, params: Params, workdir: Path, seconds: float
) -> dict[str, Any]:
    """GET /posts/{slug} at 16 connections alone, then while 4 logins/s run; the readers' p99."""
    paths = workdir / "post.paths"
    paths.write_text("\n".join(f"/api/v1/posts/{s}" for s in params.slugs) + "\n")
    alone = run_wrk(server.url, paths, Load(seconds=seconds), workdir / "paths.lua")
    logins: list[tuple[int, float]] = []
    driver = threading.Thread(
        target=lambda: asyncio.run(_logins(server.url, LOGINS_PER_SECOND, seconds, logins))
    )
    driver.start()
    readers = run_wrk(server.url, paths, Load(seconds=seconds), workdir / "paths.lua")
    driver.join()
    times = sorted(ms for _, ms in logins)
    return {
        "readers_alone": alone.as_dict(),
        "readers": readers.as_dict(),
        "logins": len(logins),
        "login_statuses": _count(status for status, _ in logins),
        "login_p50_ms": round(statistics.median(times), 1) if times else None,
        "login_max_ms": round(times[-1], 1) if times else None,
    }


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return counts


# Saturation: more connections than the pool, a tiny pool timeout


def saturation(
    config: ServerConfig, params: Params, workdir: Path, seconds: float
) -> dict[str, Any]:
    """Inkwell with 2 connections per worker and a 50 ms pool timeout under 128 connections.

    Passes when every answer is a 200 or a 503 with Retry-After and nothing times out.
    """
    tiny = replace(config, pool_size=2, pool_timeout_s=0.05, log_dir=workdir)
    paths = workdir / "saturation.paths"
    paths.write_text("\n".join(f"/api/v1/posts/search?q={w}" for w in params.words) + "\n")
    with running([start_inkwell(tiny, config.port_base + 2)]) as (server,):
        result = run_wrk(
            server.url,
            paths,
            Load(connections=128, seconds=seconds, timeout_s=5),
            workdir / "paths.lua",
        )
    shed = result.statuses.get(503, 0)
    other = result.non_2xx - shed
    passed = result.socket_errors == 0 and other == 0 and shed == result.retry_after and shed > 0
    return {"result": result.as_dict(), "shed_503": shed, "passed": passed}


# Mixed workload (locust)


def locust_binary() -> str | None:
    return shutil.which("locust", path=str(Path(".bench-tools/bin").resolve())) or shutil.which(
        "locust"
    )


def mixed(
    config: ServerConfig,
    params: Params,
    workdir: Path,
    seconds: float,
    steps_of_users: tuple[int, ...] = MIXED_USERS,
) -> dict[str, Any]:
    """Step the users up; the best overall req/s whose p99 is at most 100 ms, with 0 errors."""
    binary = locust_binary()
    if binary is None:
        return {"skipped": "locust is not installed (make bench installs it in .bench-tools)"}
    data = workdir / "mixed.json"
    data.write_text(
        json.dumps(
            {
                "slugs": params.slugs,
                "commented": params.commented_slugs,
                "tags": params.tags,
                "words": params.words,
            }
        )
    )
    steps = []
    with running([start_inkwell(config, config.port_base + 3)]) as (server,):
        for users in steps_of_users:
            steps.append(
                _locust_step(
                    binary, url=server.url, users=users, seconds=seconds, data=data, workdir=workdir
                )
            )
    asyncio.run(_clean_mixed_writes(config.database_url))
    good = [s for s in steps if s.get("p99_ms", 1e9) <= 100 and s.get("failures") == 0]
    best = max(good, key=lambda s: s["rps"]) if good else None
    return {"steps": steps, "best": best}


def _locust_step(
    binary: str, *, url: str, users: int, seconds: float, data: Path, workdir: Path
) -> dict[str, Any]:
    prefix = workdir / f"mixed-{users}"
    command = [
        binary,
        "-f",
        "bench/locustfile.py",
        "--headless",
        "--host",
        url,
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds:g}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "5",
    ]
    env = {"BENCH_MIXED_DATA": str(data), "PATH": "/usr/bin:/bin"}
    subprocess.run(command, env=env, capture_output=True, check=False, timeout=seconds + 120)  # noqa: S603
    return _read_locust(prefix, users)


def _read_locust(prefix: Path, users: int) -> dict[str, Any]:
    import csv  # noqa: PLC0415

    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        return {"users": users, "error": "locust wrote no statistics"}
    with stats.open() as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "users": users,
        "rps": round(float(total["Requests/s"]), 1),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "p50_ms": float(total["50%"]),
        "p99_ms": float(total["99%"]),
        "by_request": {
            name: {
                "requests": int(r["Request Count"]),
                "failures": int(r["Failure Count"]),
                "p99_ms": float(r["99%"]),
            }
            for name, r in rows.items()
            if name != "Aggregated"
        },
    }


# The mixed run's comments (on the data set's posts), and their posts' counters put back.
_DELETE_MIXED_COMMENTS = """
WITH gone AS (
    DELETE FROM comments WHERE content_raw LIKE 'Bench mixed %'
    RETURNING post_id, status = 'visible' AND deleted_at IS NULL AS counted
)
UPDATE posts SET comments_count = comments_count - gone.n
FROM (SELECT post_id, count(*) FILTER (WHERE counted) AS n FROM gone GROUP BY post_id) gone
WHERE posts.id = gone.post_id
"""


async def _clean_mixed_writes(url: str) -> None:
    """Remove what the mixed run wrote, so the next run sees the same data."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(_DELETE_MIXED_COMMENTS)
        await connection.execute("DELETE FROM posts WHERE title LIKE 'Bench mixed %'")
        await connection.execute("DELETE FROM user_sessions")
        await connection.execute("VACUUM ANALYZE posts, comments")
    finally:
        await connection.close()


# Entry points


def run_all(
    names: list[str], server: Server, params: Params, workdir: Path, *, quick: bool
) -> dict[str, Any]:
    """The extras that use the running Inkwell."""
    out: dict[str, Any] = {}
    if "logins" in names:
        out["logins"] = logins_beside_readers(server, params, workdir, 5.0 if quick else 15.0)
    if "revalidation" in names:
        out["revalidation"] = revalidation.revalidation(
            server, params, workdir, 3.0 if quick else 10.0
        )
    return out


def run_isolated(
    names: list[str], config: ServerConfig, params: Params, workdir: Path, *, quick: bool
) -> dict[str, Any]:
    """The extras that need an Inkwell of their own (other settings, writes)."""
    out: dict[str, Any] = {}
    if "saturation" in names:
        out["saturation"] = saturation(config, params, workdir, 5.0 if quick else 10.0)
    if "mixed" in names:
        steps = (4, 16) if quick else MIXED_USERS
        out["mixed"] = mixed(config, params, workdir, 10.0 if quick else 30.0, steps)
    return out


def report(extra: dict[str, Any]) -> str:
    lines = []
    if "logins" in extra:
        e = extra["logins"]
        r = e["readers"]
        a = e.get("readers_alone")
        if a:
            lines.append(
                f"Readers alone just before: {a['rps']:,.0f} req/s, p99 {a['p99_ms']:.1f} ms, "
                f"errors {a['errors']}"
            )
        lines.append(
            f"Logins beside readers: GET /posts/{{slug}} {r['rps']:,.0f} req/s, "
            f"p99 {r['p99_ms']:.1f} ms, errors {r['errors']}; "
            f"{e['logins']} logins {e['login_statuses']}, "
            f"login p50 {e['login_p50_ms']} ms, max {e['login_max_ms']} ms"
        )
    if "saturation" in extra:
        e = extra["saturation"]
        r = e["result"]
        lines.append(
            f"Saturation (128 connections, pool 2/worker, 50 ms pool timeout): {r['statuses']}, "
            f"Retry-After on {r['retry_after']}, socket errors {r['socket_errors']}, "
            f"p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms "
            f"-> {'PASS' if e['passed'] else 'FAIL'}"
        )
    if "revalidation" in extra:
        lines.extend(["", "Revalidation (If-None-Match with the ETag last answered):"])
        lines.extend([revalidation.report(extra["revalidation"]), ""])
    if "mixed" in extra:
        e = extra["mixed"]
        if "skipped" in e:
            lines.append(f"Mixed: skipped ({e['skipped']})")
        for step in e.get("steps", []):
            lines.append(
                f"Mixed {step['users']} users: {step.get('rps')} req/s, "
                f"p99 {step.get('p99_ms')} ms, failures {step.get('failures')}"
            )
        if e.get("best"):
            lines.append(f"Mixed: best req/s at p99 <= 100 ms with 0 errors: {e['best']['rps']}")
    return "\n".join(lines)
