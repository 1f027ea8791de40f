"""Start Inkwell and the baseline as production would, and read their CPU time from /proc."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class ServerConfig:
    database_url: str
    workers: int = 2
    pool_size: int = 10
    pool_timeout_s: float = 5.0
    log_dir: Path = Path("bench/results")
    # Inkwell listens here, the baseline one above, the extras' own servers two and three above.
    port_base: int = 8100
    # Inkwell's and the baseline's (which checks the feed's tokens): random for each run.
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        """The master and every process below it (the workers)."""
        return [self.process.pid, *descendants(self.process.pid)]

    def cpu_seconds(self) -> dict[int, float]:
        return {pid: cpu_seconds(pid) for pid in self.pids()}


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name may hold spaces; the fields after it are space-separated.
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (0 once it is gone)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def postgres_backends(database: str) -> list[int]:
    """Server processes serving connections to `database` (their title names it)."""
    pids = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            pids.append(int(entry.name))
    return pids


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two samples; processes born in between count from zero."""
    return sum(max(0.0, spent - before.get(pid, 0.0)) for pid, spent in after.items())


def _wait_ready(server: Server, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}")
        try:
            with urllib.request.urlopen(server.url + "/health/live", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{server.name} did not answer on {server.url} within {timeout_s:g}s")


def inkwell_env(config: ServerConfig, **overrides: str) -> dict[str, str]:
    """Production settings, access log off; rate limits off so logins measure hashing."""
    env = {
        "INKWELL_ENV": "production",
        "INKWELL_DATABASE_URL": config.database_url,
        "INKWELL_ACCESS_LOG": "false",
        "INKWELL_LOG_LEVEL": "WARNING",
        "INKWELL_JWT_SECRET": config.jwt_secret,
        "INKWELL_TRUSTED_HOSTS": "127.0.0.1,localhost",
        "INKWELL_DB_POOL_SIZE": str(config.pool_size),
        "INKWELL_DB_MAX_OVERFLOW": "0",
        "INKWELL_DB_POOL_TIMEOUT": str(config.pool_timeout_s),
        "INKWELL_RATE_LIMIT_ENABLED": "false",
        "INKWELL_DOCS_ENABLED": "false",
    }
    env.update(overrides)
    return env


def _refuse_busy(port: int) -> None:
    """Stop if something already listens on the port: the run would measure it instead."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is in use: stop what listens there or --port-base")


def _spawn(
    name: str,
    command: list[str],
    env: dict[str, str],
    config: ServerConfig,
    port: int | None = None,
) -> Server:
    """Start a server and wait until /health/live answers; `port` defaults to the command's
    `--port` argument."""
    port = port or int(command[command.index("--port") + 1])
    _refuse_busy(port)
    config.log_dir.mkdir(parents=True, exist_ok=True)
    log = (config.log_dir / f"{name}.log").open("ab")
    process = subprocess.Popen(  # noqa: S603 - our own command line
        command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
    )
    server = Server(name=name, port=port, process=process, extra_env=env)
    try:
        _wait_ready(server)
    except BaseException:
        stop(server)
        raise
    return server


def start_inkwell(config: ServerConfig, port: int, **env: str) -> Server:
    command = [
        str(BIN / "inkwell"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(config.workers),
        "--no-migrate",
    ]
    return _spawn("inkwell", command, inkwell_env(config, **env), config)


def start_baseline(config: ServerConfig, port: int) -> Server:
    command = [
        str(BIN / "uvicorn"),
        "--factory",
        "bench.baseline:app_factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(config.workers),
        "--no-access-log",
        "--log-level",
        "warning",
        "--timeout-worker-healthcheck",
        "60",  # as `inkwell serve` sets it (INKWELL_WORKER_TIMEOUT_SECONDS)
    ]
    env = {
        "BENCH_DATABASE_URL": config.database_url,
        "BENCH_POOL_SIZE": str(config.pool_size),
        "BENCH_JWT_SECRET": config.jwt_secret,
    }
    return _spawn("baseline", command, env, config)


def stop(server: Server) -> None:
    """SIGTERM the master (it stops its workers); SIGKILL only the processes we started."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            for pid in reversed(server.pids()):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            server.process.wait(timeout=5)


@contextmanager
def running(servers: list[Server]) -> Iterator[list[Server]]:
    try:
        yield servers
    finally:
        for server in servers:
            stop(server)
