"""post preview links: secret, revocable links that show a draft or scheduled post

Revision ID: 0019
Revises: 0018
Created: 2026-12-06 10:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_preview_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_post_preview_links_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_preview_links_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_preview_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_post_preview_links_token_hash")),
    )
    op.create_index(op.f("ix_post_preview_links_created_by"), "post_preview_links", ["created_by"])
    op.create_index(op.f("ix_post_preview_links_post_id"), "post_preview_links", ["post_id"])


def downgrade() -> None:
    op.drop_table("post_preview_links")
