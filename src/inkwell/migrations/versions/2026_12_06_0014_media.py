"""media: uploaded images, owned by their uploader, processed by a job; users.avatar_media_id,
posts.cover_media_id and posts.cover (a copy of what responses show of the cover)

Revision ID: 0014
Revises: 0013
Created: 2026-12-06 06:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("byte_size", sa.BigInteger(), nullable=False),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'processing'"), nullable=False
        ),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column(
            "meta",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint(
            "status IN ('processing', 'ready', 'failed')", name=op.f("ck_media_status")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_media_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
        sa.UniqueConstraint("key", name=op.f("uq_media_key")),
    )
    op.create_index("ix_media_owner_created", "media", ["owner_id", "created_at"])
    op.add_column("users", sa.Column("avatar_media_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_users_avatar_media_id_media"),
        "users",
        "media",
        ["avatar_media_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(op.f("ix_users_avatar_media_id"), "users", ["avatar_media_id"])
    op.add_column("posts", sa.Column("cover_media_id", sa.Uuid(), nullable=True))
    op.add_column(
        "posts", sa.Column("cover", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.create_foreign_key(
        op.f("fk_posts_cover_media_id_media"),
        "posts",
        "media",
        ["cover_media_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(
        "ix_posts_cover_media_id",
        "posts",
        ["cover_media_id"],
        postgresql_where=sa.text("cover_media_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_posts_cover_media_id", table_name="posts")
    op.drop_constraint(op.f("fk_posts_cover_media_id_media"), "posts", type_="foreignkey")
    op.drop_column("posts", "cover")
    op.drop_column("posts", "cover_media_id")
    op.drop_index(op.f("ix_users_avatar_media_id"), table_name="users")
    op.drop_constraint(op.f("fk_users_avatar_media_id_media"), "users", type_="foreignkey")
    op.drop_column("users", "avatar_media_id")
    op.drop_index("ix_media_owner_created", table_name="media")
    op.drop_table("media")
