"""Likes, bookmarks and views of posts, and the authors' view statistics."""
