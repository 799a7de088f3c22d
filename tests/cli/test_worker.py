"""`sijcare worker`: rounds of planning and sending against a real local SMTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from factories import password_hash
from factories.reminders import MailServer, prepared_pathway
from factories.workspace import Story
from fixtures_db import *  # noqa: F403  (the database fixtures)
from fixtures_db import Personas
from sijcare.cli import worker as worker_module
from sijcare.cli.common import run_guarded
from sijcare.cli.worker import run_worker, worker
from sijcare.db.models import Interpretation
from sijcare.domain.knowledge import Knowledge
from sijcare.services import outcome_summary, outcomes, reinterpret
from sijcare.settings import Environment, Secret, Settings
from sijcare.synth.run import synthesize

DUE = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)  # Monday 9 March, 17:00 PDT


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    controller = server.start()
    yield server
    controller.stop()


def settings_for(db_url: str, mail: MailServer) -> Settings:
    return Settings(
        database_url=db_url,
        env=Environment.TEST,
        secret_key=Secret("x" * 40),
        smtp=mail.settings(),
    )


def _stopped_at_the_second_wait(waits: list[float]) -> Callable[[float], None]:
    """A `sleep` that notes each wait in `waits` and stops the worker (Ctrl-C) at the second."""

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            raise KeyboardInterrupt

    return sleep


def test_one_round_sends_the_due_reminder(
    db: Session,
    db_url: str,
    personas: Personas,
    knowledge: Knowledge,
    mail: MailServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prepared_pathway(Story(db, personas, knowledge))
    rounds = run_worker(
        settings_for(db_url, mail), knowledge, once=True, interval=60, clock=lambda: DUE
    )
    assert rounds == 1
    assert len(mail.received) == 1
    out = capsys.readouterr().out
    assert out == (
        "2026-03-10T00:00:00+00:00 queued 1, updated 0, cancelled 0; "
        "sent 1, failed 0, retrying 0, waiting 0; escalated 0; re-read 0; "
        "outcome summary rebuilt\n"
    )
    assert "Pat" not in out and "@" not in out


def test_rounds_repeat_after_the_interval_until_stopped(
    db_url: str, knowledge: Knowledge, mail: MailServer, capsys: pytest.CaptureFixture[str]
) -> None:
    waits: list[float] = []
    sleep = _stopped_at_the_second_wait(waits)
    rounds = run_worker(
        settings_for(db_url, mail),
        knowledge,
        once=False,
        interval=30,
        clock=lambda: DUE,
        sleep=sleep,
    )
    assert (rounds, waits) == (2, [30, 30])
    assert capsys.readouterr().out.splitlines()[-1] == "worker stopped"


def test_the_command_needs_a_mail_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    monkeypatch.setenv("SIJCARE_DATABASE_URL", db_url)
    monkeypatch.delenv("SIJCARE_SMTP_HOST", raising=False)
    with pytest.raises(SystemExit) as caught:
        run_guarded(worker, ["--once"])
    assert caught.value.code == 2
    assert capsys.readouterr().err == (
        "error: SIJCARE_SMTP_HOST: is not set: there is no mail server to send through\n"
    )


def test_a_bad_smtp_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SIJCARE_SMTP_HOST", "127.0.0.1")
    monkeypatch.delenv("SIJCARE_SMTP_FROM", raising=False)
    with pytest.raises(SystemExit) as caught:
        run_guarded(worker, ["--once"])
    assert caught.value.code == 2
    assert capsys.readouterr().err.startswith("error: SIJCARE_SMTP_FROM: set the sender address")


def test_the_command_runs_a_round_with_the_environments_settings(
    monkeypatch: pytest.MonkeyPatch, db_url: str, mail: MailServer
) -> None:
    for name, value in {
        "SIJCARE_DATABASE_URL": db_url,
        "SIJCARE_SMTP_HOST": "127.0.0.1",
        "SIJCARE_SMTP_PORT": str(mail.port),
        "SIJCARE_SMTP_FROM": "reminders@westside.example",
        "SIJCARE_SMTP_STARTTLS": "false",
    }.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(worker, ["--once"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(
        "queued 0, updated 0, cancelled 0; sent 0, failed 0, retrying 0, waiting 0; "
        "escalated 0; re-read 0; outcome summary rebuilt"
    )
    bad = CliRunner().invoke(worker, ["--interval", "0"])
    assert bad.exit_code == 2 and "--interval" in bad.output


def test_a_round_reads_again_the_diaries_of_an_older_knowledge_version(
    engine: Engine,
    db: Session,
    db_url: str,
    knowledge: Knowledge,
    mail: MailServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    synthesize(
        engine, clinics=1, patients=8, seed=5, now=DUE, knowledge=knowledge,
        password_hash=password_hash(),
    )  # fmt: skip
    with db.begin():
        stored = db.scalar(sa.select(sa.func.count(Interpretation.id)))
        db.execute(sa.update(Interpretation).values(knowledge_version="2000.1.1"))
    assert stored and reinterpret.count_stale(db, knowledge) == stored
    # A round reads at most REREAD_PER_ROUND; the next round goes on from there.
    monkeypatch.setattr(worker_module, "REREAD_PER_ROUND", stored - 1)
    run_worker(settings_for(db_url, mail), knowledge, once=True, interval=60, clock=lambda: DUE)
    assert reinterpret.count_stale(db, knowledge) == 1
    run_worker(settings_for(db_url, mail), knowledge, once=True, interval=60, clock=lambda: DUE)
    assert reinterpret.count_stale(db, knowledge) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("; ")[3:] for line in lines] == [
        [f"re-read {stored - 1}", "outcome summary waits for the re-reading"],
        ["re-read 1", "outcome summary rebuilt"],
    ]


# Module level: a traceback shows the lines it passes, not the values they name.
PATIENT = "Pat Patient, born 1960-01-01"


def _database_gone(*args: object, **kwargs: object) -> object:
    raise sa.exc.OperationalError("SELECT ...", {"name": PATIENT}, ConnectionError(PATIENT))


def test_a_failed_round_is_reported_without_its_message_and_the_next_one_runs(
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
    knowledge: Knowledge,
    mail: MailServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real = worker_module.escalation.escalate_due
    calls: list[int] = []

    def escalate_due(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            _database_gone()
        return real(*args, **kwargs)

    monkeypatch.setattr(worker_module.escalation, "escalate_due", escalate_due)
    waits: list[float] = []
    sleep = _stopped_at_the_second_wait(waits)
    rounds = run_worker(
        settings_for(db_url, mail), knowledge, once=False, interval=30, clock=lambda: DUE,
        sleep=sleep,
    )  # fmt: skip
    assert (rounds, waits, len(calls)) == (1, [30, 30], 2)
    captured = capsys.readouterr()
    assert captured.err.startswith(
        "2026-03-10T00:00:00+00:00 round failed: OperationalError (its message is not "
        "shown: it may hold patient data)\nTraceback (most recent call last):\n"
    )
    assert "in _database_gone" in captured.err  # the frames, to find the fault
    assert "sqlalchemy.exc.OperationalError (message not logged)" in captured.err
    assert "Pat" not in captured.err + captured.out and "1960" not in captured.err
    assert captured.out.splitlines()[0].endswith("escalated 0; re-read 0; outcome summary rebuilt")
    assert captured.out.splitlines()[-1] == "worker stopped"


def test_a_failed_round_with_once_exits_1(
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
    knowledge: Knowledge,
    mail: MailServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(worker_module.escalation, "escalate_due", _database_gone)
    with pytest.raises(SystemExit) as caught:
        run_worker(settings_for(db_url, mail), knowledge, once=True, interval=30)
    assert caught.value.code == 1
    captured = capsys.readouterr()
    assert "round failed: OperationalError" in captured.err
    assert PATIENT not in captured.err and captured.out == ""


def test_a_round_builds_the_outcome_summary_when_it_is_out_of_date(
    engine: Engine,
    db: Session,
    db_url: str,
    knowledge: Knowledge,
    mail: MailServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    synthesize(
        engine, clinics=1, patients=8, seed=6, now=DUE, knowledge=knowledge,
        password_hash=password_hash(),
    )  # fmt: skip
    for _ in range(2):
        run_worker(settings_for(db_url, mail), knowledge, once=True, interval=60, clock=lambda: DUE)
    with db.begin():
        used = outcome_summary.usable(
            db, knowledge=knowledge, now=DUE, groupings=outcome_summary.GROUPINGS,
            where=outcomes.OutcomeFilter(),
        )  # fmt: skip
    assert used is not None
    lines = capsys.readouterr().out.splitlines()
    assert [line.rpartition("; ")[2] for line in lines] == [
        "outcome summary rebuilt",
        "outcome summary up to date",
    ]
