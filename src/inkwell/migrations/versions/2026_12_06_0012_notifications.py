"""notifications: the notifications with their grouped actors, each user's settings per
kind, and blocks and mutes; the notifications consumer's cursor at the outbox's end

Revision ID: 0012
Revises: 0011
Created: 2026-12-06 02:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_START_AT_THE_END = """
INSERT INTO outbox_consumers (name, xact_id, position)
SELECT 'notifications', xact_id, position FROM outbox_events
ORDER BY xact_id DESC, position DESC LIMIT 1
ON CONFLICT (name) DO NOTHING
"""


def upgrade() -> None:
    op.create_table(
        "blocks",
        sa.Column("blocker_id", sa.Uuid(), nullable=False),
        sa.Column("blocked_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["blocked_id"],
            ["users.id"],
            name=op.f("fk_blocks_blocked_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blocker_id"],
            ["users.id"],
            name=op.f("fk_blocks_blocker_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name="pk_blocks"),
    )
    op.create_index("ix_blocks_blocked_id", "blocks", ["blocked_id"], unique=False)
    op.create_index(
        "ix_blocks_blocker_id_created_at",
        "blocks",
        ["blocker_id", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_table(
        "mutes",
        sa.Column("muter_id", sa.Uuid(), nullable=False),
        sa.Column("muted_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["muted_id"], ["users.id"], name=op.f("fk_mutes_muted_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["muter_id"], ["users.id"], name=op.f("fk_mutes_muter_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("muter_id", "muted_id", name="pk_mutes"),
    )
    op.create_index("ix_mutes_muted_id", "mutes", ["muted_id"], unique=False)
    op.create_index(
        "ix_mutes_muter_id_created_at",
        "mutes",
        ["muter_id", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "comment",
                "reply",
                "like",
                "follow",
                "new_post",
                "comment_hidden",
                name="notification_kind",
            ),
            nullable=False,
        ),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column(
            "email", sa.Enum("off", "immediate", "daily", name="email_delivery"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name="pk_notification_settings"),
    )
    op.create_table(
        "notifications",
        sa.Column("recipient_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "comment",
                "reply",
                "like",
                "follow",
                "new_post",
                "comment_hidden",
                name="notification_kind",
            ),
            nullable=False,
        ),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("actor_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("actors_count", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=True),
        sa.Column("comment_id", sa.Uuid(), nullable=True),
        sa.Column(
            "email",
            sa.Enum("off", "immediate", "daily", name="email_delivery"),
            server_default=sa.text("'off'"),
            nullable=False,
        ),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_notifications_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_notifications_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_notifications_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("recipient_id", "event_id", "kind", name="uq_notifications_event"),
    )
    op.create_index("ix_notifications_comment_id", "notifications", ["comment_id"], unique=False)
    op.create_index(
        "ix_notifications_email_wanted",
        "notifications",
        ["updated_at"],
        unique=False,
        postgresql_where=sa.text("email <> 'off' AND emailed_at IS NULL"),
    )
    op.create_index("ix_notifications_post_id", "notifications", ["post_id"], unique=False)
    op.create_index(
        "ix_notifications_recipient_id_updated_at",
        "notifications",
        ["recipient_id", "updated_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_notifications_unread",
        "notifications",
        ["recipient_id", "updated_at", "id"],
        unique=False,
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_index(
        "uq_notifications_one_per_post",
        "notifications",
        ["recipient_id", "kind", "post_id"],
        unique=True,
        postgresql_where=sa.text("kind IN ('like', 'new_post')"),
    )
    op.create_table(
        "notification_actors",
        sa.Column("notification_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_notification_actors_actor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_notification_actors_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("notification_id", "actor_id", name="pk_notification_actors"),
    )
    # The notifications consumer starts at the last event written before it existed: the
    # events kept in the outbox from before (hours of them) would notify about the past.
    op.execute(_START_AT_THE_END)


def downgrade() -> None:
    op.execute("DELETE FROM outbox_consumers WHERE name = 'notifications'")
    op.drop_table("notification_actors")
    op.drop_table("notifications")  # its indexes go with it
    op.drop_table("notification_settings")
    sa.Enum(name="notification_kind").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="email_delivery").drop(op.get_bind(), checkfirst=True)
    op.drop_table("mutes")
    op.drop_table("blocks")
