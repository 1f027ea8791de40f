"""An Inkwell export archive (exporter.py) back to the neutral model: the same slugs, dates,
statuses, tags, versions, old slugs and comment threads."""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from inkwell.core.slugs import is_slug, slugify
from inkwell.models.comment import CommentStatus
from inkwell.models.post import PostStatus
from inkwell.porting import model
from inkwell.porting.exceptions import ImportFileInvalid
from inkwell.porting.exporter import DOCUMENT, FORMAT, FORMAT_VERSION

SOURCE = "inkwell"
MAX_DOCUMENT_BYTES = 2**31  # refuses a zip bomb's claim before reading it


def read_archive(path: Path) -> Iterator[model.Item]:
    """Every item of an Inkwell archive: users, posts with comments, then relations."""
    document = _document(path)
    yield model.Site(SOURCE, keys_are_ids=True)
    try:
        yield from (_author(user) for user in document["users"])
        yield from _posts(document)
        yield from _relations(document)
    except (KeyError, TypeError, ValueError) as error:
        raise ImportFileInvalid(f"not an Inkwell export: {error!r}") from error


def _document(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as archive:
            if archive.getinfo(DOCUMENT).file_size > MAX_DOCUMENT_BYTES:
                raise ImportFileInvalid(f"{DOCUMENT} is too large")
            document = json.loads(archive.read(DOCUMENT))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ImportFileInvalid(f"not an Inkwell export: {error}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportFileInvalid("not an Inkwell export: no format marker")
    if document.get("version") != FORMAT_VERSION:
        raise ImportFileInvalid(f"unsupported export version {document.get('version')!r}")
    return document


def _date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _author(user: dict[str, Any]) -> model.Author:
    return model.Author(
        key=user["id"],
        email=user["email"],
        login=user["username"],
        display_name=user.get("display_name"),
        bio=user.get("bio"),
    )


def _posts(document: dict[str, Any]) -> Iterator[model.Post]:
    comments: dict[str, list[model.Comment]] = defaultdict(list)
    for row in document["comments"]:
        comments[row["post_id"]].append(_comment(row))
    for post in document["posts"]:
        yield model.Post(
            key=post["id"],
            author_key=post["author_id"],
            title=post["title"],
            slug=_slug(post),
            markdown=post["content_raw"],
            status=PostStatus(post["status"]),
            published_at=_date(post["published_at"]),
            created_at=_date(post["created_at"]),
            updated_at=_date(post["updated_at"]),
            summary=post["summary"],
            tags=list(post["tags"]),
            old_slugs=[slug for slug in post["old_slugs"] if is_slug(slug)],
            comments=comments.get(post["id"], []),
            versions=[_version(v) for v in post["versions"]],
        )


def _slug(post: dict[str, Any]) -> str:
    """The post's slug when it is one (an archive is a file anyone could have edited)."""
    slug = str(post["slug"])
    return slug if is_slug(slug) else slugify(slug) or slugify(post["title"]) or "post"


def _comment(row: dict[str, Any]) -> model.Comment:
    return model.Comment(
        key=row["id"],
        parent_key=row["parent_id"],
        author_key=row["author_id"],
        markdown=row["content_raw"],
        created_at=_date(row["created_at"]) or datetime.fromtimestamp(0),
        status=CommentStatus(row["status"]),
    )


def _version(row: dict[str, Any]) -> model.Version:
    return model.Version(
        title=row["title"],
        summary=row["summary"],
        markdown=row["content_raw"],
        created_at=_date(row["created_at"]) or datetime.fromtimestamp(0),
        editor_key=row["editor_id"],
    )


def _relations(document: dict[str, Any]) -> Iterator[model.Relation]:
    for kind, section, user, target in (
        ("like", "likes", "user_id", "post_id"),
        ("bookmark", "bookmarks", "user_id", "post_id"),
        ("follow", "follows", "follower_id", "followee_id"),
    ):
        for row in document.get(section, []):
            yield model.Relation(
                kind, row[user], row[target], _date(row["created_at"]) or datetime.fromtimestamp(0)
            )
