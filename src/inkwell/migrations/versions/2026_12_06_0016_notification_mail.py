"""notification mail: headers kept with each outgoing message (List-Unsubscribe), the time a
message was refused for good, and whether a notification shows in the app

Revision ID: 0016
Revises: 0015
Created: 2026-12-06 06:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "outgoing_mail",
        sa.Column(
            "headers",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column(
        "outgoing_mail", sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "notifications",
        sa.Column("in_app", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("notifications", "in_app")
    op.drop_column("outgoing_mail", "failed_at")
    op.drop_column("outgoing_mail", "headers")
