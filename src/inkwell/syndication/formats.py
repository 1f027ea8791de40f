"""The three feed formats, built from a FeedPage: RSS 2.0 and Atom 1.0 with the standard
library's ElementTree (which escapes every text and attribute), JSON Feed 1.1 with `json`.

No user text is ever pasted into markup: titles, summaries and the stored (sanitised) HTML
are element text, escaped by the serializer. Characters XML 1.0 cannot carry (C0 controls
other than tab, newline and carriage return) are dropped first, or the document would not
parse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from xml.etree import ElementTree as ET

from inkwell.syndication.records import FeedItem, FeedPage, SitemapEntry

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
for _prefix, _uri in (("atom", ATOM), ("content", CONTENT), ("dc", DC)):
    ET.register_namespace(_prefix, _uri)

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Links:
    """Absolute URLs: `site` serves the API and the feeds, `pages` the front end's pages."""

    site: str
    pages: str
    post_path: str  # e.g. "/posts/{slug}"
    site_name: str

    def post(self, slug: str) -> str:
        return self.pages + self.post_path.format(slug=slug)

    def author(self, username: str) -> str:
        return f"{self.site}/api/v1/users/{username}"

    def absolute(self, url: str) -> str:
        """A URL as given when it has a host, else under the site (a media path)."""
        return url if "://" in url else self.site + url


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


def title_of(page: FeedPage, links: Links) -> str:
    if page.scope.kind == "author":
        return f"{page.scope.name} on {links.site_name}"
    if page.scope.kind == "tag":
        return f"Posts tagged {page.scope.name} on {links.site_name}"
    return links.site_name


def _updated(page: FeedPage) -> datetime:
    # An empty feed has changed "never": the epoch keeps its documents and ETags stable.
    return page.modified_at or datetime(1970, 1, 1, tzinfo=UTC)


def _xml(root: ET.Element) -> bytes:
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def rss(page: FeedPage, links: Links, self_url: str) -> bytes:
    """RSS 2.0, with atom:link rel=self, dc:creator and (full content) content:encoded."""
    root = ET.Element("rss", {"version": "2.0"})
    channel = _add(root, "channel")
    _add(channel, "title", title_of(page, links))
    _add(channel, "link", links.pages + "/")
    _add(channel, "description", title_of(page, links))
    _add(channel, f"{{{ATOM}}}link", href=self_url, rel="self", type="application/rss+xml")
    _add(channel, "lastBuildDate", http_date(_updated(page)))
    for item in page.items:
        _rss_item(_add(channel, "item"), item, links)
    return _xml(root)


def _rss_item(element: ET.Element, item: FeedItem, links: Links) -> None:
    _add(element, "title", item.title)
    _add(element, "link", links.post(item.slug))
    _add(element, "guid", item.id.urn, isPermaLink="false")
    _add(element, "pubDate", http_date(item.published_at))
    _add(element, f"{{{DC}}}creator", item.author_name or item.author_username)
    _add(element, "description", item.summary)
    if item.content_html is not None:
        _add(element, f"{{{CONTENT}}}encoded", item.content_html)
    for tag in item.tags:
        _add(element, "category", tag)
    if item.cover is not None:
        cover = item.cover
        url = links.absolute(cover.url)
        _add(element, "enclosure", url=url, type=cover.media_type, length=str(cover.length))


def atom(page: FeedPage, links: Links, self_url: str) -> bytes:
    """Atom 1.0 (RFC 4287): entries carry their own author, ids are the posts' urn:uuid."""
    root = ET.Element("feed", {"xmlns": ATOM})
    _add(root, "id", self_url)
    _add(root, "title", title_of(page, links), type="text")
    _add(root, "updated", rfc3339(_updated(page)))
    _add(root, "link", href=self_url, rel="self", type="application/atom+xml")
    _add(root, "link", href=links.pages + "/", rel="alternate", type="text/html")
    author = _add(root, "author")
    _add(author, "name", links.site_name)
    for item in page.items:
        _atom_entry(_add(root, "entry"), item, links)
    return _xml(root)


def _atom_entry(entry: ET.Element, item: FeedItem, links: Links) -> None:
    _add(entry, "id", item.id.urn)
    _add(entry, "title", item.title, type="text")
    _add(entry, "published", rfc3339(item.published_at))
    _add(entry, "updated", rfc3339(item.modified_at))
    _add(entry, "link", href=links.post(item.slug), rel="alternate", type="text/html")
    author = _add(entry, "author")
    _add(author, "name", item.author_name or item.author_username)
    _add(author, "uri", links.author(item.author_username))
    for tag in item.tags:
        _add(entry, "category", term=tag)
    _add(entry, "summary", item.summary, type="text")
    if item.content_html is not None:
        _add(entry, "content", item.content_html, type="html")
    if item.cover is not None:
        cover = item.cover
        _add(
            entry,
            "link",
            rel="enclosure",
            href=links.absolute(cover.url),
            type=cover.media_type,
            length=str(cover.length),
        )


def json_feed(page: FeedPage, links: Links, self_url: str) -> bytes:
    """JSON Feed 1.1: full content as content_html, an excerpt as content_text."""
    document = {
        "version": JSON_FEED_VERSION,
        "title": title_of(page, links),
        "home_page_url": links.pages + "/",
        "feed_url": self_url,
        "items": [_json_item(item, links) for item in page.items],
    }
    return json.dumps(document, ensure_ascii=False).encode()


def _json_item(item: FeedItem, links: Links) -> dict[str, Any]:
    body = (
        {"content_html": item.content_html}
        if item.content_html is not None
        else {"content_text": item.summary}
    )
    entry: dict[str, Any] = {
        "id": item.id.urn,
        "url": links.post(item.slug),
        "title": item.title,
        "summary": item.summary,
        **body,
        "date_published": rfc3339(item.published_at),
        "date_modified": rfc3339(item.modified_at),
        "authors": [
            {
                "name": item.author_name or item.author_username,
                "url": links.author(item.author_username),
            }
        ],
        "tags": item.tags,
    }
    if item.cover is not None:
        url = links.absolute(item.cover.url)
        entry["image"] = url
        attachment = {"url": url, "mime_type": item.cover.media_type}
        entry["attachments"] = [{**attachment, "size_in_bytes": item.cover.length}]
    return entry


Renderer = Callable[[FeedPage, Links, str], bytes]
FORMATS: dict[str, tuple[Renderer, str]] = {
    "rss.xml": (rss, "application/rss+xml; charset=utf-8"),
    "atom.xml": (atom, "application/atom+xml; charset=utf-8"),
    "feed.json": (json_feed, "application/feed+json; charset=utf-8"),
}
"""Each feed file's name, renderer and media type."""


def urlset(entries: list[SitemapEntry], links: Links) -> bytes:
    """A sitemap (sitemaps.org 0.9): each listed post's page and when it last changed."""
    root = ET.Element("urlset", {"xmlns": SITEMAP})
    for entry in entries:
        url = _add(root, "url")
        _add(url, "loc", links.post(entry.slug))
        _add(url, "lastmod", rfc3339(entry.modified_at))
    return _xml(root)


def sitemap_index(files: int, links: Links) -> bytes:
    """A sitemap index naming the sitemap files /sitemaps/1.xml ... /sitemaps/<files>.xml."""
    root = ET.Element("sitemapindex", {"xmlns": SITEMAP})
    for number in range(1, files + 1):
        sitemap = _add(root, "sitemap")
        _add(sitemap, "loc", f"{links.site}/sitemaps/{number}.xml")
    return _xml(root)


def robots(links: Links) -> str:
    """robots.txt: the feeds and the sitemap are for crawlers; the API, docs and probes not."""
    lines = ["User-agent: *", "Allow: /feeds/"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOWED]
    return "\n".join([*lines, "", f"Sitemap: {links.site}/sitemap.xml", ""])


ROBOTS_DISALLOWED = ("/api/", "/docs", "/redoc", "/openapi.json", "/health/", "/metrics")
