"""posts: posts, tags, post_tags, post_versions and post_slugs

Revision ID: 0002
Revises: 0001
Created: 2026-11-22 05:28:23.131143
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Title weighs most, then the summary, then the body; kept by the database on every write.
SEARCH_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(content_raw, '')), 'C')"
)


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("slug", name="uq_tags_slug"),
    )
    op.create_index("uq_tags_name_lower", "tags", [sa.literal_column("lower(name)")], unique=True)
    op.create_table(
        "posts",
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "published", "scheduled", "archived", name="post_status"),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("content_raw", sa.Text(), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("content_json", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("reading_time", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                SEARCH_VECTOR,
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("comments_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("likes_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("bookmarks_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("views_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
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
            ["author_id"], ["users.id"], name=op.f("fk_posts_author_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    op.create_index(
        "ix_posts_author_created",
        "posts",
        ["author_id", sa.literal_column("created_at DESC"), sa.literal_column("id DESC")],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_posts_author_feed",
        "posts",
        ["author_id", sa.literal_column("published_at DESC"), sa.literal_column("id DESC")],
        unique=False,
        postgresql_where=sa.text("status IN ('published', 'scheduled') AND deleted_at IS NULL"),
    )
    op.create_index(
        "ix_posts_feed",
        "posts",
        [sa.literal_column("published_at DESC"), sa.literal_column("id DESC")],
        unique=False,
        postgresql_where=sa.text("status IN ('published', 'scheduled') AND deleted_at IS NULL"),
    )
    op.create_index(
        "ix_posts_metadata",
        "posts",
        ["metadata"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"metadata": "jsonb_path_ops"},
    )
    op.create_index(
        "ix_posts_popular",
        "posts",
        [
            sa.literal_column("likes_count DESC"),
            sa.literal_column("published_at DESC"),
            sa.literal_column("id DESC"),
        ],
        unique=False,
        postgresql_where=sa.text("status IN ('published', 'scheduled') AND deleted_at IS NULL"),
    )
    op.create_index(
        "ix_posts_search_vector", "posts", ["search_vector"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "uq_posts_slug_live",
        "posts",
        ["slug"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "post_slugs",
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_slugs_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_post_slugs")),
    )
    op.create_index(op.f("ix_post_slugs_post_id"), "post_slugs", ["post_id"], unique=False)
    op.create_table(
        "post_tags",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_tags_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_post_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "tag_id", name="pk_post_tags"),
    )
    op.create_index("ix_post_tags_tag_id_post_id", "post_tags", ["tag_id", "post_id"], unique=False)
    op.create_table(
        "post_versions",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("content_raw", sa.Text(), nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("editor_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["users.id"],
            name=op.f("fk_post_versions_editor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_versions_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_versions")),
        sa.UniqueConstraint("post_id", "version", name="uq_post_versions_post_id_version"),
    )
    op.create_index(
        op.f("ix_post_versions_editor_id"), "post_versions", ["editor_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_post_versions_editor_id"), table_name="post_versions")
    op.drop_table("post_versions")
    op.drop_index("ix_post_tags_tag_id_post_id", table_name="post_tags")
    op.drop_table("post_tags")
    op.drop_index(op.f("ix_post_slugs_post_id"), table_name="post_slugs")
    op.drop_table("post_slugs")
    op.drop_index("uq_posts_slug_live", table_name="posts")
    op.drop_index("ix_posts_search_vector", table_name="posts")
    op.drop_index("ix_posts_popular", table_name="posts")
    op.drop_index("ix_posts_metadata", table_name="posts")
    op.drop_index("ix_posts_feed", table_name="posts")
    op.drop_index("ix_posts_author_feed", table_name="posts")
    op.drop_index("ix_posts_author_created", table_name="posts")
    op.drop_table("posts")
    op.drop_index("uq_tags_name_lower", table_name="tags")
    op.drop_table("tags")
    sa.Enum(name="post_status").drop(op.get_bind(), checkfirst=True)
