"""engagement: likes, bookmarks, follows and post_views

Revision ID: 0004
Revises: 0003
Created: 2026-11-22 06:14:15.176840
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follows",
        sa.Column("follower_id", sa.Uuid(), nullable=False),
        sa.Column("followee_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["followee_id"],
            ["users.id"],
            name=op.f("fk_follows_followee_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follower_id"],
            ["users.id"],
            name=op.f("fk_follows_follower_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("follower_id", "followee_id", name="pk_follows"),
    )
    op.create_index("ix_follows_followee_id", "follows", ["followee_id"], unique=False)
    op.create_table(
        "bookmarks",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_bookmarks_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_bookmarks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "post_id", name="pk_bookmarks"),
    )
    op.create_index("ix_bookmarks_post_id", "bookmarks", ["post_id"], unique=False)
    op.create_index(
        "ix_bookmarks_user_id_created_at",
        "bookmarks",
        ["user_id", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_table(
        "likes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_likes_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_likes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "post_id", name="pk_likes"),
    )
    op.create_index("ix_likes_post_id", "likes", ["post_id"], unique=False)
    op.create_index(
        "ix_likes_user_id_created_at",
        "likes",
        ["user_id", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_table(
        "post_views",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("viewer_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_views_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_post_views_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_views")),
    )
    op.create_index(
        "ix_post_views_post_id_seen_at", "post_views", ["post_id", "seen_at"], unique=False
    )
    op.create_index(
        "ix_post_views_post_id_viewer_hash_seen_at",
        "post_views",
        ["post_id", "viewer_hash", "seen_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_post_views_post_id_viewer_hash_seen_at", table_name="post_views")
    op.drop_index("ix_post_views_post_id_seen_at", table_name="post_views")
    op.drop_table("post_views")
    op.drop_index("ix_likes_user_id_created_at", table_name="likes")
    op.drop_index("ix_likes_post_id", table_name="likes")
    op.drop_table("likes")
    op.drop_index("ix_bookmarks_user_id_created_at", table_name="bookmarks")
    op.drop_index("ix_bookmarks_post_id", table_name="bookmarks")
    op.drop_table("bookmarks")
    op.drop_index("ix_follows_followee_id", table_name="follows")
    op.drop_table("follows")
