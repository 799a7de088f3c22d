"""Alembic migrations of the sijcare database (run with `sijcare db upgrade`)."""
