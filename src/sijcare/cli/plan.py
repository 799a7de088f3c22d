"""`sijcare plan`: being written (owned by the plan work)."""

from __future__ import annotations

import click


@click.group()
def plan() -> None:
    """Being written."""
