"""`sijcare triage`: being written (owned by the triage work)."""

from __future__ import annotations

import click


@click.group()
def triage() -> None:
    """Being written."""
