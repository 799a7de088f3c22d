"""iCalendar files: every entry read back with icalendar lands on the right instant.

The clinic is in Los Angeles. The US clocks go forward on 2026-03-08 (02:00 PST becomes
03:00 PDT) and back on 2026-11-01 (02:00 PDT becomes 01:00 PST, so 01:00-02:00 happens
twice). Times are checked as UTC instants after parsing the file back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from sijcare.domain.diary_schedule import DiaryPrompt, PromptPurpose, schedule_prompts
from sijcare.domain.errors import InputError
from sijcare.domain.intake import (
    ClinicianDecision,
    Diabetes,
    HoldDecision,
    Intake,
    MedicineEntry,
    ProcedurePlan,
)
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind, Sedation, Side
from sijcare.domain.screening import screen
from sijcare.domain.screening_rules.findings import Action
from sijcare.interop import calendar as ical

LA = ZoneInfo("America/Los_Angeles")
STAMP = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DOMAIN = "clinic1.sijcare.invalid"


class PlainWords:
    """Words that name what each entry is, to check the mapping."""

    def visit(self, visit: ical.Visit) -> ical.Text:
        return ical.Text(f"visit {visit.kind}", f"at {visit.place}" if visit.place else "")

    def action(self, action: Action) -> ical.Text:
        return ical.Text(f"step {action.code}", action.what)

    def prompt(self, prompt: DiaryPrompt) -> ical.Text:
        return ical.Text(f"prompt {prompt.label}")


WORDS = PlainWords()


def build(entries: list[ical.Entry]) -> bytes:
    return ical.calendar_bytes(entries, zone="America/Los_Angeles", stamp=STAMP, name="Clinic")


def events(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def instant(event: icalendar.Event) -> datetime:
    start = event.start
    assert isinstance(start, datetime) and start.utcoffset() is not None
    return start.astimezone(UTC)


def one_step(at: datetime, code: str = "fasting.food_stop") -> ical.Entry:
    action = Action(at, "Stop eating.", code, "sedation")
    (entry,) = ical.action_entries([action], WORDS, domain=DOMAIN, pathway_id=7)
    return entry


# -- time zones and changes of the clocks --------------------------------------------------

DST_CASES = [
    pytest.param("2026-03-08T01:30:00-08:00", "2026-03-08T09:30:00Z", id="spring-before-gap"),
    pytest.param("2026-03-08T03:30:00-07:00", "2026-03-08T10:30:00Z", id="spring-after-gap"),
    pytest.param("2026-03-08T09:00:00-07:00", "2026-03-08T16:00:00Z", id="spring-morning"),
    pytest.param("2026-11-01T00:30:00-07:00", "2026-11-01T07:30:00Z", id="fall-before"),
    pytest.param("2026-11-01T01:30:00-07:00", "2026-11-01T08:30:00Z", id="fall-first-0130"),
    pytest.param("2026-11-01T01:30:00-08:00", "2026-11-01T09:30:00Z", id="fall-second-0130"),
    pytest.param("2026-11-01T09:00:00-08:00", "2026-11-01T17:00:00Z", id="fall-morning"),
]


@pytest.mark.parametrize(("local", "utc"), DST_CASES)
def test_a_step_parses_back_to_its_instant(local: str, utc: str) -> None:
    data = build([one_step(datetime.fromisoformat(local))])
    (event,) = events(data).values()
    assert instant(event) == datetime.fromisoformat(utc)


@pytest.mark.parametrize(("local", "utc"), DST_CASES)
def test_an_appointment_parses_back_to_its_start_and_end(local: str, utc: str) -> None:
    start = datetime.fromisoformat(local)
    visit = ical.Visit(1, "procedure", False, start, start + timedelta(minutes=30))
    (entry,) = ical.visit_entries([visit], WORDS, domain=DOMAIN, alarm_before=None)
    (event,) = events(build([entry])).values()
    assert instant(event) == datetime.fromisoformat(utc)
    end = event.end
    assert isinstance(end, datetime)
    assert end.astimezone(UTC) - instant(event) == timedelta(minutes=30)


def test_times_name_the_clinic_zone_and_its_vtimezone_covers_both_changes() -> None:
    spring = one_step(datetime(2026, 3, 8, 9, tzinfo=LA))
    autumn = one_step(datetime(2026, 11, 1, 9, tzinfo=LA), code="fasting.clear_liquids_stop")
    data = build([spring, autumn])
    text = data.decode()
    assert "DTSTART;TZID=America/Los_Angeles:20260308T090000" in text
    assert "DTSTART;TZID=America/Los_Angeles:20261101T090000" in text
    calendar = icalendar.Calendar.from_ical(data)
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["tzid"] == "America/Los_Angeles"
    changes = {
        str(c["tzname"]): c.DTSTART for c in zone.walk() if c.name in ("STANDARD", "DAYLIGHT")
    }
    assert changes["PDT"] == datetime(2026, 3, 8, 3, 0)
    assert datetime(2026, 11, 1, 2, 0) in [c.DTSTART for c in zone.walk("STANDARD")]


def test_the_second_0130_of_the_autumn_change_is_written_in_utc() -> None:
    first = datetime(2026, 11, 1, 1, 30, tzinfo=LA)  # PDT
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=LA)  # PST
    assert ical.written(first, LA) == first.replace(fold=0)
    assert ical.written(second, LA) == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    text = build([one_step(second)]).decode()
    assert "DTSTART:20261101T093000Z" in text


def test_diary_prompts_across_the_autumn_change_keep_their_elapsed_times(
    knowledge: Knowledge,
) -> None:
    # Lidocaine at 00:45 PDT: the 1 h prompt is 01:45 PDT, the 2 h prompt 01:45 PST.
    injected = datetime(2026, 11, 1, 0, 45, tzinfo=LA)
    prompts = schedule_prompts(
        injected_at=injected,
        kind=Kind.DIAGNOSTIC,
        anesthetic_agent="lidocaine",
        knowledge=knowledge,
        time_zone="America/Los_Angeles",
    )
    entries = ical.prompt_entries(prompts, WORDS, domain=DOMAIN, procedure_id=3)
    parsed = events(build(entries))
    window = [p for p in prompts if p.purpose is PromptPurpose.ANESTHETIC_WINDOW]
    assert [p.after_minutes for p in window] == [15, 30, 60, 120, 240]
    for prompt in window:
        event = parsed[f"sijcare-procedure-3-diary-{prompt.after_minutes}min@{DOMAIN}"]
        assert instant(event) - injected.astimezone(UTC) == timedelta(
            minutes=prompt.after_minutes or 0
        )
    daily = parsed[f"sijcare-procedure-3-diary-day1@{DOMAIN}"]
    assert instant(daily) == datetime(2026, 11, 3, 2, 0, tzinfo=UTC)  # 18:00 PST on Nov 2


def test_diary_prompts_across_the_spring_change(knowledge: Knowledge) -> None:
    injected = datetime(2026, 3, 7, 16, 0, tzinfo=LA)  # the day before the clocks go forward
    prompts = schedule_prompts(
        injected_at=injected,
        kind=Kind.DIAGNOSTIC,
        anesthetic_agent="lidocaine",
        knowledge=knowledge,
        time_zone="America/Los_Angeles",
    )
    parsed = events(build(ical.prompt_entries(prompts, WORDS, domain=DOMAIN, procedure_id=4)))
    day1 = parsed[f"sijcare-procedure-4-diary-day1@{DOMAIN}"]
    assert instant(day1) == datetime(2026, 3, 9, 1, 0, tzinfo=UTC)  # 18:00 PDT on Mar 8


# -- what becomes an entry -------------------------------------------------------------------


def test_appointments_carry_place_status_and_alarm() -> None:
    start = datetime(2026, 3, 9, 9, 30, tzinfo=LA)
    visits = [
        ical.Visit(1, "procedure", False, start, start + timedelta(minutes=45), place="Main, 1 St"),
        ical.Visit(
            2, "follow_up", True, start + timedelta(days=14), start + timedelta(days=14, minutes=20)
        ),
        ical.Visit(
            3,
            "follow_up",
            False,
            start + timedelta(days=2),
            start + timedelta(days=2, hours=1),
            cancelled=True,
        ),
    ]
    entries = ical.visit_entries(visits, WORDS, domain=DOMAIN, alarm_before=timedelta(hours=2))
    parsed = events(build(entries))
    procedure = parsed[f"sijcare-appointment-1@{DOMAIN}"]
    assert str(procedure["summary"]) == "visit procedure"
    assert str(procedure["location"]) == "Main, 1 St"
    assert str(procedure["status"]) == "CONFIRMED"
    (alarm,) = procedure.walk("VALARM")
    assert alarm.TRIGGER == timedelta(hours=-2)
    assert "location" not in parsed[f"sijcare-appointment-2@{DOMAIN}"]
    cancelled = parsed[f"sijcare-appointment-3@{DOMAIN}"]
    assert str(cancelled["status"]) == "CANCELLED"
    assert cancelled.walk("VALARM") == []
    for event in parsed.values():
        assert event.DTSTAMP == STAMP


def test_only_the_steps_the_core_gave_become_entries(knowledge: Knowledge) -> None:
    at = datetime(2026, 3, 10, 8, 0, tzinfo=LA)
    plan = ProcedurePlan(
        kind=Kind.THERAPEUTIC,
        side=Side.LEFT,
        anesthetic_agent="bupivacaine",
        steroid_agent="triamcinolone",
        sedation=Sedation.MODERATE,
    )
    intake = Intake(
        plan,
        False,
        False,
        False,
        Diabetes(has=False),
        True,
        medicines=(MedicineEntry("Eliquis 5 mg"),),
    )
    unconfirmed = screen(intake, at, knowledge)
    codes = {
        e.text.summary
        for e in ical.action_entries(unconfirmed.actions, WORDS, domain=DOMAIN, pathway_id=1)
    }
    assert codes == {"step fasting.food_stop", "step fasting.clear_liquids_stop"}
    decision = ClinicianDecision(
        "Eliquis 5 mg", HoldDecision.HOLD, True, "Dr. Rivera", at - timedelta(days=7)
    )
    confirmed = screen(
        Intake(**{**vars(intake), "clinician_decisions": (decision,)}), at, knowledge
    )
    entries = ical.action_entries(confirmed.actions, WORDS, domain=DOMAIN, pathway_id=1)
    by_code = {e.text.summary.removeprefix("step "): e for e in entries}
    assert set(by_code) == {
        "fasting.food_stop",
        "fasting.clear_liquids_stop",
        "blood_thinner.last_dose",
        "blood_thinner.restart",
    }
    # Apixaban: last dose 3 days (72 h) before, restart 24 h after (elapsed time).
    parsed = events(build(entries))
    last = parsed[by_code["blood_thinner.last_dose"].uid]
    restart = parsed[by_code["blood_thinner.restart"].uid]
    assert instant(last) == at.astimezone(UTC) - timedelta(days=3)
    assert instant(restart) == at.astimezone(UTC) + timedelta(hours=24)
    assert "eliquis" not in by_code["blood_thinner.last_dose"].uid.lower()
    assert all(e.walk("VALARM")[0].TRIGGER == timedelta(0) for e in parsed.values())


def test_uids_are_stable_and_the_arrival_is_left_to_the_appointment() -> None:
    at = datetime(2026, 3, 10, 7, 30, tzinfo=LA)
    actions = [
        Action(at, "Arrive.", "visit.arrival", "sedation"),
        Action(at, "Bring a driver.", "driver.arrange", "driver home"),
        Action(at - timedelta(hours=8), "Stop eating.", "fasting.food_stop", "sedation"),
    ]
    first = ical.action_entries(actions, WORDS, domain=DOMAIN, pathway_id=5)
    moved = [Action(a.at + timedelta(days=1), a.what, a.code, a.about) for a in actions]
    again = ical.action_entries(moved, WORDS, domain=DOMAIN, pathway_id=5)
    assert [e.uid for e in first] == [e.uid for e in again]
    assert len(first) == 1


def test_an_empty_calendar_is_still_a_valid_file() -> None:
    data = build([])
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar.walk("VEVENT") == []
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert str(calendar["prodid"]) == ical.PRODID


@pytest.mark.parametrize(
    ("call", "where"),
    [
        pytest.param(
            lambda: ical.Visit(
                1, "procedure", False, datetime(2026, 3, 9, 9), datetime(2026, 3, 9, 10)
            ),
            "starts_at",
            id="naive-start",
        ),
        pytest.param(
            lambda: ical.Visit(
                1,
                "procedure",
                False,
                datetime(2026, 3, 9, 9, tzinfo=LA),
                datetime(2026, 3, 9, 9, tzinfo=LA),
            ),
            "ends_at",
            id="end-not-after-start",
        ),
        pytest.param(
            lambda: ical.calendar_bytes([], zone="Mars/Olympus", stamp=STAMP, name="x"),
            "time_zone",
            id="unknown-zone",
        ),
        pytest.param(
            lambda: ical.calendar_bytes([], zone="UTC", stamp=datetime(2026, 3, 1), name="x"),
            "stamp",
            id="naive-stamp",
        ),
    ],
)
def test_bad_input_names_the_field(call: object, where: str) -> None:
    with pytest.raises(InputError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.where == where
