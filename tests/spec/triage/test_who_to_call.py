"""Who to call, by the clinic's local time.

Rules (knowledge clinic.toml): the help line every day from 06:00 (included) to 21:00
(excluded), America/Los_Angeles wall-clock time, also on the days the clocks change;
the after-hours number outside those hours; emergency services for an emergency at any
hour.

Rows: the moment as ISO 8601 (with the offset the clinic's clocks show, or UTC to show
the clock change), emergency or not, the expected contact kind.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from sijcare import knowledge as loader
from sijcare.domain.contact import ContactKind, help_line_open, who_to_call
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge

HELP, AFTER, EMERGENCY = "help_line", "after_hours", "emergency"

HOURS = [
    pytest.param("2026-03-02T20:59:00-08:00", False, HELP, id="20:59-help-line"),
    pytest.param("2026-03-02T21:00:00-08:00", False, AFTER, id="21:00-after-hours"),
    pytest.param("2026-03-02T21:01:00-08:00", False, AFTER, id="21:01-after-hours"),
    pytest.param("2026-03-02T05:59:00-08:00", False, AFTER, id="05:59-after-hours"),
    pytest.param("2026-03-02T06:00:00-08:00", False, HELP, id="06:00-help-line"),
    pytest.param("2026-03-02T23:59:59-08:00", False, AFTER, id="midnight-after-hours"),
    pytest.param("2026-03-02T14:00:00-08:00", True, EMERGENCY, id="emergency-at-14:00"),
    pytest.param("2026-03-02T03:00:00-08:00", True, EMERGENCY, id="emergency-at-03:00"),
    # A time given in another offset is read on the clinic's clock.
    pytest.param("2026-03-03T04:59:00+00:00", False, HELP, id="utc-04:59-is-20:59-pst"),
    pytest.param("2026-03-03T05:00:00+00:00", False, AFTER, id="utc-05:00-is-21:00-pst"),
    # Spring forward, Sunday 2026-03-08 (02:00 PST -> 03:00 PDT).
    pytest.param("2026-03-07T13:59:00+00:00", False, AFTER, id="mar-7-utc-13:59-is-05:59-pst"),
    pytest.param("2026-03-08T13:59:00+00:00", False, HELP, id="mar-8-utc-13:59-is-06:59-pdt"),
    pytest.param("2026-03-08T12:59:00+00:00", False, AFTER, id="mar-8-05:59-pdt"),
    pytest.param("2026-03-08T13:00:00+00:00", False, HELP, id="mar-8-06:00-pdt"),
    pytest.param("2026-03-09T03:59:00+00:00", False, HELP, id="mar-8-20:59-pdt"),
    pytest.param("2026-03-09T04:00:00+00:00", False, AFTER, id="mar-8-21:00-pdt"),
    pytest.param("2026-03-08T04:30:00+00:00", False, HELP, id="mar-7-utc-04:30-is-20:30-pst"),
    pytest.param("2026-03-09T04:30:00+00:00", False, AFTER, id="mar-8-utc-04:30-is-21:30-pdt"),
    # Fall back, Sunday 2026-11-01 (02:00 PDT -> 01:00 PST).
    pytest.param("2026-10-31T12:59:00+00:00", False, AFTER, id="oct-31-05:59-pdt"),
    pytest.param("2026-10-31T13:00:00+00:00", False, HELP, id="oct-31-06:00-pdt"),
    pytest.param("2026-11-01T13:00:00+00:00", False, AFTER, id="nov-1-utc-13:00-is-05:00-pst"),
    pytest.param("2026-11-01T13:59:00+00:00", False, AFTER, id="nov-1-05:59-pst"),
    pytest.param("2026-11-01T14:00:00+00:00", False, HELP, id="nov-1-06:00-pst"),
    pytest.param("2026-11-02T04:59:00+00:00", False, HELP, id="nov-1-20:59-pst"),
    pytest.param("2026-11-02T05:00:00+00:00", False, AFTER, id="nov-1-21:00-pst"),
    pytest.param("2026-11-01T09:30:00+00:00", False, AFTER, id="nov-1-repeated-01:30-hour"),
]


@pytest.mark.parametrize(("at", "emergency", "kind"), HOURS)
def test_who_to_call(knowledge: Knowledge, at: str, emergency: bool, kind: str) -> None:
    contact = who_to_call(datetime.fromisoformat(at), knowledge, emergency=emergency)
    assert contact.kind == kind
    expected_number = {
        HELP: "clinic.help_line_phone",
        AFTER: "clinic.after_hours_phone",
        EMERGENCY: "clinic.emergency_phone",
    }[kind]
    assert contact.number == knowledge.text(expected_number)
    assert contact.number in contact.message


def test_contact_records_the_local_time_it_was_decided_for(knowledge: Knowledge) -> None:
    contact = who_to_call(
        datetime.fromisoformat("2026-03-08T13:00:00+00:00"), knowledge, emergency=False
    )
    assert str(contact.local_time.tzinfo) == "America/Los_Angeles"
    assert (contact.local_time.hour, contact.local_time.minute) == (6, 0)
    assert contact.local_time.utcoffset() is not None
    assert contact.help_line_hours == "6:00 am to 9:00 pm"


def test_messages_say_what_to_do(knowledge: Knowledge) -> None:
    at = datetime.fromisoformat("2026-03-02T12:00:00-08:00")
    assert "open now" in who_to_call(at, knowledge, emergency=False).message
    assert "do not drive" in who_to_call(at, knowledge, emergency=True).message
    night = datetime.fromisoformat("2026-03-02T23:00:00-08:00")
    assert "closed now" in who_to_call(night, knowledge, emergency=False).message


@pytest.mark.parametrize(
    ("overrides", "at", "open_"),
    [
        pytest.param({"clinic.time_zone": "America/New_York"}, "2026-03-02T20:59:00-08:00", False, id="new-york-23:59"),
        pytest.param({"clinic.time_zone": "America/New_York"}, "2026-03-02T03:30:00-08:00", True, id="new-york-06:30"),
        pytest.param({"clinic.help_line_opens": "20:00", "clinic.help_line_closes": "08:00"}, "2026-03-02T23:00:00-08:00", True, id="overnight-23:00"),
        pytest.param({"clinic.help_line_opens": "20:00", "clinic.help_line_closes": "08:00"}, "2026-03-02T07:59:00-08:00", True, id="overnight-07:59"),
        pytest.param({"clinic.help_line_opens": "20:00", "clinic.help_line_closes": "08:00"}, "2026-03-02T08:00:00-08:00", False, id="overnight-08:00"),
        pytest.param({"clinic.help_line_opens": "00:00", "clinic.help_line_closes": "00:00"}, "2026-03-02T03:00:00-08:00", True, id="around-the-clock"),
    ],
)  # fmt: skip
def test_clinic_hours_and_time_zone_are_the_clinics(
    knowledge: Knowledge, overrides: dict[str, str], at: str, open_: bool
) -> None:
    clinic = loader.apply_overrides(knowledge, overrides)
    assert help_line_open(datetime.fromisoformat(at), clinic) is open_
    kind = who_to_call(datetime.fromisoformat(at), clinic, emergency=False).kind
    assert kind is (ContactKind.HELP_LINE if open_ else ContactKind.AFTER_HOURS)


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        pytest.param({"clinic.help_line_opens": "6am"}, "clinic.help_line_opens", id="bad-time"),
        pytest.param({"clinic.time_zone": "Mars/Olympus"}, "clinic.time_zone", id="bad-zone"),
    ],
)
def test_bad_clinic_settings_are_named(
    knowledge: Knowledge, overrides: dict[str, str], where: str
) -> None:
    clinic = loader.apply_overrides(knowledge, overrides)
    with pytest.raises(InputError) as exc:
        who_to_call(datetime.fromisoformat("2026-03-02T12:00:00-08:00"), clinic, emergency=False)
    assert exc.value.where == where


def test_a_time_without_offset_is_refused(knowledge: Knowledge) -> None:
    with pytest.raises(InputError, match="UTC offset"):
        who_to_call(datetime(2026, 3, 2, 12, 0), knowledge, emergency=False)
