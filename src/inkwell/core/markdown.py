"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises; plus plain-text helpers."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping

import nh3
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
_LINK_REL = "nofollow noopener"
_WORDS_PER_MINUTE = 200
_SPACES = re.compile(r"\s+")

# Raw HTML in the Markdown is allowed through the renderer on purpose: nh3 decides what stays.
_renderer = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def sanitize_html(fragment: str) -> str:
    """Keep only harmless tags, attributes and URL schemes; links get rel=nofollow noopener."""
    return nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=_LINK_REL,
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """Markdown to HTML that is safe to embed in a page as is."""
    return sanitize_html(_renderer.render(source))


_IMG = re.compile(r"<img\b([^>]*)>")
_SRC = re.compile(r'\ssrc="([^"]*)"')
_SIZE = re.compile(r'\s(?:width|height|loading)="[^"]*"')


def image_sources(fragment: str) -> list[str]:
    """The `src` of every image of sanitised HTML, unescaped."""
    found = (_SRC.search(match.group(1)) for match in _IMG.finditer(fragment))
    return [html.unescape(src.group(1)) for src in found if src]


def with_image_sizes(fragment: str, sizes: Mapping[str, tuple[int, int]]) -> str:
    """Sanitised HTML whose images with a known size get `width`, `height` and
    `loading="lazy"` (the page lays out before they load); other images are left as they are."""

    def sized(match: re.Match[str]) -> str:
        src = _SRC.search(match.group(1))
        size = sizes.get(html.unescape(src.group(1))) if src else None
        if size is None:
            return match.group(0)
        attributes = _SIZE.sub("", match.group(1))
        return f'<img{attributes} width="{size[0]}" height="{size[1]}" loading="lazy">'

    return _IMG.sub(sized, fragment)


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, with runs of whitespace collapsed to one space."""
    text = html.unescape(nh3.clean(fragment, tags=set(), clean_content_tags={"script", "style"}))
    return _SPACES.sub(" ", text).strip()


def excerpt(text: str, limit: int) -> str:
    """At most `limit` characters of `text`, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def reading_minutes(text: str) -> int:
    """Minutes to read `text` at 200 words a minute (at least one)."""
    return max(1, math.ceil(len(text.split()) / _WORDS_PER_MINUTE))


def highlight(text: str, start: str, stop: str) -> str:
    """Escape `text` and turn the `start`/`stop` marks in it into balanced <mark> elements."""
    marked = html.escape(text, quote=False).replace(start, "<mark>").replace(stop, "</mark>")
    return nh3.clean(marked, tags={"mark"}, attributes={})
