"""The patient's reminder choices, and the quiet hours they set (services.reminders)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.workspace import Story
from fixtures_db import Personas
from sijcare.db.models import AuditEvent
from sijcare.db.models.reminder_preference import DetailLevel
from sijcare.domain.knowledge import Knowledge
from sijcare.services import reminders
from sijcare.services.errors import Forbidden, Invalid, NotFound

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
CLINIC_QUIET = (time(21, 0), time(8, 0))


def public_id(personas: Personas) -> str:
    patient = personas.patient.patient
    assert patient is not None
    return patient.public_id


def test_without_a_choice_the_clinics_defaults_apply(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    view = reminders.view_preferences(
        db,
        actor=story.actor("patient"),
        public_id=public_id(personas),
        knowledge=knowledge,
        now=NOW,
    )
    assert view.email == "patient@example.org"
    assert view.preferences == reminders.Preferences(
        email_opt_in=True,
        detail=DetailLevel.MINIMAL,
        quiet=CLINIC_QUIET,
        own_quiet=False,
        chosen=False,
    )
    assert view.updated_at is None


def test_the_patient_saves_their_choice_and_staff_can_see_it(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    choice = reminders.PreferenceChoice(
        email_opt_in=True,
        detail=DetailLevel.FULL,
        quiet_start=time(22, 0),
        quiet_end=time(7, 0),
    )
    saved = reminders.update_preferences(
        db,
        actor=story.actor("patient"),
        public_id=public_id(personas),
        choice=choice,
        knowledge=knowledge,
        now=NOW,
    )
    assert saved.preferences.detail is DetailLevel.FULL
    assert saved.preferences.quiet == (time(22, 0), time(7, 0))
    assert saved.preferences.own_quiet and saved.preferences.chosen
    assert saved.updated_at == NOW
    for staff in ("clinician", "scheduler", "admin"):
        seen = reminders.view_preferences(
            db,
            actor=story.actor(staff),
            public_id=public_id(personas),
            knowledge=knowledge,
            now=NOW,
        )
        assert seen.preferences == saved.preferences
    with db.begin():
        actions = list(db.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("reminders.preferences.update") == 1
    assert actions.count("reminders.preferences.view") == 3


@pytest.mark.parametrize("who", ["clinician", "scheduler", "admin", "other_patient", "outsider"])
def test_only_the_patient_changes_their_choice(
    db: Session, personas: Personas, knowledge: Knowledge, who: str
) -> None:
    story = Story(db, personas, knowledge)
    choice = reminders.PreferenceChoice(email_opt_in=False, detail=DetailLevel.MINIMAL)
    with pytest.raises(Forbidden):
        reminders.update_preferences(
            db,
            actor=story.actor(who),
            public_id=public_id(personas),
            choice=choice,
            knowledge=knowledge,
            now=NOW,
        )


@pytest.mark.parametrize("who", ["other_patient", "outsider"])
def test_others_cannot_see_the_choice(
    db: Session, personas: Personas, knowledge: Knowledge, who: str
) -> None:
    story = Story(db, personas, knowledge)
    with pytest.raises(Forbidden):
        reminders.view_preferences(
            db, actor=story.actor(who), public_id=public_id(personas), knowledge=knowledge, now=NOW
        )


def test_an_unknown_patient_is_not_found(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    with pytest.raises(NotFound):
        reminders.view_preferences(
            db, actor=story.actor("clinician"), public_id="pnothere", knowledge=knowledge, now=NOW
        )


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        pytest.param(time(22, 0), None, "quiet_end", id="start-only"),
        pytest.param(None, time(7, 0), "quiet_start", id="end-only"),
        pytest.param(time(22, 0), time(22, 0), "quiet_end", id="same-time"),
    ],
)
def test_quiet_hours_need_two_different_times(
    db: Session,
    personas: Personas,
    knowledge: Knowledge,
    start: time | None,
    end: time | None,
    field: str,
) -> None:
    story = Story(db, personas, knowledge)
    choice = reminders.PreferenceChoice(True, DetailLevel.MINIMAL, start, end)
    with pytest.raises(Invalid) as caught:
        reminders.update_preferences(
            db,
            actor=story.actor("patient"),
            public_id=public_id(personas),
            choice=choice,
            knowledge=knowledge,
            now=NOW,
        )
    assert [e.field for e in caught.value.errors] == [field]


# -- quiet hours ------------------------------------------------------------------------------

LA = "America/Los_Angeles"


@pytest.mark.parametrize(
    ("quiet", "at", "held_until"),
    [
        # The clinic's 21:00-08:00, over midnight: the start is quiet, the end is not.
        pytest.param(CLINIC_QUIET, "2026-03-02T20:59:00-08:00", None, id="before-start"),
        pytest.param(
            CLINIC_QUIET, "2026-03-02T21:00:00-08:00", "2026-03-03T08:00:00-08:00", id="start"
        ),
        pytest.param(
            CLINIC_QUIET, "2026-03-02T23:30:00-08:00", "2026-03-03T08:00:00-08:00", id="night"
        ),
        pytest.param(
            CLINIC_QUIET, "2026-03-03T07:59:00-08:00", "2026-03-03T08:00:00-08:00", id="morning"
        ),
        pytest.param(CLINIC_QUIET, "2026-03-03T08:00:00-08:00", None, id="end"),
        # Quiet hours inside one day.
        pytest.param(
            (time(13, 0), time(14, 0)),
            "2026-03-03T13:30:00-08:00",
            "2026-03-03T14:00:00-08:00",
            id="midday",
        ),
        # The night the clocks go forward: 08:00 PDT is an hour less of elapsed time.
        pytest.param(
            CLINIC_QUIET, "2026-03-07T23:00:00-08:00", "2026-03-08T08:00:00-07:00", id="spring"
        ),
        # An end that the clocks skip (02:30 on 8 March) is the moment after the gap.
        pytest.param(
            (time(0, 0), time(2, 30)),
            "2026-03-08T01:30:00-08:00",
            "2026-03-08T03:30:00-07:00",
            id="end-in-gap",
        ),
        # The night the clocks go back: the second 01:30 is still quiet.
        pytest.param(
            (time(0, 0), time(2, 0)),
            "2026-11-01T01:30:00-08:00",
            "2026-11-01T02:00:00-08:00",
            id="fall-second-0130",
        ),
    ],
)
def test_quiet_hours(quiet: tuple[time, time], at: str, held_until: str | None) -> None:
    moment = datetime.fromisoformat(at)
    assert reminders.in_quiet_hours(moment, quiet, LA) is (held_until is not None)
    expected = moment if held_until is None else datetime.fromisoformat(held_until)
    assert reminders.after_quiet_hours(moment, quiet, LA) == expected.astimezone(UTC)
