"""Export files written from the formats' documented shapes: WordPress's WXR 1.2 and
Ghost 5.x's JSON export."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WXR_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Old Blog</title>
  <link>https://old.example.com</link>
  <description>Just another WordPress site</description>
  <language>en-US</language>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://old.example.com</wp:base_site_url>
  <wp:base_blog_url>https://old.example.com</wp:base_blog_url>
"""


@dataclass
class WxrComment:
    id: int
    content: str
    parent: int = 0
    author_email: str = "guest@example.net"
    date: str = "2024-05-02 09:00:00"
    approved: str = "1"
    user_id: int = 0

    def xml(self) -> str:
        return f"""
    <wp:comment>
      <wp:comment_id>{self.id}</wp:comment_id>
      <wp:comment_author><![CDATA[Guest {self.id}]]></wp:comment_author>
      <wp:comment_author_email><![CDATA[{self.author_email}]]></wp:comment_author_email>
      <wp:comment_author_url>https://guest.example.net</wp:comment_author_url>
      <wp:comment_author_IP><![CDATA[192.0.2.1]]></wp:comment_author_IP>
      <wp:comment_date><![CDATA[{self.date}]]></wp:comment_date>
      <wp:comment_date_gmt><![CDATA[{self.date}]]></wp:comment_date_gmt>
      <wp:comment_content><![CDATA[{self.content}]]></wp:comment_content>
      <wp:comment_approved><![CDATA[{self.approved}]]></wp:comment_approved>
      <wp:comment_type><![CDATA[comment]]></wp:comment_type>
      <wp:comment_parent>{self.parent}</wp:comment_parent>
      <wp:comment_user_id>{self.user_id}</wp:comment_user_id>
    </wp:comment>"""


@dataclass
class WxrItem:
    id: int
    title: str
    slug: str
    content: str = "<p>Hello <strong>world</strong>.</p>"
    status: str = "publish"
    post_type: str = "post"
    creator: str = "alice"
    date_gmt: str = "2024-05-01 10:00:00"
    categories: list[tuple[str, str, str]] = field(default_factory=list)  # domain, nicename, name
    comments: list[WxrComment] = field(default_factory=list)
    old_slugs: list[str] = field(default_factory=list)
    link: str | None = None

    def xml(self) -> str:
        link = self.link or f"https://old.example.com/2024/05/{self.slug}/"
        categories = "".join(
            f'\n    <category domain="{d}" nicename="{n}"><![CDATA[{name}]]></category>'
            for d, n, name in self.categories
        )
        metas = "".join(
            f"\n    <wp:postmeta><wp:meta_key><![CDATA[_wp_old_slug]]></wp:meta_key>"
            f"<wp:meta_value><![CDATA[{slug}]]></wp:meta_value></wp:postmeta>"
            for slug in self.old_slugs
        )
        return f"""
  <item>
    <title>{self.title}</title>
    <link>{link}</link>
    <pubDate>Wed, 01 May 2024 10:00:00 +0000</pubDate>
    <dc:creator><![CDATA[{self.creator}]]></dc:creator>
    <guid isPermaLink="false">https://old.example.com/?p={self.id}</guid>
    <description></description>
    <content:encoded><![CDATA[{self.content}]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>{self.id}</wp:post_id>
    <wp:post_date><![CDATA[{self.date_gmt}]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[{self.date_gmt}]]></wp:post_date_gmt>
    <wp:comment_status><![CDATA[open]]></wp:comment_status>
    <wp:post_name><![CDATA[{self.slug}]]></wp:post_name>
    <wp:status><![CDATA[{self.status}]]></wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:post_type><![CDATA[{self.post_type}]]></wp:post_type>
    <wp:is_sticky>0</wp:is_sticky>{categories}{metas}{"".join(c.xml() for c in self.comments)}
  </item>"""


def wxr_author(id: int, login: str, email: str, name: str) -> str:
    return f"""
  <wp:author>
    <wp:author_id>{id}</wp:author_id>
    <wp:author_login><![CDATA[{login}]]></wp:author_login>
    <wp:author_email><![CDATA[{email}]]></wp:author_email>
    <wp:author_display_name><![CDATA[{name}]]></wp:author_display_name>
    <wp:author_first_name><![CDATA[]]></wp:author_first_name>
    <wp:author_last_name><![CDATA[]]></wp:author_last_name>
  </wp:author>"""


def write_wxr(path: Path, items: list[WxrItem], authors: list[str] | None = None) -> Path:
    authors = authors or [wxr_author(1, "alice", "Alice@Example.com", "Alice Liddell")]
    body = "".join(authors) + "".join(item.xml() for item in items)
    path.write_text(WXR_HEAD + body + "\n</channel>\n</rss>\n", encoding="utf-8")
    return path


def sample_site() -> list[WxrItem]:
    """Categories and tags, a nested thread, a draft, a scheduled post, a page, a private
    post, an attachment and a spam comment."""
    thread = [
        WxrComment(1, "First!", date="2024-05-02 09:00:00"),
        WxrComment(2, "A reply to the first", parent=1, date="2024-05-02 10:00:00"),
        WxrComment(3, "A reply to the reply", parent=2, date="2024-05-02 11:00:00"),
        WxrComment(4, "Second <em>root</em>", date="2024-05-02 12:00:00", user_id=1),
        WxrComment(5, "Waiting for moderation", date="2024-05-02 13:00:00", approved="0"),
        WxrComment(6, "Buy pills", date="2024-05-02 14:00:00", approved="spam"),
    ]
    return [
        WxrItem(
            10,
            "Hello World",
            "hello-world",
            categories=[
                ("category", "news", "News"),
                ("category", "uncategorized", "Uncategorized"),
                ("post_tag", "python", "Python"),
            ],
            comments=thread,
            old_slugs=["hello-old"],
        ),
        WxrItem(11, "A Draft", "", status="draft", date_gmt="0000-00-00 00:00:00"),
        WxrItem(12, "Coming Soon", "coming-soon", status="future", date_gmt="2099-01-01 08:30:00"),
        WxrItem(13, "About", "about", post_type="page"),
        WxrItem(14, "Secret", "secret", status="private"),
        WxrItem(16, "For Review", "for-review", status="pending", date_gmt="0000-00-00 00:00:00"),
        WxrItem(15, "logo.png", "logo", post_type="attachment", status="inherit"),
    ]


def write_ghost(path: Path, **overrides: Any) -> Path:
    """A Ghost 5.x export (`ghost export` / Labs > Export content)."""
    data: dict[str, Any] = {
        "posts": [
            {
                "id": "6650a1",
                "uuid": "0b7d2d5e-1f3a-4a53-9a3d-0d1e2f3a4b5c",
                "title": "Ghost Post",
                "slug": "ghost-post",
                "mobiledoc": None,
                "lexical": '{"root":{"children":[]}}',
                "html": '<p>From <a href="https://ghost.org">Ghost</a>.</p><h2>Part</h2>',
                "feature_image": None,
                "featured": 0,
                "type": "post",
                "status": "published",
                "visibility": "public",
                "created_at": "2024-03-01T08:00:00.000Z",
                "updated_at": "2024-03-02T08:00:00.000Z",
                "published_at": "2024-03-01T09:00:00.000Z",
                "custom_excerpt": None,
            },
            {
                "id": "6650a2",
                "title": "Ghost Draft",
                "slug": "ghost-draft",
                "html": "<p>Not yet.</p>",
                "type": "post",
                "status": "draft",
                "created_at": "2024-03-03T08:00:00.000Z",
                "updated_at": "2024-03-03T08:00:00.000Z",
                "published_at": None,
            },
        ],
        "users": [
            {
                "id": "1",
                "name": "Gina Host",
                "slug": "gina",
                "email": "gina@example.com",
                "bio": "Writes things.",
                "status": "active",
            }
        ],
        "tags": [
            {
                "id": "t1",
                "name": "Getting Started",
                "slug": "getting-started",
                "visibility": "public",
            },
            {"id": "t2", "name": "#internal", "slug": "hash-internal", "visibility": "internal"},
        ],
        "posts_tags": [
            {"id": "pt1", "post_id": "6650a1", "tag_id": "t1", "sort_order": 0},
            {"id": "pt2", "post_id": "6650a1", "tag_id": "t2", "sort_order": 1},
        ],
        "posts_authors": [
            {"id": "pa1", "post_id": "6650a1", "author_id": "1", "sort_order": 0},
            {"id": "pa2", "post_id": "6650a2", "author_id": "1", "sort_order": 0},
        ],
    }
    data.update(overrides)
    document = {"db": [{"meta": {"exported_on": 1717000000000, "version": "5.82.0"}, "data": data}]}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path
