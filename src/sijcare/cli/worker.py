"""`sijcare worker`: escalate overdue urgent reports and send the e-mails that are due.

Each round first escalates the urgent symptom reports left unacknowledged too long
(`sijcare.services.escalation`: an e-mail to each clinician and admin of the clinic),
then plans every patient's reminders from their pathway (appointments, diary prompts)
and sends the messages whose time has come through the mail server that SIJCARE_SMTP_*
names (see .env.example), then reads again up to `REREAD_PER_ROUND` diaries whose stored
interpretation was made with another knowledge version (`sijcare.services.reinterpret`:
after an upgrade the quality figures catch up round by round, and urgent work never
waits behind them), then rebuilds the outcome summary when it is out of date or a month
has settled (`sijcare.services.outcome_summary`: the whole health system's quality
figures then count only the recent months; while diaries still wait to be read again it
waits, since each round's re-reading would make it out of date), and prints one line of counts, never a
patient's data. `--once` runs
a single round (for cron or a timer); without it rounds repeat every `--interval` seconds
until the process is stopped. A send cut short by a stop is tried again by a later round
(`sijcare.services.outbox`); a round that fails (the database restarting) is reported
without its message and the next one tries again (`cli.rounds`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime

import click

from sijcare.cli.common import clinic_knowledge
from sijcare.cli.rounds import repeat_rounds
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.words import Translate
from sijcare.services import escalation, outbox, outcome_summary, reinterpret
from sijcare.services.smtp import Sender, SmtpSender
from sijcare.settings import Settings
from sijcare.web import i18n
from sijcare.web.platform import utc_now

DEFAULT_INTERVAL_SECONDS = 60
REREAD_PER_ROUND = 2000


@click.command()
@click.option("--once", is_flag=True, help="Run one round, then stop.")
@click.option(
    "--interval",
    type=click.IntRange(min=1),
    default=DEFAULT_INTERVAL_SECONDS,
    show_default=True,
    help="Seconds to wait between rounds.",
)
def worker(once: bool, interval: int) -> None:
    """Escalate overdue reports; send due e-mails (SIJCARE_SMTP_*); keep the outcome summary."""
    settings = Settings.from_environ(os.environ)
    if not settings.smtp.configured:
        raise InputError("SIJCARE_SMTP_HOST", "is not set: there is no mail server to send through")
    run_worker(settings, clinic_knowledge(settings), once=once, interval=interval)


def run_worker(
    settings: Settings,
    knowledge: Knowledge,
    *,
    once: bool,
    interval: float,
    sender: Sender | None = None,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run rounds until stopped (or one with `once`); the number of rounds that succeeded."""
    engine = create_engine_for(settings.database_url)
    sessions = session_factory(engine)
    mailer = sender or SmtpSender(settings.smtp)

    def translations(locale: str) -> Translate:
        return i18n.translations(locale)

    def one_round() -> str:
        with sessions() as db:
            # Escalation first, so that its e-mails go out in this same round.
            escalated = escalation.escalate_due(
                db, now=clock(), knowledge=knowledge, translations=translations
            )
            report = outbox.run_cycle(
                db,
                knowledge=knowledge,
                sender=mailer,
                sender_address=settings.smtp.sender,
                clock=clock,
                translations=translations,
            )
            reread = reinterpret.reinterpret_stale(
                db, knowledge=knowledge, now=clock(), limit=REREAD_PER_ROUND
            )
            if reread >= REREAD_PER_ROUND:
                # More diaries wait to be read again (a knowledge upgrade): each round's
                # would make a new summary out of date at once, so it waits for the last.
                summary = "outcome summary waits for the re-reading"
            else:
                refreshed = outcome_summary.refresh(db, knowledge=knowledge, now=clock())
                summary = f"outcome summary {refreshed}"
        return (
            f"{clock().isoformat(timespec='seconds')} {report.summary()}; "
            f"escalated {escalated.escalated}; re-read {reread}; {summary}"
        )

    try:
        return repeat_rounds(
            "worker", one_round, once=once, interval=interval, clock=clock, sleep=sleep
        )
    finally:
        engine.dispose()
