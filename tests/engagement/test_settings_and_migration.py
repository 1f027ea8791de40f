"""The viewer-hash key setting, and migration 0004 coming and going cleanly."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from inkwell.core import migrations
from inkwell.core.config import Settings
from tests.database import query

STRONG = "s" * 48


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_view_hash_key_is_derived_from_the_jwt_secret_when_unset() -> None:
    one = settings(jwt_secret=STRONG)
    other_worker = settings(jwt_secret=STRONG)
    rotated = settings(jwt_secret="t" * 48)
    assert one.view_hash_key == other_worker.view_hash_key != rotated.view_hash_key
    assert STRONG.encode() not in one.view_hash_key
    assert len(one.view_hash_key) == 32


def test_an_explicit_view_hash_salt_wins() -> None:
    assert settings(view_hash_salt="x" * 40).view_hash_key == b"x" * 40


def test_production_refuses_a_short_view_hash_salt() -> None:
    with pytest.raises(ValidationError, match="VIEW_HASH_SALT"):
        settings(env="production", jwt_secret=STRONG, view_hash_salt="short")


def _tables(url: str) -> set[str]:
    return {
        name
        for (name,) in query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    }


ENGAGEMENT_TABLES = {"likes", "bookmarks", "follows", "post_views"}


def test_downgrade_of_0004_removes_the_engagement_tables(empty_database: str) -> None:
    migrations.upgrade(empty_database, "0004")
    assert _tables(empty_database) >= ENGAGEMENT_TABLES
    migrations.downgrade(empty_database, "-1")
    assert not ENGAGEMENT_TABLES & _tables(empty_database)
    assert "posts" in _tables(empty_database)
