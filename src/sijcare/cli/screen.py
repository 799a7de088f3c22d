"""`sijcare screen`: being written (owned by the screen work)."""

from __future__ import annotations

import click


@click.group()
def screen() -> None:
    """Being written."""
