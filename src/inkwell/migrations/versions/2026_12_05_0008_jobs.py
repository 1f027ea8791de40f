"""jobs: procrastinate's schema, and an index of scheduled posts for the publishing sweep

Revision ID: 0008
Revises: 0007
Created: 2026-12-05 00:50:00.000000
"""

from __future__ import annotations

from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy import text
from sqlalchemy.util import await_only

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# procrastinate's objects are all named procrastinate_*; its functions have overloads, so they
# are dropped by signature as the catalogue lists them.
_DROP_PROCRASTINATE = """
DO $$
DECLARE
    item record;
BEGIN
    DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers,
        procrastinate_jobs, procrastinate_workers CASCADE;
    FOR item IN
        SELECT p.oid::regprocedure AS signature FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'
    LOOP
        EXECUTE 'DROP FUNCTION ' || item.signature || ' CASCADE';
    END LOOP;
    DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
        procrastinate_job_status CASCADE;
END
$$
"""


def _run_script(sql: str) -> None:
    """Run several statements at once: asyncpg prepares what SQLAlchemy sends, and a prepared
    statement holds one command, so the script goes to the driver's simple protocol."""
    driver = op.get_bind().connection.driver_connection
    await_only(driver.execute(sql))  # type: ignore[union-attr]


def upgrade() -> None:
    # The schema of the installed procrastinate (pinned in pyproject.toml); a later version's
    # own migration scripts go into later revisions.
    _run_script(SchemaManager.get_schema())
    op.create_index(
        "ix_posts_scheduled",
        "posts",
        ["published_at"],
        postgresql_where=text("status = 'scheduled' AND deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_posts_scheduled", table_name="posts")
    _run_script(_DROP_PROCRASTINATE)
