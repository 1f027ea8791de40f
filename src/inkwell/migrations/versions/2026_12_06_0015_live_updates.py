"""live updates: tickets, channel sequence numbers, messages kept for resuming

- `live_tickets`: the SHA-256 of each single-use WebSocket ticket, its user and expiry.
- `live_channels`: the last sequence number of each channel.
- `live_messages`: each message of a post channel (the moderators' form, with the redacted
  form inside), so `GET /posts/{id}/comments?since=` can answer what changed after a number.

The live consumer of the outbox starts at the outbox's end.

Revision ID: 0015
Revises: 0014
Created: 2026-12-06 06:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_START_AT_THE_END = """
INSERT INTO outbox_consumers (name, xact_id, position)
SELECT 'live', xact_id, position FROM outbox_events
ORDER BY xact_id DESC, position DESC LIMIT 1
ON CONFLICT (name) DO NOTHING
"""


def upgrade() -> None:
    op.create_table(
        "live_tickets",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_live_tickets_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_live_tickets")),
    )
    op.create_index("ix_live_tickets_expires_at", "live_tickets", ["expires_at"], unique=False)
    op.create_table(
        "live_channels",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_live_channels")),
    )
    op.create_table(
        "live_messages",
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("comment_id", sa.Uuid(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("channel", "seq", name="pk_live_messages"),
    )
    op.create_index("ix_live_messages_created_at", "live_messages", ["created_at"], unique=False)
    op.execute(_START_AT_THE_END)


def downgrade() -> None:
    op.execute("DELETE FROM outbox_consumers WHERE name = 'live'")
    op.drop_table("live_messages")
    op.drop_table("live_channels")
    op.drop_table("live_tickets")
