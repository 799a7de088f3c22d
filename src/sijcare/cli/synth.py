"""`sijcare synth`: write a synthetic health system into the configured database.

The population is drawn from the knowledge rules `synth.*` (docs/clinical-rules.md
lists them with their sources); `--clinic-config` overrides them like any rule. The
database is migrated first. A progress bar goes to stderr; the summary (rows written by
table, the accounts of the first clinic) to stdout. The same `--seed`, sizes and
`--as-of` day give the same population.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from datetime import time as clock_time

import click

from sijcare.cli.common import Context, pass_context
from sijcare.db import migrate
from sijcare.db.engine import create_engine_for
from sijcare.domain.errors import InputError
from sijcare.services.passwords import Passwords
from sijcare.settings import Environment, Settings
from sijcare.synth.run import PASSWORD, SynthSummary, synthesize

# With --as-of, "now" is noon UTC of that day: the same day gives the same population.
AS_OF_TIME = clock_time(12, 0)


@click.command()
@click.option("--clinics", type=int, default=1, show_default=True, help="How many clinics.")
@click.option(
    "--patients", type=int, default=200, show_default=True, help="Referred patients in all."
)
@click.option("--seed", type=int, default=1, show_default=True, help="The random seed.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The population's last day, YYYY-MM-DD (default: now).",
)
@click.option(
    "--workers",
    type=int,
    help="Processes that draw patients (default: one per CPU; 1 draws in this process).",
)
@click.option("--batch-size", type=int, default=500, show_default=True, help="Patients a write.")
@pass_context
def synth(
    ctx: Context,
    clinics: int,
    patients: int,
    seed: int,
    as_of: datetime | None,
    workers: int | None,
    batch_size: int,
) -> None:
    """Write a synthetic population (clinics, patients, diaries) into the database."""
    settings = Settings.from_environ(os.environ)
    if settings.env is Environment.PRODUCTION:
        raise click.ClickException("synthetic patients are not written in production (SIJCARE_ENV)")
    if batch_size < 1:
        raise InputError("--batch-size", "must be at least 1")
    now = (
        datetime.now(UTC).replace(microsecond=0)
        if as_of is None
        else datetime.combine(as_of.date(), AS_OF_TIME, tzinfo=UTC)
    )
    migrate.upgrade(settings.database_url)
    engine = create_engine_for(settings.database_url)
    started = time.perf_counter()
    try:
        with click.progressbar(
            length=patients, label="patients", file=sys.stderr, show_pos=True
        ) as bar:
            summary = synthesize(
                engine,
                clinics=clinics,
                patients=patients,
                seed=seed,
                now=now,
                knowledge=ctx.knowledge,
                password_hash=Passwords().hash(PASSWORD),
                clinic_config=ctx.clinic_config,
                workers=workers if workers is not None else os.cpu_count() or 1,
                batch_size=batch_size,
                progress=bar.update,
            )
    finally:
        engine.dispose()
    click.echo(report(summary, time.perf_counter() - started))


def report(summary: SynthSummary, seconds: float) -> str:
    """The run's summary as plain text."""
    lines = [
        f"Synthetic population of seed {summary.seed} as of {summary.now.isoformat()}: "
        f"{summary.clinics} clinic(s), {summary.patients} patient(s) in {seconds:.1f} s.",
        "",
        f"{'table':<22}{'rows':>12}",
    ]
    lines += [f"{table:<22}{count:>12,}" for table, count in sorted(summary.rows.items())]
    lines += ["", f"Accounts of the first clinic (password {summary.password}):"]
    lines += [f"  {login.role:<10} {login.email}" for login in summary.logins[:4]]
    return "\n".join(lines)
