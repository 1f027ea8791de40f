"""The formats' rules, checked on a feed document: Atom's (RFC 4287), RSS 2.0's (the RSS
Advisory Board's specification) and JSON Feed 1.1's (its JSON schema), plus feedparser's
verdict. Each returns the problems found; an empty list is a valid feed."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import feedparser
from jsonschema import Draft202012Validator

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
ATOM_FEED_CHILDREN = {
    "author", "category", "contributor", "generator", "icon", "id", "link", "logo", "rights",
    "subtitle", "title", "updated", "entry",
}  # fmt: skip
ATOM_ENTRY_CHILDREN = {
    "author", "category", "content", "contributor", "id", "link", "published", "rights",
    "source", "summary", "title", "updated",
}  # fmt: skip
TEXT_TYPES = {"text", "html", "xhtml"}
SCHEMA = json.loads((Path(__file__).parent / "jsonfeed-1.1.schema.json").read_text())


def parses_cleanly(document: bytes) -> list[str]:
    """feedparser's warnings (`bozo`) and what it found."""
    parsed: Any = feedparser.parse(document)
    problems = [f"bozo: {parsed.bozo_exception!r}"] if parsed.bozo else []
    if not parsed.version:
        problems.append("feedparser did not recognise the format")
    return problems


def _absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in {"http", "https", "urn"} and bool(parts.netloc or parts.path)


def _exactly_one(parent: ET.Element, name: str, where: str) -> list[str]:
    count = len(parent.findall(A + name))
    return [] if count == 1 else [f"{where}: {count} atom:{name}, must be 1"]


def _at_most_one(parent: ET.Element, names: tuple[str, ...], where: str) -> list[str]:
    return [f"{where}: more than one atom:{n}" for n in names if len(parent.findall(A + n)) > 1]


def _date(element: ET.Element, where: str) -> list[str]:
    text = element.text or ""
    if not RFC3339.match(text):
        return [f"{where}: {element.tag} {text!r} is not an RFC 3339 date-time"]
    datetime.fromisoformat(text)
    return []


def _children(parent: ET.Element, allowed: set[str], where: str) -> list[str]:
    return [
        f"{where}: unexpected {child.tag}"
        for child in parent
        if child.tag.startswith(A) and child.tag.removeprefix(A) not in allowed
    ]


def _links(parent: ET.Element, where: str) -> list[str]:
    problems: list[str] = []
    alternates: Counter[tuple[str | None, str | None]] = Counter()
    for link in parent.findall(A + "link"):
        if not _absolute(link.get("href")):
            problems.append(f"{where}: link href {link.get('href')!r} is not absolute")
        if link.get("rel", "alternate") == "alternate":
            alternates[link.get("type"), link.get("hreflang")] += 1
    problems += [f"{where}: two alternate links of one type" for n in alternates.values() if n > 1]
    return problems


def _author(author: ET.Element, where: str) -> list[str]:
    problems = _exactly_one(author, "name", where + " author")
    return problems + _children(author, {"name", "uri", "email"}, where + " author")


def _common(parent: ET.Element, where: str) -> list[str]:
    problems = [p for n in ("id", "title", "updated") for p in _exactly_one(parent, n, where)]
    for name in ("updated", "published"):
        problems += [p for e in parent.findall(A + name) for p in _date(e, where)]
    for text in parent.findall(A + "title") + parent.findall(A + "summary"):
        if text.get("type", "text") not in TEXT_TYPES:
            problems.append(f"{where}: {text.tag} type {text.get('type')!r}")
    for category in parent.findall(A + "category"):
        if not category.get("term"):
            problems.append(f"{where}: a category without a term")
    problems += [p for a in parent.findall(A + "author") for p in _author(a, where)]
    return problems + _links(parent, where)


def _entry(entry: ET.Element, feed_has_author: bool, n: int) -> list[str]:
    where = f"entry {n}"
    problems = _common(entry, where) + _children(entry, ATOM_ENTRY_CHILDREN, where)
    problems += _at_most_one(entry, ("content", "summary", "published", "rights"), where)
    if not _absolute(entry.findtext(A + "id")):
        problems.append(f"{where}: id is not an absolute IRI")
    if not feed_has_author and not entry.findall(A + "author"):
        problems.append(f"{where}: no author, and the feed has none")
    content = entry.find(A + "content")
    if content is None and not any(
        link.get("rel", "alternate") == "alternate" for link in entry.findall(A + "link")
    ):
        problems.append(f"{where}: neither content nor an alternate link")
    if content is not None and content.get("type", "text") not in TEXT_TYPES:
        problems.append(f"{where}: content type {content.get('type')!r}")
    return problems


def atom_problems(document: bytes) -> list[str]:
    """RFC 4287's rules for atom:feed and atom:entry (sections 4.1-4.2)."""
    root = ET.fromstring(document)  # noqa: S314 - the app's own output
    if root.tag != A + "feed":
        return [f"root is {root.tag}, not atom:feed"]
    problems = _common(root, "feed") + _children(root, ATOM_FEED_CHILDREN, "feed")
    problems += _at_most_one(root, ("generator", "icon", "logo", "rights", "subtitle"), "feed")
    if not _absolute(root.findtext(A + "id")):
        problems.append("feed: id is not an absolute IRI")
    if not any(link.get("rel") == "self" for link in root.findall(A + "link")):
        problems.append("feed: no self link")
    has_author = bool(root.findall(A + "author"))
    entries = root.findall(A + "entry")
    for n, entry in enumerate(entries):
        problems += _entry(entry, has_author, n)
    ids = Counter(entry.findtext(A + "id") for entry in entries)
    return problems + [f"id {i} repeats" for i, count in ids.items() if count > 1]


RSS_CHANNEL = {"title", "link", "description"}


def _rss_date(text: str | None, where: str) -> list[str]:
    try:
        when = parsedate_to_datetime(text or "")
    except (TypeError, ValueError):
        return [f"{where}: {text!r} is not an RFC 822 date"]
    return [] if when.tzinfo is not None else [f"{where}: {text!r} has no zone"]


def _rss_item(item: ET.Element, n: int) -> list[str]:
    where = f"item {n}"
    problems = (
        []
        if item.find("title") is not None or item.find("description") is not None
        else [f"{where}: neither title nor description"]
    )
    problems += [f"{where}: two {t}" for t in ("title", "link", "guid", "pubDate")
                 if len(item.findall(t)) > 1]  # fmt: skip
    if not _absolute(item.findtext("link")):
        problems.append(f"{where}: link is not absolute")
    guid = item.find("guid")
    if guid is not None and guid.get("isPermaLink", "true") == "true" and not _absolute(guid.text):
        problems.append(f"{where}: a permalink guid that is not a URL")
    if item.find("pubDate") is not None:
        problems += _rss_date(item.findtext("pubDate"), where)
    if item.find("author") is not None:
        problems.append(f"{where}: author must be an e-mail address; use dc:creator")
    for enclosure in item.findall("enclosure"):
        missing = {"url", "length", "type"} - set(enclosure.keys())
        problems += [f"{where}: enclosure without {m}" for m in sorted(missing)]
    return problems


def rss_problems(document: bytes) -> list[str]:
    """RSS 2.0's rules: the channel's required elements, items' dates, links and guids."""
    root = ET.fromstring(document)  # noqa: S314 - the app's own output
    if root.tag != "rss" or root.get("version") != "2.0":
        return ["root is not <rss version='2.0'>"]
    channels = root.findall("channel")
    if len(channels) != 1:
        return [f"{len(channels)} channels"]
    channel = channels[0]
    problems = [f"channel: no {name}" for name in sorted(RSS_CHANNEL) if channel.find(name) is None]
    if not _absolute(channel.findtext("link")):
        problems.append("channel: link is not absolute")
    if channel.find("lastBuildDate") is not None:
        problems += _rss_date(channel.findtext("lastBuildDate"), "channel")
    self_links = [link for link in channel.findall(A + "link") if link.get("rel") == "self"]
    if len(self_links) != 1 or not _absolute(self_links[0].get("href")):
        problems.append("channel: no absolute atom:link rel=self")
    for n, item in enumerate(channel.findall("item")):
        problems += _rss_item(item, n)
    return problems


def json_feed_problems(document: bytes) -> list[str]:
    """JSON Feed 1.1 against its JSON schema (formats checked: date-time among them)."""
    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(json.loads(document))
    ]
