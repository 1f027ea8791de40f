"""ETags of profile reads, computed from the record the repository returned, not the body."""

from __future__ import annotations

from inkwell.core.http_cache import weak_etag
from inkwell.users.repository import ProfileRecord


def profile_etag(record: ProfileRecord) -> str:
    """The ETag of a public profile: the fields it shows, its counts and the viewer's flag."""
    user = record.user
    return weak_etag(
        user.username,
        repr(user.display_name),
        repr(user.bio),
        repr(user.avatar_url),
        user.created_at.timestamp(),
        record.followers_count,
        record.following_count,
        record.followed_by_me,
    )
