"""The posts migrations undo themselves: 0002's tables and enum type, 0005's TOAST target."""

from __future__ import annotations

from inkwell.core import migrations
from tests.database import query


def test_downgrade_to_0001_removes_posts_completely(empty_database: str) -> None:
    url = empty_database
    migrations.upgrade(url)
    migrations.downgrade(url, "0001")
    tables = query(url, "SELECT tablename FROM pg_tables WHERE schemaname='public'")
    assert {t for (t,) in tables} == {"alembic_version", "users", "user_sessions", "refresh_tokens"}
    types = query(url, "SELECT typname FROM pg_type WHERE typname = 'post_status'")
    assert types == []
    migrations.upgrade(url)


def test_0005_narrows_the_posts_heap_and_downgrades(empty_database: str) -> None:
    url = empty_database
    options = "SELECT reloptions FROM pg_class WHERE relname = 'posts'"
    migrations.upgrade(url)
    assert query(url, options) == [(["toast_tuple_target=128"],)]
    migrations.downgrade(url, "0004")
    assert query(url, options) == [(None,)]
