"""Blocking and muting: one user's private choices about another."""
