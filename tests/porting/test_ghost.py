"""Ghost (5.x JSON export) imports: posts and pages, authors, tags, published, draft and
scheduled status."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.security import UNUSABLE_PASSWORD
from inkwell.models.post import Post
from inkwell.models.user import User
from inkwell.porting.exceptions import ImportFileInvalid
from inkwell.porting.ghost import read_ghost
from inkwell.porting.importer import import_file
from tests.porting.files import write_ghost
from tests.porting.test_wordpress import post_by_slug, tag_names


async def test_posts_authors_tags_and_statuses(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    later = {
        "id": "6650a3",
        "title": "About Us",
        "slug": "about-us",
        "html": "<p>Soon.</p>",
        "type": "page",
        "status": "scheduled",
        "created_at": "2024-03-04T08:00:00.000Z",
        "updated_at": "2024-03-04T08:00:00.000Z",
        "published_at": "2099-06-01T12:00:00.000Z",
    }
    path = write_ghost(tmp_path / "ghost.json")
    document = json.loads(path.read_text())
    data = document["db"][0]["data"]
    data["posts"].append(later)
    data["posts_authors"].append({"id": "pa3", "post_id": "6650a3", "author_id": "1"})
    path.write_text(json.dumps(document))
    report = await import_file(sessionmaker, kind="ghost", path=path, max_depth=5)

    assert (report.posts_created, report.authors_created) == (3, 1)
    page = await post_by_slug(session, "about-us")
    assert (page.status, page.published_at) == ("scheduled", datetime(2099, 6, 1, 12, tzinfo=UTC))
    assert await tag_names(session, page) == ["page"]
    post = await post_by_slug(session, "ghost-post")
    assert post.status == "published"
    assert post.published_at == datetime(2024, 3, 1, 9, tzinfo=UTC)
    assert post.created_at == datetime(2024, 3, 1, 8, tzinfo=UTC)
    assert post.content_raw == "From [Ghost](https://ghost.org).\n\n## Part"
    assert 'rel="nofollow noopener"' in post.content_html
    assert await tag_names(session, post) == ["Getting Started"]  # internal tags left out
    draft = await post_by_slug(session, "ghost-draft")
    assert (draft.status, draft.published_at) == ("draft", None)
    gina = await session.scalar(select(User).where(User.email == "gina@example.com"))
    assert gina is not None
    assert (gina.username, gina.display_name, gina.bio) == ("gina", "Gina Host", "Writes things.")
    assert gina.password_hash == UNUSABLE_PASSWORD
    assert post.author_id == gina.id

    again = await import_file(sessionmaker, kind="ghost", path=path, max_depth=5)
    assert (again.posts_created, again.posts_skipped) == (0, 3)
    assert len((await session.scalars(select(Post).where(Post.author_id == gina.id))).all()) == 3


@pytest.mark.parametrize(
    "content", ['{"db": []}', "not json", '{"db": [{"data": {"posts": {}}}]}', "[1]"]
)
def test_other_files_are_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "ghost.json"
    path.write_text(content)

    with pytest.raises(ImportFileInvalid):
        list(read_ghost(path))
