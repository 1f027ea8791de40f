"""Threaded comments on posts, with moderation."""
