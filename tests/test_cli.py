"""The `inkwell` command line against the test database."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, pool, select
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from inkwell import cli
from inkwell.core import migrations
from inkwell.core.config import get_settings
from inkwell.metrics.multiproc import MULTIPROC_ENV
from inkwell.models.user import Role, User

runner = CliRunner()


@pytest.fixture(autouse=True)
def _restore_logging(keep_logging: None) -> None:
    """The CLI installs its own log handler on a stream the runner closes."""


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("INKWELL_DATABASE_URL", database_url)
    monkeypatch.setenv("INKWELL_ENV", "test")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_migrate_current_shows_head(cli_env: None) -> None:
    result = runner.invoke(cli.app, ["migrate", "current"])
    assert result.exit_code == 0, result.output
    head = migrations.head_revision()
    assert f"current: {head}" in result.output
    assert f"head:    {head}" in result.output


def test_migrate_upgrade_is_idempotent(cli_env: None) -> None:
    result = runner.invoke(cli.app, ["migrate", "upgrade"])
    assert result.exit_code == 0, result.output


def test_create_admin_validates_input(cli_env: None) -> None:
    result = runner.invoke(
        cli.app,
        [
            "create-admin",
            "--email",
            "not-an-email",
            "--username",
            "boss",
            "--password",
            "long enough pw",
        ],
    )
    assert result.exit_code != 0
    assert "email" in result.output.lower()
    weak = runner.invoke(
        cli.app,
        [
            "create-admin",
            "--email",
            "boss@example.com",
            "--username",
            "boss",
            "--password",
            "password123",
        ],
    )
    assert weak.exit_code != 0
    assert "too common" in weak.output


def test_serve_migrates_then_runs_uvicorn(
    cli_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INKWELL_DATA_DIR", str(tmp_path))
    calls: dict[str, Any] = {}
    monkeypatch.setattr(
        "inkwell.cli.uvicorn.run", lambda target, **kwargs: calls.update(target=target, **kwargs)
    )
    monkeypatch.setattr("inkwell.cli.migrations.upgrade", lambda url: calls.update(migrated=url))
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)  # restored when the test ends
    result = runner.invoke(cli.app, ["serve", "--port", "8123", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert calls["target"] == "inkwell.main:app_factory"
    assert calls["factory"] is True
    assert (calls["port"], calls["workers"]) == (8123, 2)
    assert calls["timeout_worker_healthcheck"] == 60  # not Uvicorn's 5 s
    assert calls["timeout_graceful_shutdown"] == 20
    assert calls["migrated"]
    assert os.environ[MULTIPROC_ENV] == str(tmp_path / "prometheus")  # the workers' metrics


def test_production_needs_a_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INKWELL_DATABASE_URL", raising=False)
    monkeypatch.setenv("INKWELL_ENV", "production")
    monkeypatch.setenv("INKWELL_JWT_SECRET", "p" * 40)
    monkeypatch.setenv("INKWELL_TRUSTED_HOSTS", "blog.example.com")
    get_settings.cache_clear()
    try:
        result = runner.invoke(cli.app, ["migrate", "current"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0
    assert "INKWELL_DATABASE_URL" in result.output


def test_create_admin_creates_then_promotes(cli_env: None, database_url: str) -> None:
    args = [
        "create-admin",
        "--email",
        "chief@example.com",
        "--username",
        "chief",
        "--password",
        "a long admin passphrase",
    ]
    first = runner.invoke(cli.app, args)
    assert first.exit_code == 0, first.output
    assert "chief is an admin" in first.output
    again = runner.invoke(cli.app, args)
    assert again.exit_code == 0, again.output
    asyncio.run(_assert_one_admin_then_remove(database_url, "chief@example.com"))


async def _assert_one_admin_then_remove(url: str, email: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.begin() as connection:
        roles = (await connection.execute(select(User.role).where(User.email == email))).all()
        await connection.execute(delete(User).where(User.email == email))
    await engine.dispose()
    assert roles == [(Role.ADMIN,)]


def test_relay_needs_kafka(cli_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INKWELL_KAFKA_BOOTSTRAP_SERVERS", raising=False)
    result = runner.invoke(cli.app, ["relay"])
    assert result.exit_code == 2
    assert "INKWELL_KAFKA_BOOTSTRAP_SERVERS" in result.output


def test_relay_runs_the_relay_with_an_engine_of_its_own(
    cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INKWELL_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
    ran: list[Any] = []

    async def relay_forever(settings: Any, engine: Any) -> None:
        ran.append((settings.kafka_bootstrap_servers, await engine.dispose()))

    monkeypatch.setattr("inkwell.events.relay.relay_forever", relay_forever)
    result = runner.invoke(cli.app, ["relay"])
    assert result.exit_code == 0, result.output
    assert ran == [("127.0.0.1:9", None)]
