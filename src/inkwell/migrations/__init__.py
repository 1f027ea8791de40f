"""Alembic migrations; the database is built only by these, in tests too."""
