"""series of posts, featured posts (SEO fields live in the post's versioned metadata)

Revision ID: 0022
Revises: 0021
Created: 2026-12-06 12:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_LISTED = "status IN ('published', 'scheduled') AND deleted_at IS NULL"


def upgrade() -> None:
    op.add_column("posts", sa.Column("featured_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_posts_featured",
        "posts",
        [sa.literal_column("published_at DESC"), sa.literal_column("id DESC")],
        postgresql_where=sa.text(f"featured_at IS NOT NULL AND {_LISTED}"),
    )
    op.create_table(
        "series",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_series_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
        sa.UniqueConstraint("slug", name="uq_series_slug"),
    )
    op.create_index(
        "ix_series_owner_id_created_at",
        "series",
        ["owner_id", sa.literal_column("created_at DESC")],
    )
    op.create_table(
        "series_posts",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("series_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_series_posts_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["series.id"],
            name=op.f("fk_series_posts_series_id_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_series_posts")),
        sa.UniqueConstraint("series_id", "position", name="uq_series_posts_series_id_position"),
    )


def downgrade() -> None:
    op.drop_table("series_posts")
    op.drop_index("ix_series_owner_id_created_at", table_name="series")
    op.drop_table("series")
    op.drop_index("ix_posts_featured", table_name="posts")
    op.drop_column("posts", "featured_at")
