"""editorial roles, the review status and co-authors

Roles become contributor, author, moderator, editor and admin: every `user` becomes an `author`
(the same rights), `moderator` and `admin` stay. The enum is rebuilt as a new type and the
column converted with a CASE, so no new value is used in the transaction that adds it.
Posts gain the status `pending_review`, a log of reviews and their co-authors
(`post_authors`, positions from 1; the primary author stays `posts.author_id`).

A downgrade maps contributor and author back to user and editor to moderator (the distinction
is lost), turns posts in review back into drafts and leaves the unused `pending_review` value
in `post_status` (PostgreSQL cannot drop an enum value).

Revision ID: 0021
Revises: 0020
Created: 2026-12-06 12:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_NEW_ROLES = ("contributor", "author", "moderator", "editor", "admin")
_OLD_ROLES = ("user", "moderator", "admin")


def _retype_roles(values: tuple[str, ...], case: str, default: str) -> None:
    """Convert users.role to a new user_role type of `values` through `case`."""
    names = ", ".join(f"'{value}'" for value in values)
    op.execute("ALTER TABLE users ALTER COLUMN role DROP DEFAULT")
    op.execute(f"CREATE TYPE user_role_next AS ENUM ({names})")
    op.execute(
        f"ALTER TABLE users ALTER COLUMN role TYPE user_role_next USING (CASE {case} END)"
        "::user_role_next"
    )
    op.execute("DROP TYPE user_role")
    op.execute("ALTER TYPE user_role_next RENAME TO user_role")
    op.execute(f"ALTER TABLE users ALTER COLUMN role SET DEFAULT '{default}'")


def upgrade() -> None:
    _retype_roles(
        _NEW_ROLES,
        "WHEN role::text = 'user' THEN 'author' ELSE role::text",
        "author",
    )
    op.execute("ALTER TYPE post_status ADD VALUE IF NOT EXISTS 'pending_review'")
    op.create_table(
        "post_authors",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_authors_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_post_authors_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", "user_id", name="pk_post_authors"),
    )
    op.create_index("ix_post_authors_user_id_post_id", "post_authors", ["user_id", "post_id"])
    op.create_table(
        "post_reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("reviewer_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_reviews_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_post_reviews_reviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_reviews")),
    )
    op.create_index("ix_post_reviews_post_id", "post_reviews", ["post_id"])
    op.create_index("ix_post_reviews_reviewer_id", "post_reviews", ["reviewer_id"])


def downgrade() -> None:
    op.drop_table("post_reviews")
    op.drop_table("post_authors")
    op.execute("UPDATE posts SET status = 'draft' WHERE status::text = 'pending_review'")
    _retype_roles(
        _OLD_ROLES,
        "WHEN role::text IN ('contributor', 'author') THEN 'user' "
        "WHEN role::text = 'editor' THEN 'moderator' ELSE role::text",
        "user",
    )
