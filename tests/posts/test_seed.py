"""The demo data: authors, about fifty posts with tags, through the same service as the API."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from inkwell.cli import app
from inkwell.core.config import Settings, get_settings
from inkwell.models.post import Post, PostVersion, Tag
from inkwell.posts.seed import seed_demo
from tests.factories import FastHasher


async def test_seed_demo_makes_a_living_blog(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    created = await seed_demo(session, FastHasher(), settings, posts=50)  # type: ignore[arg-type]
    await session.commit()
    assert created == 50
    assert await session.scalar(select(func.count()).select_from(Post)) == 50
    assert await session.scalar(select(func.count()).select_from(PostVersion)) == 50
    assert (await session.scalar(select(func.count()).select_from(Tag)) or 0) >= 8
    listed = (await client.get("/api/v1/posts")).json()
    assert 40 <= listed["total"] < 50
    assert all(item["tags"] for item in listed["items"])
    assert await seed_demo(session, FastHasher(), settings) == 0  # type: ignore[arg-type]


def test_seed_demo_command(empty_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INKWELL_DATABASE_URL", empty_database)
    monkeypatch.setenv("INKWELL_ENV", "development")
    # The CLI configures logging onto the runner's captured streams, which close afterwards.
    monkeypatch.setattr("inkwell.cli.configure_logging", lambda _settings: None)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(app, ["seed-demo"])
        assert first.exit_code == 0, first.output
        assert "created 50 demo posts" in first.output
        second = runner.invoke(app, ["seed-demo"])
        assert "already present" in second.output
        monkeypatch.setenv("INKWELL_ENV", "production")
        monkeypatch.setenv("INKWELL_JWT_SECRET", "x" * 64)
        monkeypatch.setenv("INKWELL_TRUSTED_HOSTS", "blog.example.com")
        get_settings.cache_clear()
        assert runner.invoke(app, ["seed-demo"]).exit_code != 0
    finally:
        get_settings.cache_clear()
