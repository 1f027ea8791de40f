"""comments: the comments table and the comment settings of posts

Revision ID: 0003
Revises: 0002
Created: 2026-11-22 06:13:50.725288
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PENDING = "status = 'pending' AND deleted_at IS NULL"


def upgrade() -> None:
    op.add_column(
        "posts",
        sa.Column("allow_comments", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.add_column(
        "posts",
        sa.Column(
            "moderate_comments", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )
    op.create_table(
        "comments",
        sa.Column("number", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("root_id", sa.Uuid(), nullable=False),
        sa.Column("path", sa.Text(collation="C"), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("content_raw", sa.Text(), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("visible", "hidden", "pending", name="comment_status"),
            server_default="visible",
            nullable=False,
        ),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
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
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_comments_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["comments.id"],
            name=op.f("fk_comments_parent_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_comments_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        sa.UniqueConstraint("number", name=op.f("uq_comments_number")),
    )
    op.create_index(op.f("ix_comments_author_id"), "comments", ["author_id"], unique=False)
    op.create_index(op.f("ix_comments_parent_id"), "comments", ["parent_id"], unique=False)
    op.create_index(op.f("ix_comments_post_id"), "comments", ["post_id"], unique=False)
    op.create_index("ix_comments_root_id_path", "comments", ["root_id", "path"], unique=False)
    op.create_index(
        "ix_comments_post_roots",
        "comments",
        ["post_id", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text("parent_id IS NULL"),
    )
    op.create_index(
        "ix_comments_pending",
        "comments",
        ["post_id", "created_at"],
        unique=False,
        postgresql_where=sa.text(PENDING),
    )


def downgrade() -> None:
    op.drop_table("comments")  # its indexes go with it
    sa.Enum(name="comment_status").drop(op.get_bind(), checkfirst=True)
    op.drop_column("posts", "moderate_comments")
    op.drop_column("posts", "allow_comments")
