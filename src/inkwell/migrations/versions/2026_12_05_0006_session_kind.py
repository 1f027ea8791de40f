"""session kind: a login session is an /api/v1 session or a RealWorld one

Revision ID: 0006
Revises: 0005
Created: 2026-12-05 00:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SESSION_KIND = sa.Enum("api", "realworld", name="session_kind")


def upgrade() -> None:
    # Existing sessions are /api/v1 ones (RealWorld logins made them too, but their tokens
    # lived 15 minutes, as /api/v1 tokens do).
    SESSION_KIND.create(op.get_bind())
    op.add_column(
        "user_sessions",
        sa.Column("kind", SESSION_KIND, server_default="api", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("user_sessions", "kind")
    SESSION_KIND.drop(op.get_bind())
