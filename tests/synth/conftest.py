"""Fixtures: the shared database fixtures (see tests/fixtures_db.py)."""

from fixtures_db import *  # noqa: F403  (the shared fixtures; pytest finds them by name)
