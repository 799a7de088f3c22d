"""`sijcare outcomes` and `sijcare reinterpret`: the quality figures of the whole health system.

`outcomes` prints the dashboard's figures (see `sijcare.services.outcomes`) for every
clinic together, or one (`--clinic`), by a dimension (`--by`), as a table, JSON or CSV
(`--csv FILE`, columns `outcomes.CSV_COLUMNS`, rates as fractions). It is an operator's
command with database access: it shows aggregates only, and no user is checked.
For the whole health system without a filter, the settled injections' figures come from
the outcome summary when it is up to date (`--refresh` rebuilds it first when it is not;
the worker does so each round), so that only the recent months are counted.
`reinterpret` reads again every diary whose interpretation was computed with another
knowledge version (or before the outcome columns existed), with a progress bar.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click

from sijcare.cli.common import Context, json_option, pass_context
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.domain.errors import InputError
from sijcare.formats.jsonout import dumps
from sijcare.services import outcome_summary, outcomes, reinterpret
from sijcare.settings import Settings

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command("outcomes")
@click.option("--by", type=click.Choice(outcomes.GROUPS), help="Group the figures.")
@click.option("--clinic", "clinic_id", type=int, help="Only this clinic (its id).")
@click.option(
    "--physician", help="Only physicians whose documented name holds this text (any case)."
)
@click.option("--side", type=click.Choice(["left", "right", "bilateral"]), help="Only this side.")
@click.option("--anesthetic", help="Only this anesthetic (id of the anesthetics table).")
@click.option("--steroid", help="Only this steroid (id of the steroids table).")
@click.option("--since", type=_DATE, help="Injections on or after this day (YYYY-MM-DD).")
@click.option("--until", type=_DATE, help="Injections on or before this day (YYYY-MM-DD).")
@click.option(
    "--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), help="Write CSV here."
)
@click.option(
    "--refresh",
    is_flag=True,
    help="First rebuild the summary of settled injections if it is out of date "
    "(the worker does this each round).",
)
@json_option
@pass_context
def outcomes_command(
    ctx: Context,
    by: str | None,
    clinic_id: int | None,
    physician: str | None,
    side: str | None,
    anesthetic: str | None,
    steroid: str | None,
    since: datetime | None,
    until: datetime | None,
    csv_file: Path | None,
    refresh: bool,
    as_json: bool,
) -> None:
    """Outcome figures: blocks, comparative pairs, responders, flares, red flags, adherence."""
    if since and until and until < since:
        raise InputError("--until", "must not be before --since")
    # `until` is included, as on the page, the API and `csv cohort` (the filter's end is
    # excluded: the day after).
    where = outcomes.OutcomeFilter(
        clinic_id=clinic_id, physician=physician, side=side, anesthetic=anesthetic,
        steroid=steroid, since=_day(since),
        until=None if until is None else until.date() + timedelta(days=1),
    )  # fmt: skip
    # A value that matches nothing would give a table of zeros that looks like a result.
    for option, value, table_name in (
        ("--anesthetic", anesthetic, "anesthetics"),
        ("--steroid", steroid, "steroids"),
    ):
        known = [str(row["id"]) for row in ctx.knowledge.table(table_name)]
        if value is not None and value not in known:
            raise InputError(option, f"{value!r} is not one of {', '.join(known)}")
    engine = create_engine_for(Settings.from_environ(os.environ).database_url)
    try:
        if refresh:
            with session_factory(engine)() as db:
                refreshed = outcome_summary.refresh(
                    db, knowledge=ctx.knowledge, now=datetime.now(UTC)
                )
            click.echo(f"Outcome summary {refreshed}.", err=True)
        with engine.connect() as connection:
            if clinic_id is not None and not outcomes.clinic_exists(connection, clinic_id):
                raise InputError("--clinic", f"there is no clinic {clinic_id}")
            result = outcomes.compute(
                connection, by=by, where=where, knowledge=ctx.knowledge, now=datetime.now(UTC)
            )
    finally:
        engine.dispose()
    if csv_file is not None:
        try:
            csv_file.write_text(outcomes.to_csv(result), encoding="utf-8")
        except OSError as exc:
            raise InputError(str(csv_file), f"cannot be written ({exc.strerror})") from None
    rows = outcomes.as_rows(result)
    click.echo(dumps(rows) if as_json else table(rows, result.waiting))


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


COLUMNS = (
    ("group", 0, lambda r: str(r["label"])),  # as wide as the longest label
    ("procedures", 11, lambda r: str(r["procedures"])),
    ("positive", 9, lambda r: _percent(r["positive_rate"])),
    ("confirmed", 10, lambda r: _percent(r["confirmation_rate"])),
    ("concordant", 11, lambda r: _percent(r["concordance_rate"])),
    ("resp 2w", 8, lambda r: _percent(r["responder_rate_2w"])),
    ("resp 6w", 8, lambda r: _percent(r["responder_rate_6w"])),
    ("resp 3m", 8, lambda r: _percent(r["responder_rate_3m"])),
    ("relief wk", 10, lambda r: _number(r["median_relief_weeks"])),
    ("flare", 7, lambda r: _percent(r["flare_rate"])),
    ("red flag", 9, lambda r: _percent(r["red_flag_rate"])),
    ("adherence", 10, lambda r: _percent(r["adherence"])),
    ("referral d", 11, lambda r: _number(r["median_referral_days"])),
)


def table(rows: list[dict[str, object]], waiting: int) -> str:
    """The figures as a plain-text table (rates in %, medians in weeks and days)."""
    group = max([len("group"), *(len(str(r["label"])) for r in rows)]) + 1
    columns = [(name, width or group, cell) for name, width, cell in COLUMNS]
    lines = ["".join(f"{name:<{width}}" for name, width, _ in columns)]
    lines += ["".join(f"{cell(r):<{width}}" for _, width, cell in columns) for r in rows]
    if waiting:
        lines.append(f"{waiting} interpretation(s) wait for `sijcare reinterpret`.")
    return "\n".join(lines)


@click.command("reinterpret")
@click.option("--batch-size", type=int, default=200, show_default=True, help="Diaries a commit.")
@pass_context
def reinterpret_command(ctx: Context, batch_size: int) -> None:
    """Read again every diary read with another knowledge version (or not read yet)."""
    if batch_size < 1:
        raise InputError("--batch-size", "must be at least 1")
    engine = create_engine_for(Settings.from_environ(os.environ).database_url)
    try:
        with session_factory(engine)() as db:
            stale = reinterpret.count_stale(db, ctx.knowledge)
            with click.progressbar(length=stale, label="diaries", file=sys.stderr) as bar:
                done = reinterpret.reinterpret_stale(
                    db, knowledge=ctx.knowledge, now=datetime.now(UTC),
                    batch_size=batch_size, progress=bar.update,
                )  # fmt: skip
    finally:
        engine.dispose()
    click.echo(
        f"{done} diar{'y' if done == 1 else 'ies'} read with knowledge {ctx.knowledge.version}."
    )
