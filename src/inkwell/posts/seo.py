"""A post's search and sharing metadata: the effective values (what the author set in the
post's metadata, else defaults from the post), and the Open Graph and Twitter card tags a
front end renders as they are. Built in Python from the row the read already returned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inkwell.core.config import Settings
from inkwell.posts.records import PostRecord

META_TITLE_CHARS = 70
META_DESCRIPTION_CHARS = 300


@dataclass(frozen=True, slots=True)
class PageLinks:
    """Absolute URLs of the front end's post pages and of this service's files."""

    pages: str  # the front end (INKWELL_FRONTEND_URL, else the site URL)
    post_path: str  # INKWELL_POST_PAGE_PATH, e.g. "/posts/{slug}"
    site: str  # where media paths such as /media/<name> are served

    @classmethod
    def of(cls, settings: Settings) -> PageLinks:
        return cls(
            pages=settings.frontend_url or settings.site_base,
            post_path=settings.post_page_path,
            site=settings.site_base,
        )

    def post(self, slug: str) -> str:
        return self.pages + self.post_path.format(slug=slug)

    def absolute(self, url: str) -> str:
        return url if "://" in url else self.site + url


def _cover_url(record: PostRecord) -> str | None:
    """The cover upload's cleaned original, else a `cover_image` URL in the metadata."""
    cover = record.post.cover or {}
    original = cover.get("original") or {}
    url = original.get("url") or record.post.meta.get("cover_image")
    return str(url) if url else None


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def effective_seo(record: PostRecord, links: PageLinks) -> dict[str, Any]:
    """The values a page's <head> uses: the metadata's, else the post's own."""
    post, meta = record.post, record.post.meta
    image = meta.get("og_image_url") or _cover_url(record)
    title = meta.get("meta_title") or meta.get("seo_title") or post.title
    description = meta.get("meta_description") or meta.get("seo_description") or post.summary
    return {
        "title": _cut(title, META_TITLE_CHARS),
        "description": _cut(description, META_DESCRIPTION_CHARS),
        "canonical_url": meta.get("canonical_url") or links.post(post.slug),
        "image_url": links.absolute(image) if image else None,
        "twitter_card": meta.get("twitter_card") or ("summary_large_image" if image else "summary"),
    }


def sharing_tags(record: PostRecord, seo: dict[str, Any], author_url: str) -> dict[str, Any]:
    """The `open_graph` and `twitter` objects, keyed by the tags' own names."""
    post = record.post
    open_graph = {
        "og:type": "article",
        "og:title": seo["title"],
        "og:description": seo["description"],
        "og:url": seo["canonical_url"],
        "og:image": seo["image_url"],
        "article:published_time": post.published_at,
        "article:modified_time": post.updated_at,
        "article:author": author_url,
        "article:tag": [tag["name"] for tag in record.tags],
    }
    twitter = {
        "twitter:card": seo["twitter_card"],
        "twitter:title": seo["title"],
        "twitter:description": seo["description"],
        "twitter:image": seo["image_url"],
    }
    return {"seo": seo, "open_graph": open_graph, "twitter": twitter}


def seo_fields(record: PostRecord, links: PageLinks) -> dict[str, Any]:
    """`seo`, `open_graph` and `twitter` of a post response."""
    author_page = links.pages + f"/users/{record.author.username}"
    return sharing_tags(record, effective_seo(record, links), author_page)
