"""Inkwell archives read back: refused when they are not one, and an edited archive cannot
give a post a slug that is not a slug."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.models.post import Post
from inkwell.porting.archive import read_archive
from inkwell.porting.exceptions import ImportFileInvalid
from inkwell.porting.importer import import_file

USER = "0190f0a0-0000-7000-8000-000000000001"
POST = "0190f0a0-0000-7000-8000-000000000002"


def write(path: Path, document: dict[str, Any]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export.json", json.dumps(document))
    return path


def document(**post: Any) -> dict[str, Any]:
    return {
        "format": "inkwell-export",
        "version": 1,
        "kind": "site",
        "users": [{"id": USER, "username": "eve", "email": "eve@example.com"}],
        "posts": [
            {
                "id": POST,
                "author_id": USER,
                "title": "T" * 300,
                "slug": "../../etc/passwd",
                "status": "published",
                "published_at": "2024-01-01T00:00:00Z",
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-01T00:00:00Z",
                "summary": "s",
                "content_raw": "Body",
                "tags": [],
                "old_slugs": ["fine-old", "not a slug"],
                "versions": [],
                **post,
            }
        ],
        "comments": [],
    }


async def test_an_edited_archive_gets_real_slugs_and_fitting_titles(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession, tmp_path: Path
) -> None:
    path = write(tmp_path / "a.zip", document())

    await import_file(sessionmaker, kind="inkwell", path=path, max_depth=5)

    post = await session.scalar(
        select(Post).where(Post.author_id.is_not(None), Post.title.like("TTT%"))
    )
    assert post is not None
    assert post.slug == "etc-passwd"
    assert len(post.title) == 200


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not an Inkwell export"),
        ({"format": "other"}, "no format marker"),
        ({"format": "inkwell-export", "version": 9}, "unsupported export version"),
        ({**document(), "posts": [{"id": POST}]}, "not an Inkwell export"),
        (document(status="secret"), "not an Inkwell export"),
    ],
)
def test_other_files_are_refused(tmp_path: Path, content: Any, message: str) -> None:
    path = tmp_path / "a.zip"
    if content is None:
        path.write_bytes(b"not a zip")
    else:
        write(path, content)

    with pytest.raises(ImportFileInvalid, match=message):
        list(read_archive(path))
