"""Exports: the whole site or one user's own data as `export.json` plus one Markdown file per
post with YAML front matter, in a zip archive. archive.py reads a site export back in."""

from __future__ import annotations

import enum
import json
import uuid
import zipfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.porting.repository import ExportRepository

FORMAT = "inkwell-export"
FORMAT_VERSION = 1
DOCUMENT = "export.json"


async def site_document(session: AsyncSession) -> dict[str, Any]:
    """Everything of the site: users (without passwords), posts with their versions, tags and
    old slugs, comments with their threads, likes, bookmarks and follows."""
    rows = ExportRepository(session)
    return _document(
        "site",
        users=await rows.users(),
        posts=_with_versions(await rows.posts(), await rows.versions()),
        comments=await rows.comments(),
        likes=await rows.relations("like"),
        bookmarks=await rows.relations("bookmark"),
        follows=await rows.relations("follow"),
    )


async def user_document(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Any]:
    """One user's own data (their profile, posts with versions, comments, likes, bookmarks,
    whom they follow and who follows them)."""
    rows = ExportRepository(session)
    return _document(
        "user",
        users=await rows.users(user_id),
        posts=_with_versions(await rows.posts(user_id), await rows.versions(user_id)),
        comments=await rows.comments(user_id),
        likes=await rows.relations("like", user_id),
        bookmarks=await rows.relations("bookmark", user_id),
        follows=await rows.relations("follow", user_id),
        followers=await rows.followers(user_id),
    )


def _document(kind: str, **sections: list[dict[str, Any]]) -> dict[str, Any]:
    header = {"format": FORMAT, "version": FORMAT_VERSION, "kind": kind}
    return {**header, "exported_at": datetime.now(UTC), **sections}


def _with_versions(
    posts: list[dict[str, Any]], versions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    by_post: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for version in versions:
        by_post[version.pop("post_id")].append(version)
    return [{**post, "versions": by_post.get(post["id"], [])} for post in posts]


def _plain(value: Any) -> Any:
    """JSON and YAML values of what the rows hold."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(type(value).__name__)


def write_archive(document: dict[str, Any], target: Path | IO[bytes]) -> None:
    """The zip: export.json, and posts/<slug>.md for each post."""
    usernames = {user["id"]: user["username"] for user in document["users"]}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DOCUMENT, json.dumps(document, default=_plain, ensure_ascii=False))
        for post in document["posts"]:
            archive.writestr(f"posts/{post['slug']}.md", _markdown_file(post, usernames))


def _markdown_file(post: dict[str, Any], usernames: dict[uuid.UUID, str]) -> str:
    front = {
        "title": post["title"],
        "slug": post["slug"],
        "status": _plain(post["status"]),
        "published_at": _plain(post["published_at"]) if post["published_at"] else None,
        "created_at": _plain(post["created_at"]),
        "updated_at": _plain(post["updated_at"]),
        "tags": list(post["tags"]),
        "authors": [usernames.get(post["author_id"], str(post["author_id"]))],
    }
    matter = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    return f"---\n{matter}---\n\n{post['content_raw']}\n"


async def export_to(
    session: AsyncSession, target: Path | IO[bytes], *, username: str | None = None
) -> bool:
    """Write the site's archive, or the user's with this username (False: no such user)."""
    if username is None:
        write_archive(await site_document(session), target)
        return True
    user_id = await ExportRepository(session).user_id(username)
    if user_id is None:
        return False
    write_archive(await user_document(session, user_id), target)
    return True
