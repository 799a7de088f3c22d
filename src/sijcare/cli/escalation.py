"""`sijcare escalation`: escalate urgent symptom reports that nobody has acknowledged.

Each round records one escalation for every emergency or call-now report still
unacknowledged `escalation.after_minutes` after it was sent (the clinic's rule; see
`sijcare.services.escalation`) and queues an e-mail to each clinician and admin of its
clinic, then prints one line of counts, never a patient's data. `sijcare worker` runs
the same round on each of its cycles and sends the e-mails; this command is for a
separate timer, and without a running worker its e-mails wait in the outbox.
`--once` runs a single round (for cron or a timer); without it rounds repeat every
`--interval` seconds until the process is stopped, and a failed round is reported
without its message and tried again (`cli.rounds`).
"""

from __future__ import annotations

import os

import click

from sijcare.cli.common import clinic_knowledge
from sijcare.cli.rounds import repeat_rounds
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.services import escalation as escalation_service
from sijcare.settings import Settings
from sijcare.web import i18n
from sijcare.web.platform import utc_now

DEFAULT_INTERVAL_SECONDS = 60


@click.command()
@click.option("--once", is_flag=True, help="Run one round, then stop.")
@click.option(
    "--interval",
    type=click.IntRange(min=1),
    default=DEFAULT_INTERVAL_SECONDS,
    show_default=True,
    help="Seconds to wait between rounds.",
)
def escalation(once: bool, interval: int) -> None:
    """Escalate unacknowledged urgent reports (e-mail the staff)."""
    settings = Settings.from_environ(os.environ)
    knowledge = clinic_knowledge(settings)
    engine = create_engine_for(settings.database_url)
    sessions = session_factory(engine)

    def one_round() -> str:
        with sessions() as db:
            report = escalation_service.escalate_due(
                db, now=utc_now(), knowledge=knowledge, translations=i18n.translations
            )
        return report.summary()

    try:
        repeat_rounds("escalation", one_round, once=once, interval=interval)
    finally:
        engine.dispose()
