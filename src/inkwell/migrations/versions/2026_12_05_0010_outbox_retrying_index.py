"""outbox: index only the rows waiting for a retry, which the relay's per-key order checks

The relay skips a row while an earlier row of its key waits for a retry. It used to check each
pending row against every earlier pending row of its key, so a backlog (after the broker was
down) cost seconds a batch; it now looks up the few rows waiting for a retry first.

Revision ID: 0010
Revises: 0009
Created: 2026-12-05 21:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_outbox_events_pending_key", table_name="outbox_events")
    op.create_index(
        "ix_outbox_events_retrying",
        "outbox_events",
        ["key", "position"],
        postgresql_where=sa.text("published_at IS NULL AND attempts > 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_events_retrying", table_name="outbox_events")
    op.create_index(
        "ix_outbox_events_pending_key",
        "outbox_events",
        ["key", "position"],
        postgresql_where=sa.text("published_at IS NULL"),
    )
