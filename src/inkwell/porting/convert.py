"""Imported HTML to the Markdown Inkwell stores: sanitised first (nh3, the same rules as
rendered posts), then converted with markdownify where Markdown can say the same thing."""

from __future__ import annotations

import re

from markdownify import markdownify

from inkwell.core.markdown import sanitize_html

# Sanitised HTML Markdown cannot say: inline tags it has no syntax for, table cell alignment
# and image sizes. A body with any of them keeps its (sanitised) HTML.
_HTML_ONLY = re.compile(
    r"<(?:abbr|kbd|mark|small|sub|sup)\b|<t[dh]\s[^>]*align=|<img\s[^>]*(?:width|height)=",
    re.IGNORECASE,
)
_BLOCK_START = re.compile(
    r"^\s*<(?:p|div|h[1-6]|ul|ol|table|pre|blockquote|figure|hr)\b", re.IGNORECASE
)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def paragraphs(body: str) -> str:
    """WordPress's stored form (blank lines between paragraphs, single newlines as line
    breaks) as HTML paragraphs; bodies that already have block tags are left alone."""
    if re.search(r"<p[\s>]", body, re.IGNORECASE):
        return body
    chunks = [chunk.strip() for chunk in _PARAGRAPH_BREAK.split(body) if chunk.strip()]
    return "\n".join(
        chunk if _BLOCK_START.match(chunk) else f"<p>{chunk.replace(chr(10), '<br>')}</p>"
        for chunk in chunks
    )


def to_markdown(html: str) -> str:
    """Markdown for an imported HTML body, or the sanitised HTML kept as one raw HTML block
    when Markdown would lose something (the renderer lets raw HTML through to nh3)."""
    clean = sanitize_html(html).strip()
    if not clean:
        return ""
    if _HTML_ONLY.search(clean):
        return keep_html(clean)
    converted: str = markdownify(clean, heading_style="ATX", bullets="-", escape_misc=False)
    return converted.strip()


def keep_html(clean: str) -> str:
    """Sanitised HTML as one CommonMark HTML block: a block ends at a blank line, so blank
    lines become an empty comment line (the sanitiser drops comments, so `<pre>` keeps its
    blank line), and the wrapping `<div>` (not an allowed tag) is dropped when rendered."""
    return "<div>\n" + _BLANK_LINES.sub("\n<!-- -->\n", clean) + "\n</div>"
