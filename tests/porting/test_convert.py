"""Imported HTML: sanitised, then Markdown where Markdown says the same, else kept as HTML
that renders and stays safe."""

from __future__ import annotations

from inkwell.core.markdown import render_markdown
from inkwell.porting.convert import paragraphs, to_markdown


def test_html_markdown_can_say_becomes_markdown() -> None:
    html = (
        '<h2>Title</h2><p>Some <strong>bold</strong> and <a href="https://x.test/">a link</a>.'
        "</p><ul><li>one</li><li>two</li></ul><pre><code>x = 1</code></pre>"
        "<table><tr><th>a</th></tr><tr><td>b</td></tr></table>"
    )

    markdown = to_markdown(html)

    assert markdown.startswith("## Title\n\nSome **bold** and [a link](https://x.test/).")
    assert "- one\n- two" in markdown
    assert "```\nx = 1\n```" in markdown
    assert "| a |\n| --- |\n| b |" in markdown
    assert "<table>" in render_markdown(markdown)


def test_html_markdown_cannot_say_is_kept_and_renders_safely() -> None:
    html = (
        "<p>H<sub>2</sub>O</p>\n\n<pre>a\n\nb</pre>"
        '<script>alert(1)</script><p onclick="x()">after</p><iframe src="https://e.test"></iframe>'
    )

    markdown = to_markdown(html)
    rendered = render_markdown(markdown)

    assert "<sub>2</sub>" in markdown
    assert "script" not in markdown
    assert "onclick" not in markdown
    assert rendered.strip() == "<p>H<sub>2</sub>O</p>\n\n<pre>a\n\nb</pre><p>after</p>"


def test_wordpress_paragraphs_become_html_paragraphs() -> None:
    assert paragraphs("One\nline\n\nTwo") == "<p>One<br>line</p>\n<p>Two</p>"
    assert paragraphs("<p>Already</p>\n\nhere") == "<p>Already</p>\n\nhere"
    assert (
        to_markdown(paragraphs("Hello <em>you</em>\n\n<h2>Part</h2>")) == "Hello *you*\n\n## Part"
    )
