"""Notifications: what happened to a user's posts, comments and follows, made from the
outbox by its consumer, with each user's settings per kind."""
