"""Alembic migrations of the journal (run by :func:`dosewise.journal.db.upgrade`)."""
