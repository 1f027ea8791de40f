"""Errors of syndication."""

from __future__ import annotations

from inkwell.core.errors import NotFound


class SitemapNotFound(NotFound):
    code, title = "sitemap_not_found", "No such sitemap file"
