"""The ORM models; importing this package registers every table on `Base.metadata`."""

from inkwell.models.base import Base
from inkwell.models.comment import Comment, CommentStatus
from inkwell.models.post import Post, PostSlug, PostStatus, PostTag, PostVersion, Tag
from inkwell.models.user import RefreshToken, Role, User, UserSession

__all__ = [
    "Base",
    "Comment",
    "CommentStatus",
    "Post",
    "PostSlug",
    "PostStatus",
    "PostTag",
    "PostVersion",
    "RefreshToken",
    "Role",
    "Tag",
    "User",
    "UserSession",
]
