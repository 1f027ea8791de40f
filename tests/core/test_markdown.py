"""Markdown rendering and sanitising: the stored HTML is always safe to embed."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inkwell.core.markdown import (
    excerpt,
    highlight,
    plain_text,
    reading_minutes,
    render_markdown,
    sanitize_html,
)

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<img src=x onerror="alert(1)">',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<svg onload=alert(1)><circle/></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)" onmouseover="alert(2)">hi</p>',
    "<object data=evil.swf></object><embed src=evil.swf>",
    '<form action="https://evil.example"><input name=a></form>',
    "<details open ontoggle=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<!--<script>alert(1)</script>-->",
    "<style>body{display:none}</style>",
]
ALLOWED_TAGS = {
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
SAFE_URL = re.compile(r"^(https?:|mailto:|/|#|[a-z0-9._-]+(/|$))", re.IGNORECASE)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_safe(rendered: str) -> None:
    """Only allowed tags; no event handlers or styles; URLs only http(s), mailto or relative."""
    collector = _Collector()
    collector.feed(rendered)
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, rendered
        for name, value in attrs:
            assert not name.startswith("on"), rendered
            assert name not in {"style", "srcdoc", "xlink:href", "formaction"}, rendered
            if name in {"href", "src", "cite"}:
                assert value is not None
                assert SAFE_URL.match(value.strip()), rendered


@pytest.mark.parametrize("source", XSS_VECTORS)
def test_xss_vectors_do_not_survive(source: str) -> None:
    rendered = render_markdown(source)
    assert_safe(rendered)
    lowered = rendered.lower()
    assert "<script" not in lowered
    assert 'href="javascript' not in lowered
    assert 'src="data' not in lowered


def test_links_get_nofollow_noopener() -> None:
    rendered = render_markdown("[site](https://example.com) and <a href='https://x.dev'>x</a>")
    assert rendered.count('rel="nofollow noopener"') == 2
    assert 'href="https://example.com"' in rendered


def test_ordinary_markdown_renders() -> None:
    rendered = render_markdown(
        "# Title\n\n*em* **strong** `code`\n\n- a\n- b\n\n~~gone~~\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    for fragment in (
        "<h1>Title</h1>",
        "<em>em</em>",
        "<strong>strong</strong>",
        "<code>code</code>",
        "<li>a</li>",
        "<s>gone</s>",
        "<td>1</td>",
    ):
        assert fragment in rendered


def test_images_keep_https_sources_only() -> None:
    assert 'src="https://img.example/a.png"' in render_markdown("![alt](https://img.example/a.png)")
    assert "src=" not in render_markdown("![alt](data:image/png;base64,AAAA)")


def test_plain_text_excerpt_and_reading_time() -> None:
    text = plain_text("<p>Hello &amp; <b>world</b></p>\n<script>x()</script>")
    assert text == "Hello & world"
    assert excerpt("short", 10) == "short"
    cut = excerpt("one two three four five six seven", 16)
    assert cut.endswith("…")
    assert len(cut) <= 16
    assert reading_minutes("") == 1
    assert reading_minutes("word " * 401) == 3


def test_highlight_escapes_text_and_marks_matches() -> None:
    marked = highlight("<script>x</script> \x02match\x03 & \x02open", "\x02", "\x03")
    assert "<script>" not in marked
    assert "<mark>match</mark>" in marked
    assert marked.count("<mark>") == marked.count("</mark>")


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("<>\"'=/:;&# aejvscriptonlad()[]!*`\n")), max_size=120)
)
def test_random_markup_never_yields_script_or_handlers(source: str) -> None:
    rendered = render_markdown(source)
    assert_safe(rendered)
    assert sanitize_html(rendered) == rendered
