"""Errors of the tags domain."""

from __future__ import annotations

from inkwell.core.errors import NotFound


class TagNotFound(NotFound):
    code, title = "tag_not_found", "Tag not found"
