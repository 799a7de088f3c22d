"""Rounds of a background command (`sijcare worker`, `sijcare escalation`), and what a
failed round does.

A round that fails (the database restarting, a lost connection) is reported on standard
error by its exception's type and frames, never its message, which may hold patient
data; the next round tries again after the interval. A worker that stopped at the first
error would leave urgent symptom reports unescalated until someone noticed. With
`--once` (a timer or cron runs each round) a failed round exits with status 1, so the
timer sees it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import click

from sijcare.cli.common import MESSAGE_HIDDEN
from sijcare.web.logs import traceback_text
from sijcare.web.platform import utc_now

EXIT_ROUND_FAILED = 1


def repeat_rounds(
    name: str,
    one_round: Callable[[], str],
    *,
    once: bool,
    interval: float,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run `one_round` (it returns its line of counts) every `interval` seconds until the
    process is stopped, or once; the number of rounds that succeeded."""
    done = 0
    try:
        while True:
            try:
                line = one_round()
            except Exception as exc:  # noqa: BLE001 (any failure: the next round tries again)
                click.echo(
                    f"{clock().isoformat(timespec='seconds')} round failed: "
                    f"{type(exc).__name__} ({MESSAGE_HIDDEN})",
                    err=True,
                )
                click.echo(traceback_text(exc), err=True)
                if once:
                    raise SystemExit(EXIT_ROUND_FAILED) from None
            else:
                done += 1
                click.echo(line)
            if once:
                return done
            sleep(interval)
    except KeyboardInterrupt:
        click.echo(f"{name} stopped")
        return done
