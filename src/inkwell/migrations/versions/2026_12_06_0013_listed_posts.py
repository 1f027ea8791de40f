"""posts: tag lists read post_tags alone, and the number of listed posts is kept

Two reads cost most of a list's database time on 100,000 posts: finding a tag's newest listed
posts (and counting them up to the cap) walked the feed index and probed post_tags for each
post, and the RealWorld list's exact `articlesCount` counted every listed post.

- `post_tags.listed_at` is the post's `published_at` while the post is live and in a listed
  status, else NULL; a partial index on (tag_id, listed_at DESC, post_id DESC) answers a tag's
  page and its capped count on its own.
- `post_counts` keeps the number of listed posts (live, in a listed status, with a publication
  time); the time filter is applied at read time by subtracting the few still in the future.

Both are kept by triggers, so every writer (the app, the publishing job, a script, COPY) keeps
them right, in the writer's own transaction.

Revision ID: 0013
Revises: 0012
Created: 2026-12-06 03:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_FUNCTIONS = (
    """
    CREATE FUNCTION inkwell_listed_at(status post_status, published_at timestamptz,
                                      deleted_at timestamptz)
    RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN deleted_at IS NULL AND status IN ('published', 'scheduled')
                    THEN published_at END
    $$
    """,
    """
    -- A new tag link takes its post's listed_at. FOR SHARE waits for a change to the post that is
    -- still running, and reads its result, so a link cannot miss a concurrent publication.
    CREATE FUNCTION inkwell_post_tags_listed_at() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        post_listed_at timestamptz;
    BEGIN
        SELECT inkwell_listed_at(p.status, p.published_at, p.deleted_at) INTO post_listed_at
        FROM posts p WHERE p.id = NEW.post_id FOR SHARE;
        NEW.listed_at := post_listed_at;
        RETURN NEW;
    END
    $$
    """,
    """
    -- A post whose listed time changed (published, unpublished, rescheduled, archived, deleted)
    -- passes it to its tag links and adjusts the number of listed posts.
    CREATE FUNCTION inkwell_post_listed_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        new_listed_at timestamptz :=
            inkwell_listed_at(NEW.status, NEW.published_at, NEW.deleted_at);
        was_listed boolean :=
            inkwell_listed_at(OLD.status, OLD.published_at, OLD.deleted_at) IS NOT NULL;
    BEGIN
        UPDATE post_tags SET listed_at = new_listed_at WHERE post_id = NEW.id;
        IF was_listed <> (new_listed_at IS NOT NULL) THEN
            PERFORM inkwell_count_listed(CASE WHEN was_listed THEN -1 ELSE 1 END);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION inkwell_count_listed(change bigint) RETURNS void LANGUAGE sql AS $$
        INSERT INTO post_counts (name, value) VALUES ('listed', change)
        ON CONFLICT (name) DO UPDATE SET value = post_counts.value + EXCLUDED.value
    $$
    """,
    """
    CREATE FUNCTION inkwell_posts_added() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        listed bigint := (
            SELECT count(*) FROM added
            WHERE inkwell_listed_at(status, published_at, deleted_at) IS NOT NULL
        );
    BEGIN
        IF listed > 0 THEN
            PERFORM inkwell_count_listed(listed);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION inkwell_posts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        listed bigint := (
            SELECT count(*) FROM removed
            WHERE inkwell_listed_at(status, published_at, deleted_at) IS NOT NULL
        );
    BEGIN
        IF listed > 0 THEN
            PERFORM inkwell_count_listed(-listed);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION inkwell_posts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM post_counts WHERE name = 'listed';
        RETURN NULL;
    END
    $$
    """,
)

_TRIGGERS = (
    """
    CREATE TRIGGER post_tags_listed_at BEFORE INSERT OR UPDATE OF post_id ON post_tags
        FOR EACH ROW EXECUTE FUNCTION inkwell_post_tags_listed_at()
    """,
    """
    CREATE TRIGGER posts_listed_changed AFTER UPDATE OF status, published_at, deleted_at ON posts
        FOR EACH ROW
        WHEN (inkwell_listed_at(OLD.status, OLD.published_at, OLD.deleted_at)
              IS DISTINCT FROM inkwell_listed_at(NEW.status, NEW.published_at, NEW.deleted_at))
        EXECUTE FUNCTION inkwell_post_listed_changed()
    """,
    """
    CREATE TRIGGER posts_added AFTER INSERT ON posts REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION inkwell_posts_added()
    """,
    """
    CREATE TRIGGER posts_removed AFTER DELETE ON posts REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION inkwell_posts_removed()
    """,
    """
    CREATE TRIGGER posts_truncated AFTER TRUNCATE ON posts
        FOR EACH STATEMENT EXECUTE FUNCTION inkwell_posts_truncated()
    """,
)

_BACKFILL = (
    """
    UPDATE post_tags pt SET listed_at = inkwell_listed_at(p.status, p.published_at, p.deleted_at)
    FROM posts p WHERE p.id = pt.post_id AND p.published_at IS NOT NULL
    """,
    """
    INSERT INTO post_counts (name, value)
    SELECT 'listed', count(*) FROM posts
    WHERE inkwell_listed_at(status, published_at, deleted_at) IS NOT NULL
    """,
)


def upgrade() -> None:
    op.add_column("post_tags", sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "post_counts",
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_post_counts")),
    )
    for statement in (*_FUNCTIONS, *_BACKFILL, *_TRIGGERS):
        op.execute(statement)
    op.create_index(
        "ix_post_tags_listed",
        "post_tags",
        ["tag_id", sa.text("listed_at DESC"), sa.text("post_id DESC")],
        postgresql_where=sa.text("listed_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_post_tags_listed", table_name="post_tags")
    for trigger, table in (
        ("post_tags_listed_at", "post_tags"),
        ("posts_listed_changed", "posts"),
        ("posts_added", "posts"),
        ("posts_removed", "posts"),
        ("posts_truncated", "posts"),
    ):
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    for function in (
        "inkwell_post_tags_listed_at()",
        "inkwell_post_listed_changed()",
        "inkwell_posts_added()",
        "inkwell_posts_removed()",
        "inkwell_posts_truncated()",
        "inkwell_count_listed(bigint)",
        "inkwell_listed_at(post_status, timestamptz, timestamptz)",
    ):
        op.execute(f"DROP FUNCTION {function}")
    op.drop_table("post_counts")
    op.drop_column("post_tags", "listed_at")
