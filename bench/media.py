"""Issue 19's benchmark: image uploads end to end, the worker's memory, and serving a variant.

    .venv/bin/python -m bench.media [--uploads 40] [--concurrency 2] [--seconds 10]

Runs on a database of its own (`inkwell_bench_media`, made afresh each run) and a media
directory of its own (a temporary one, removed afterwards). One `inkwell serve` (one worker
process, production settings) and one `inkwell worker` (the job worker, a process of its own
as in production) share both. It measures:

1. **Uploads end to end**: `--uploads` 12-megapixel JPEGs (4000 x 3000, made with Pillow,
   with a phone's EXIF) sent `--concurrency` at a time; uploads per second from the first
   POST to the moment the last one is `ready`, and each upload's time from its 201 to `ready`.
2. **The worker's peak memory**: the job worker's resident memory before the uploads and
   its high-water mark (`VmHWM` of /proc/<pid>/status) after them.
3. **Serving a variant from disk**: `GET /media/<key>-800.webp` through Inkwell, against
   the same file from plain static file servers in the same run: a minimal Starlette
   `StaticFiles` app under Uvicorn (the same Python server stack, one process) and nginx
   (one worker process, sendfile) when it is installed. Each driven by wrk (one thread,
   `--connections`) for `--seconds`, `--rounds` times in turn; the median is reported.

Prints a Markdown summary and writes it as JSON to bench/results/media-w<worker concurrency>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from PIL import Image

from bench.loadgen import Load, run_wrk
from bench.servers import BIN, Server, ServerConfig, inkwell_env, start_inkwell, stop
from bench.static_servers import start_nginx, start_static
from inkwell.core import migrations

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "inkwell_bench_media"
RESULTS = Path("bench/results")
PASSWORD = "bench-media-Passw0rd!"  # noqa: S105 - a throwaway account on a throwaway database
VARIANT_WIDTH = 800
READY_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Plan:
    """What one run does: where, how many uploads of what size, how long to serve."""

    database_url: str
    media_dir: Path
    ports: tuple[int, int, int]  # Inkwell, the Starlette static server, nginx
    uploads: int = 40
    concurrency: int = 2
    width: int = 4000
    height: int = 3000
    rounds: int = 3
    load: Load = field(default_factory=lambda: Load(connections=32, seconds=10.0))
    log_dir: Path = RESULTS
    driver: str = "wrk"  # or "httpx": a few requests from Python, for the test of this module
    nginx: bool = True
    worker_concurrency: int = 4  # jobs the worker runs at once (INKWELL_WORKER_CONCURRENCY)


# -- the image -------------------------------------------------------------------------------


def photo_like_jpeg(width: int, height: int) -> bytes:
    """A JPEG that compresses like a photo (smooth shapes, sensor grain, phone EXIF)."""
    small = (max(width // 8, 1), max(height // 8, 1))
    shapes = Image.merge("RGB", [Image.effect_noise(small, 90) for _ in range(3)])
    image = shapes.resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((width, height), 24).convert("RGB")
    image = Image.blend(image, grain, 0.12)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6  # the phone was held upright: the job turns the image
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


# -- processes -------------------------------------------------------------------------------


def _server_config(plan: Plan) -> ServerConfig:
    return ServerConfig(database_url=plan.database_url, workers=1, log_dir=plan.log_dir)


def _media_env(plan: Plan) -> dict[str, str]:
    return {
        "INKWELL_MEDIA_DIR": str(plan.media_dir),
        "INKWELL_MEDIA_QUOTA_BYTES": str(2**40),
        "INKWELL_WORKER_IN_PROCESS": "false",
        "INKWELL_WORKER_CONCURRENCY": str(plan.worker_concurrency),
    }


@contextmanager
def job_worker(plan: Plan, config: ServerConfig) -> Iterator[subprocess.Popen[bytes]]:
    """`inkwell worker` in a process of its own, stopped (SIGTERM) afterwards."""
    env = {**os.environ, **inkwell_env(config, **_media_env(plan))}
    plan.log_dir.mkdir(parents=True, exist_ok=True)
    with (plan.log_dir / "media-worker.log").open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [str(BIN / "inkwell"), "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=60)


def memory_kib(pid: int) -> dict[str, int]:
    """A process's resident memory now (`VmRSS`) and at its highest (`VmHWM`), in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            values[name] = int(rest.split()[0])
    return values


# -- uploads ---------------------------------------------------------------------------------


async def sign_up(http: httpx.AsyncClient) -> dict[str, str]:
    account = {"email": "ada@example.com", "username": "ada", "password": PASSWORD}
    (await http.post("/api/v1/auth/register", json=account)).raise_for_status()
    login = await http.post("/api/v1/auth/login", json={"login": "ada", "password": PASSWORD})
    return {"Authorization": f"Bearer {login.raise_for_status().json()['access_token']}"}


async def _upload(
    http: httpx.AsyncClient, headers: dict[str, str], image: bytes, accepted: dict[str, float]
) -> None:
    files = {"file": ("photo.jpg", image, "image/jpeg")}
    response = await http.post("/api/v1/media", files=files, headers=headers)
    accepted[response.raise_for_status().json()["id"]] = time.perf_counter()


async def _send_all(
    http: httpx.AsyncClient, headers: dict[str, str], image: bytes, plan: Plan
) -> dict[str, float]:
    """Send the uploads, `concurrency` at a time; when each was accepted (its 201)."""
    accepted: dict[str, float] = {}
    gate = asyncio.Semaphore(plan.concurrency)

    async def one() -> None:
        async with gate:
            await _upload(http, headers, image, accepted)

    await asyncio.gather(*(one() for _ in range(plan.uploads)))
    return accepted


async def _finished(http: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, str]:
    """The status of every upload that is no longer processing, by id."""
    found: dict[str, str] = {}
    page = 1
    while True:
        params = {"page": page, "page_size": 100}
        body = (await http.get("/api/v1/users/me/media", params=params, headers=headers)).json()
        found.update({m["id"]: m["status"] for m in body["items"] if m["status"] != "processing"})
        if page * 100 >= body["total"]:
            return found
        page += 1


async def watch_ready(
    http: httpx.AsyncClient, headers: dict[str, str], expected: int
) -> dict[str, tuple[str, float]]:
    """Poll the uploader's list until `expected` uploads are done; status and when, by id."""
    done: dict[str, tuple[str, float]] = {}
    deadline = time.monotonic() + READY_TIMEOUT_S
    while len(done) < expected:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(done)} of {expected} uploads done")
        now = time.perf_counter()
        for media_id, status in (await _finished(http, headers)).items():
            done.setdefault(media_id, (status, now))
        await asyncio.sleep(0.1)
    return done


def upload_summary(
    started: float, accepted: dict[str, float], done: dict[str, tuple[str, float]]
) -> dict[str, Any]:
    """Uploads per second from the first POST to the last `ready`, and each one's wait."""
    ready = {media_id: at for media_id, (status, at) in done.items() if status == "ready"}
    waits = sorted(ready[media_id] - accepted[media_id] for media_id in ready)
    elapsed = max(ready.values()) - started if ready else 0.0
    return {
        "uploads": len(accepted),
        "ready": len(ready),
        "failed": len(done) - len(ready),
        "seconds": round(elapsed, 2),
        "uploads_per_s": round(len(ready) / elapsed, 2) if elapsed else 0.0,
        "accepted_to_ready_p50_s": round(statistics.median(waits), 2) if waits else None,
        "accepted_to_ready_max_s": round(waits[-1], 2) if waits else None,
    }


async def run_uploads(plan: Plan, base_url: str, worker_pid: int) -> dict[str, Any]:
    image = photo_like_jpeg(plan.width, plan.height)
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
        headers = await sign_up(http)
        idle = memory_kib(worker_pid)
        started = time.perf_counter()
        accepted = await _send_all(http, headers, image, plan)
        done = await watch_ready(http, headers, plan.uploads)
        summary = upload_summary(started, accepted, done)
        variant = await _variant_name(http, headers, next(iter(accepted)))
    peak = memory_kib(worker_pid)
    summary.update(
        image={"width": plan.width, "height": plan.height, "bytes": len(image)},
        concurrency=plan.concurrency,
        worker_concurrency=plan.worker_concurrency,
        worker_rss_idle_mib=round(idle["VmRSS"] / 1024, 1),
        worker_rss_peak_mib=round(peak["VmHWM"] / 1024, 1),
        variant=variant,
    )
    return summary


async def _variant_name(http: httpx.AsyncClient, headers: dict[str, str], media_id: str) -> str:
    """The name of the upload's variant closest to VARIANT_WIDTH (the original if none)."""
    body = (await http.get(f"/api/v1/media/{media_id}", headers=headers)).json()
    files = body["variants"] or [body["original"]]
    chosen = min(files, key=lambda file: abs(file["width"] - VARIANT_WIDTH))
    name: str = chosen["url"].rpartition("/")[2]
    return name


# -- serving ---------------------------------------------------------------------------------


def wrk_rate(base_url: str, path: str, plan: Plan) -> dict[str, Any]:
    paths = plan.log_dir / "media-paths.txt"
    paths.write_text(path + "\n")
    result = run_wrk(base_url, paths, plan.load, plan.log_dir / "media-wrk.lua")
    return result.as_dict()


def httpx_rate(base_url: str, path: str, plan: Plan) -> dict[str, Any]:
    """A few requests from Python: slow and only for checking this module works."""
    requests = max(plan.load.connections, 1)
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, timeout=30) as http:
        for _ in range(requests):
            status = str(http.get(path).status_code)
            statuses[status] = statuses.get(status, 0) + 1
    seconds = time.perf_counter() - started
    errors = sum(n for status, n in statuses.items() if not status.startswith("2"))
    return {"requests": requests, "rps": round(requests / seconds, 1), "errors": errors}


DRIVERS: dict[str, Callable[[str, str, Plan], dict[str, Any]]] = {
    "wrk": wrk_rate,
    "httpx": httpx_rate,
}


def serve_rates(plan: Plan, targets: dict[str, str], name: str) -> dict[str, Any]:
    """Each target's median rate over the rounds, the targets taken in turn each round."""
    drive = DRIVERS[plan.driver]
    rounds: dict[str, list[dict[str, Any]]] = {target: [] for target in targets}
    for _ in range(plan.rounds):
        for target, base_url in targets.items():
            rounds[target].append(drive(base_url, f"/media/{name}", plan))
    return {target: _median_round(results) for target, results in rounds.items()}


def _median_round(results: list[dict[str, Any]]) -> dict[str, Any]:
    rates = [result["rps"] for result in results]
    summary = {"rps_median": statistics.median(rates), "rps_all": rates}
    summary["errors"] = sum(result["errors"] for result in results)
    if "p99_ms" in results[0]:
        summary["p99_ms_median"] = statistics.median(result["p99_ms"] for result in results)
    return summary


# -- the run ---------------------------------------------------------------------------------


def measure(plan: Plan) -> dict[str, Any]:
    """Start the servers and the worker, upload, then serve; the figures."""
    migrations.upgrade(plan.database_url)
    config = _server_config(plan)
    servers: list[Server] = []
    try:
        inkwell = start_inkwell(config, plan.ports[0], **_media_env(plan))
        servers.append(inkwell)
        with job_worker(plan, config) as worker:
            uploads = asyncio.run(run_uploads(plan, inkwell.url, worker.pid))
        targets = {"inkwell": inkwell.url}
        servers.append(start_static(plan.ports[1], plan.media_dir, config))
        targets["starlette_static"] = servers[-1].url
        if plan.nginx and shutil.which("nginx"):
            servers.append(
                start_nginx(plan.ports[2], plan.media_dir, config, plan.media_dir.parent)
            )
            targets["nginx"] = servers[-1].url
        serving = serve_rates(plan, targets, uploads["variant"])
    finally:
        for server in servers:
            stop(server)
    return {"uploads": uploads, "serving": serving, "machine": machine()}


def machine() -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": commit or "unknown",
        "cpus": os.cpu_count(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


async def _recreate(server_url: str) -> str:
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await connection.close()
    return server_url.rsplit("/", 1)[0] + "/" + DATABASE


def markdown(report: dict[str, Any]) -> str:
    up, where = report["uploads"], report["machine"]
    image = up["image"]
    lines = [
        f"{where['date']}, commit {where['commit']}, {where['cpus']} CPUs, "
        f"load average {where['load_average']}",
        f"Uploads: {up['ready']}/{up['uploads']} ready ({up['failed']} failed) of "
        f"{image['width']}x{image['height']} JPEG ({image['bytes']:,} bytes), "
        f"{up['concurrency']} sent at a time, worker concurrency {up['worker_concurrency']}: "
        f"{up['uploads_per_s']} uploads/s end to end; "
        f"accepted -> ready p50 {up['accepted_to_ready_p50_s']} s, "
        f"max {up['accepted_to_ready_max_s']} s",
        f"Worker RSS: {up['worker_rss_idle_mib']} MiB idle, {up['worker_rss_peak_mib']} MiB peak",
        f"Serving /media/{up['variant']}:",
    ]
    for target, result in report["serving"].items():
        rates = ", ".join(f"{rate:,.0f}" for rate in result["rps_all"])
        lines.append(
            f"  {target}: {result['rps_median']:,.0f} req/s median ({rates}); "
            f"{result['errors']} errors"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server-url", default=DEFAULT_SERVER)
    parser.add_argument("--uploads", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port-base", type=int, default=8400)
    parser.add_argument("--worker-concurrency", type=int, default=4)
    parser.add_argument("--no-nginx", action="store_true", help="compare with Starlette only")
    args = parser.parse_args()
    url = asyncio.run(_recreate(args.server_url))
    with tempfile.TemporaryDirectory(prefix="inkwell-bench-media-") as scratch:
        plan = Plan(
            database_url=url,
            media_dir=Path(scratch) / "media",
            ports=(args.port_base, args.port_base + 1, args.port_base + 2),
            uploads=args.uploads,
            concurrency=args.concurrency,
            rounds=args.rounds,
            load=Load(connections=args.connections, seconds=args.seconds),
            nginx=not args.no_nginx,
            worker_concurrency=args.worker_concurrency,
        )
        report = measure(plan)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"media-w{args.worker_concurrency}.json").write_text(json.dumps(report, indent=2))
    print(markdown(report))


if __name__ == "__main__":
    main()
