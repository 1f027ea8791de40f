"""A Ghost JSON export (Ghost 5.x: `{"db": [{"meta": ..., "data": {...}}]}`) to the neutral
model. Bodies come from `html` (Ghost writes it beside `lexical`/`mobiledoc`)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from inkwell.core.slugs import slugify
from inkwell.models.post import PostStatus
from inkwell.porting import model
from inkwell.porting.exceptions import ImportFileInvalid

STATUSES = {
    "published": PostStatus.PUBLISHED,
    "scheduled": PostStatus.SCHEDULED,
    "draft": PostStatus.DRAFT,
    "sent": PostStatus.PUBLISHED,  # a post sent only as a newsletter
}
PAGE_TAG = "page"


def read_ghost(path: Path) -> Iterator[model.Item]:
    """Every item of a Ghost export: its authors, then its posts and pages."""
    data = _data(path)
    yield model.Site("ghost")
    users = {u["id"]: u for u in _list(data, "users")}
    for user in users.values():
        yield _author(user)
    tags = {t["id"]: t for t in _list(data, "tags") if t.get("visibility") != "internal"}
    post_tags = _grouped(_list(data, "posts_tags"), "tag_id")
    post_authors = _grouped(_list(data, "posts_authors"), "author_id")
    for post in _list(data, "posts"):
        converted = _post(post, tags, post_tags, post_authors)
        if converted is not None:
            yield converted


def _data(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_bytes())
        data = document["db"][0]["data"]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ImportFileInvalid(f"not a Ghost export: {error}") from error
    if not isinstance(data, dict):
        raise ImportFileInvalid("not a Ghost export: `data` is not an object")
    return data


def _list(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    rows = data.get(name, [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ImportFileInvalid(f"not a Ghost export: `{name}` is not a list of objects")
    return rows


def _grouped(rows: list[dict[str, Any]], value: str) -> dict[str, list[str]]:
    """post id -> the linked ids, in their sort order."""
    ordered = sorted(rows, key=lambda r: r.get("sort_order") or 0)
    grouped: dict[str, list[str]] = defaultdict(list)
    for row in ordered:
        grouped[str(row.get("post_id"))].append(str(row.get(value)))
    return grouped


def _author(user: dict[str, Any]) -> model.Author:
    return model.Author(
        key=str(user["id"]),
        email=str(user.get("email") or ""),
        login=str(user.get("slug") or user.get("name") or ""),
        display_name=user.get("name"),
        bio=user.get("bio"),
    )


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise ImportFileInvalid(f"unreadable date {value!r}") from error


def _post(
    post: dict[str, Any],
    tags: dict[str, dict[str, Any]],
    post_tags: dict[str, list[str]],
    post_authors: dict[str, list[str]],
) -> model.Post | None:
    status = STATUSES.get(str(post.get("status")))
    key = str(post.get("id"))
    authors = post_authors.get(key) or [str(post.get("author_id") or post.get("created_by"))]
    if status is None or post.get("type", "post") not in {"post", "page"}:
        return None
    title = str(post.get("title") or "Untitled")[:200]
    names = [str(tags[t]["name"])[:50] for t in post_tags.get(key, []) if t in tags]
    return model.Post(
        key=key,
        author_key=authors[0],
        title=title,
        slug=slugify(str(post.get("slug") or "")) or slugify(title) or "post",
        markdown="",
        html=str(post.get("html") or ""),
        status=status,
        published_at=_date(post.get("published_at")) if status != PostStatus.DRAFT else None,
        created_at=_date(post.get("created_at")),
        updated_at=_date(post.get("updated_at")),
        summary=(post.get("custom_excerpt") or None),
        tags=names + ([PAGE_TAG] if post.get("type") == "page" else []),
    )
