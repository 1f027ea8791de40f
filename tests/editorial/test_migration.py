"""Migration 0021 changes no one's rights: user -> author, moderator and admin stay, new
accounts are authors; a downgrade maps the new roles back and turns posts in review to drafts."""

from __future__ import annotations

from inkwell.core import migrations
from tests.database import query

_ADD_USER = (
    "INSERT INTO users (id, email, username, password_hash, role) VALUES "
    "(gen_random_uuid(), '{name}@example.com', '{name}', 'x', '{role}') RETURNING id"
)
_ADD_POST = (
    "INSERT INTO posts (id, author_id, title, slug, summary, content_raw, content_html) "
    "VALUES (gen_random_uuid(), '{author}', 'T', 'slug-{author}', '', '', '') RETURNING id"
)
_ADD_COAUTHOR = "INSERT INTO post_authors VALUES ('{post}', '{user}', 1)"
_STATUS_OF = "SELECT status::text FROM posts WHERE id = '{post}'"
_TO_REVIEW = "UPDATE posts SET status = 'pending_review' WHERE id = '{post}'"
_ROLES = "SELECT username, role::text FROM users ORDER BY username"


def test_0021_maps_roles_both_ways_and_adds_no_author_rows(empty_database: str) -> None:
    url = empty_database
    migrations.upgrade(url, "0019")
    for name, role in (("ann", "user"), ("mod", "moderator"), ("root", "admin")):
        query(url, _ADD_USER.format(name=name, role=role))
    [(ann,)] = query(url, "SELECT id FROM users WHERE username = 'ann'")
    query(url, _ADD_POST.format(author=ann))

    migrations.upgrade(url, "0021")
    assert query(url, _ROLES) == [("ann", "author"), ("mod", "moderator"), ("root", "admin")]
    default = "SELECT column_default FROM information_schema.columns WHERE column_name = 'role'"
    assert query(url, default) == [("'author'::user_role",)]
    # The primary author stays posts.author_id alone: post_authors holds co-authors only.
    assert query(url, "SELECT count(*) FROM post_authors") == [(0,)]
    for name, role in (("cat", "contributor"), ("ed", "editor")):
        query(url, _ADD_USER.format(name=name, role=role))
    [(ed,)] = query(url, "SELECT id FROM users WHERE username = 'ed'")
    [(second,)] = query(url, _ADD_POST.format(author=ed))
    query(url, _ADD_COAUTHOR.format(post=second, user=ann))
    query(url, _TO_REVIEW.format(post=second))

    migrations.downgrade(url, "0019")
    assert query(url, _ROLES) == [
        ("ann", "user"),
        ("cat", "user"),
        ("ed", "moderator"),
        ("mod", "moderator"),
        ("root", "admin"),
    ]
    assert query(url, _STATUS_OF.format(post=second)) == [("draft",)]
    migrations.upgrade(url)
