"""Migration 0003 downgrades completely: its table, enum type and post columns are gone."""

from __future__ import annotations

from inkwell.core import migrations
from tests.database import query


def test_downgrade_to_0002_removes_comments_completely(empty_database: str) -> None:
    url = empty_database
    migrations.upgrade(url)
    migrations.downgrade(url, "0002")
    tables = query(url, "SELECT tablename FROM pg_tables WHERE schemaname='public'")
    assert "comments" not in {t for (t,) in tables}
    types = query(url, "SELECT typname FROM pg_type WHERE typname = 'comment_status'")
    assert types == []
    columns = query(
        url,
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'posts' AND column_name LIKE '%comments%'",
    )
    assert columns == [("comments_count",)]
    migrations.upgrade(url)
