"""WordPress eXtended RSS (WXR 1.2) to the neutral model, streamed with defusedxml's
iterparse (entity declarations and external references refused)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from inkwell.core.slugs import is_slug, slugify
from inkwell.models.comment import CommentStatus
from inkwell.models.post import PostStatus
from inkwell.porting import model
from inkwell.porting.convert import paragraphs
from inkwell.porting.exceptions import ImportFileInvalid

WP = "{http://wordpress.org/export/1.2/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
EXCERPT = "{http://wordpress.org/export/1.2/excerpt/}"
DC = "{http://purl.org/dc/elements/1.1/}"

POST_TYPES = {"post", "page"}
# A post waiting for review waits in Inkwell's review queue; Inkwell has no private posts, so
# a private one stays hidden as a draft.
STATUSES = {
    "publish": PostStatus.PUBLISHED,
    "future": PostStatus.SCHEDULED,
    "draft": PostStatus.DRAFT,
    "pending": PostStatus.PENDING_REVIEW,
    "private": PostStatus.DRAFT,
}
COMMENT_STATUSES = {"1": CommentStatus.VISIBLE, "0": CommentStatus.PENDING}
PAGE_TAG = "page"
DEFAULT_CATEGORY = "uncategorized"


def read_wordpress(source: Path | IO[bytes]) -> Iterator[model.Item]:
    """Every item of a WXR file: the site, its authors, then its posts and pages."""
    try:
        yield from _read(source)
    except DefusedXmlException as error:
        raise ImportFileInvalid(f"refused XML: {type(error).__name__}") from error
    except ParseError as error:
        raise ImportFileInvalid(f"not well-formed XML: {error}") from error


def _read(source: Path | IO[bytes]) -> Iterator[model.Item]:
    logins: dict[str, str] = {}  # author id -> login
    channel: Element | None = None
    seen_channel = False
    for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
        if event == "start":
            if element.tag == "channel":
                channel, seen_channel = element, True
            continue
        if element.tag == f"{WP}base_site_url":
            yield model.Site(f"wordpress:{(element.text or '').strip()}"[:200])
        elif element.tag == f"{WP}author":
            author = _author(element)
            logins[element.findtext(f"{WP}author_id", "").strip()] = author.key
            yield author
        elif element.tag == "item":
            post = _post(element, logins)
            if post is not None:
                yield post
            if channel is not None:
                channel.remove(element)
    if not seen_channel:
        raise ImportFileInvalid("not a WordPress export: no <channel>")


def _text(element: Element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def _author(element: Element) -> model.Author:
    login = _text(element, f"{WP}author_login")
    return model.Author(
        key=login,
        email=_text(element, f"{WP}author_email"),
        login=login,
        display_name=_text(element, f"{WP}author_display_name") or None,
    )


def _date(value: str) -> datetime | None:
    """A WXR date (`2024-05-01 10:00:00`, UTC in the *_gmt fields); None for WordPress's
    `0000-00-00 00:00:00` (a draft that never had one)."""
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError as error:
        raise ImportFileInvalid(f"unreadable date {value!r}") from error


def _post(item: Element, logins: dict[str, str]) -> model.Post | None:
    kind = _text(item, f"{WP}post_type")
    status = STATUSES.get(_text(item, f"{WP}status"))
    if kind not in POST_TYPES or status is None:
        return None  # attachments, menus, revisions, trashed and auto-drafts
    title = _text(item, "title") or "Untitled"
    slug = slugify(_text(item, f"{WP}post_name")) or slugify(title) or "post"
    date = _date(_text(item, f"{WP}post_date_gmt")) or _date(_text(item, f"{WP}post_date"))
    tags = _tags(item) + ([PAGE_TAG] if kind == "page" else [])
    link = _text(item, "link")
    return model.Post(
        key=_text(item, f"{WP}post_id"),
        author_key=_text(item, f"{DC}creator"),
        title=title[:200],
        slug=slug,
        markdown="",
        html=paragraphs(item.findtext(f"{CONTENT}encoded") or ""),
        status=status,
        published_at=date if status != PostStatus.DRAFT else None,
        created_at=date,
        summary=_text(item, f"{EXCERPT}encoded")[:500] or None,
        tags=tags,
        old_slugs=_old_slugs(item, link, slug),
        url=link or None,
        comments=[_comment(c, logins) for c in item.iter(f"{WP}comment") if _kept(c)],
    )


def _tags(item: Element) -> list[str]:
    names: list[str] = []
    for category in item.iter("category"):
        if category.get("domain") not in {"category", "post_tag"}:
            continue
        if category.get("nicename") == DEFAULT_CATEGORY:
            continue
        name = (category.text or "").strip()[:50]
        if name and slugify(name, max_length=60) and name not in names:
            names.append(name)
    return names


def _old_slugs(item: Element, link: str, slug: str) -> list[str]:
    """The slug the old URL ended with and the `_wp_old_slug`s WordPress kept, when they
    differ from the post's slug: each becomes a slug that redirects to the post."""
    found = [p for p in urlsplit(link).path.split("/") if p][-1:] if link else []
    for meta in item.iter(f"{WP}postmeta"):
        if _text(meta, f"{WP}meta_key") == "_wp_old_slug":
            found.append(_text(meta, f"{WP}meta_value"))
    return list(dict.fromkeys(s for s in found if is_slug(s) and s != slug))


def _kept(comment: Element) -> bool:
    return _text(comment, f"{WP}comment_approved") in COMMENT_STATUSES


def _comment(comment: Element, logins: dict[str, str]) -> model.Comment:
    parent = _text(comment, f"{WP}comment_parent")
    user = logins.get(_text(comment, f"{WP}comment_user_id"))
    date = _date(_text(comment, f"{WP}comment_date_gmt")) or _date(
        _text(comment, f"{WP}comment_date")
    )
    return model.Comment(
        key=_text(comment, f"{WP}comment_id"),
        parent_key=parent if parent not in {"", "0"} else None,
        author_key=user or _text(comment, f"{WP}comment_author_email").lower() or None,
        markdown="",
        html=paragraphs(comment.findtext(f"{WP}comment_content") or ""),
        created_at=date or datetime.now(UTC),
        status=COMMENT_STATUSES[_text(comment, f"{WP}comment_approved")],
    )
