"""outbox_consumer_ahead: rows a consumer that reads ahead of the horizon has handled above
its cursor (so the live consumer need not wait for the oldest running transaction)

Revision ID: 0017
Revises: 0016
Created: 2026-12-06 09:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_consumer_ahead",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("xact_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consumer"],
            ["outbox_consumers.name"],
            name=op.f("fk_outbox_consumer_ahead_consumer_outbox_consumers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consumer", "position", name=op.f("pk_outbox_consumer_ahead")),
    )


def downgrade() -> None:
    op.drop_table("outbox_consumer_ahead")
