"""`sijcare diary`: being written (owned by the diary work)."""

from __future__ import annotations

import click


@click.group()
def diary() -> None:
    """Being written."""
