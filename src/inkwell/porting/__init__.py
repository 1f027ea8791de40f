"""Imports from WordPress, Ghost and Inkwell's own archives; exports of a user's data and of
the whole site (docs/import-export.md)."""
