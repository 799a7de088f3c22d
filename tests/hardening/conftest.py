"""Fixtures: the web tests' app, clock and browsers on both databases (tests/web/conftest.py)."""

from web.conftest import *  # noqa: F403  (the shared fixtures; pytest finds them by name)
