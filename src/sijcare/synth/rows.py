"""Synthetic records as table rows: built where they are drawn, numbered when written.

`RowMaker.batch` turns consecutive drawn patients into a `RowBatch`: tuples in each
table's `writer.Layout`, values converted for the engine, ids and the references
between the batch's rows numbered from 0 in each table (the writer adds each table's
next free id). It runs in the drawing process, so what goes back to the writing
process is plain tuples.

A booked appointment (one still to come) may not share its start with another booked
appointment of the same physician (the database refuses it): `Booking.settle`, in the
writing process and in the patients' order, moves it to the next free half hour and
rebuilds its rows; a moved procedure appointment's screening and consent are redone for
the new time. So every booked appointment is listed with its batch (`Booked`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa

from sijcare.db.enums import (
    AppointmentKind,
    AppointmentMode,
    AppointmentStatus,
    PathwayStatus,
    Role,
)
from sijcare.db.models import (
    Appointment,
    ConsentRecord,
    DiaryEntry,
    Driver,
    Interpretation,
    Pathway,
    Patient,
    ProcedureRecord,
    ScreeningResponse,
    SymptomReport,
    User,
)
from sijcare.db.models.interpretation import result_columns
from sijcare.synth import clinical, people
from sijcare.synth.records import ClinicPlan, Done, PathwayRecords, PatientRecords, Visit
from sijcare.synth.writer import Layout, Row, time_converter

USER = cast(sa.Table, User.__table__)
PATIENT = cast(sa.Table, Patient.__table__)
PATHWAY = cast(sa.Table, Pathway.__table__)
SCREENING = cast(sa.Table, ScreeningResponse.__table__)
APPOINTMENT = cast(sa.Table, Appointment.__table__)
CONSENT = cast(sa.Table, ConsentRecord.__table__)
DRIVER = cast(sa.Table, Driver.__table__)
PROCEDURE = cast(sa.Table, ProcedureRecord.__table__)
ENTRY = cast(sa.Table, DiaryEntry.__table__)
INTERPRETATION = cast(sa.Table, Interpretation.__table__)
REPORT = cast(sa.Table, SymptomReport.__table__)
# In foreign-key order.
TABLES: tuple[sa.Table, ...] = (
    USER, PATIENT, PATHWAY, SCREENING, APPOINTMENT, CONSENT, DRIVER, PROCEDURE, ENTRY,
    INTERPRETATION, REPORT,
)  # fmt: skip

# The columns each row gives, in order; the row builders below follow them.
_READING_COLUMNS = tuple(result_columns({}))
COLUMNS: dict[str, tuple[str, ...]] = {
    USER.name: (
        "id", "clinic_id", "email", "password_hash", "role", "display_name", "locale",
        "created_at",
    ),
    PATIENT.name: ("id", "public_id", "clinic_id", "user_id", "name", "date_of_birth", "created_at"),
    PATHWAY.name: (
        "id", "patient_id", "side", "kind", "status", "covers_left", "covers_right",
        "opened_at", "opened_by", "closed_at", "closed_by", "close_reason",
    ),
    SCREENING.name: (
        "id", "pathway_id", "status", "answers", "result", "knowledge_version", "created_at",
        "submitted_at", "submitted_by",
    ),
    APPOINTMENT.name: (
        "id", "clinic_id", "patient_id", "practitioner_id", "location_id", "room_id",
        "pathway_id", "kind", "mode", "status", "starts_at", "ends_at", "created_at",
        "created_by",
    ),
    CONSENT.name: (
        "id", "pathway_id", "plan_snapshot", "confirmed", "agreed_at", "agreed_by",
        "witnessed_at", "witnessed_by",
    ),
    DRIVER.name: ("id", "pathway_id", "name", "relationship", "recorded_at", "recorded_by"),
    PROCEDURE.name: (
        "id", "pathway_id", "consent_record_id", "data", "performed_at", "kind", "side",
        "documented_at", "documented_by",
    ),
    ENTRY.name: ("id", "procedure_id", "recorded_at", "pain", "created_at", "created_by"),
    INTERPRETATION.name: (
        "id", "procedure_id", "kind", "result", "classification", "knowledge_version",
        "computed_at", "current", "clinic_id", "patient_id", "physician", "referred_at",
        *_READING_COLUMNS,
    ),
    REPORT.name: (
        "id", "pathway_id", "procedure_id", "reported_at", "reported_by", "report",
        "disposition", "result", "knowledge_version",
    ),
}  # fmt: skip
# The id columns numbered in the batch, and the table whose numbering each follows.
# Other ids (clinic, physician, room, location) are the database's already.
NUMBERED: dict[str, dict[str, str]] = {
    USER.name: {"id": USER.name},
    PATIENT.name: {"id": PATIENT.name, "user_id": USER.name},
    PATHWAY.name: {"id": PATHWAY.name, "patient_id": PATIENT.name},
    SCREENING.name: {"id": SCREENING.name, "pathway_id": PATHWAY.name, "submitted_by": USER.name},
    APPOINTMENT.name: {
        "id": APPOINTMENT.name, "patient_id": PATIENT.name, "pathway_id": PATHWAY.name
    },
    CONSENT.name: {"id": CONSENT.name, "pathway_id": PATHWAY.name, "agreed_by": USER.name},
    DRIVER.name: {"id": DRIVER.name, "pathway_id": PATHWAY.name, "recorded_by": USER.name},
    PROCEDURE.name: {
        "id": PROCEDURE.name, "pathway_id": PATHWAY.name, "consent_record_id": CONSENT.name
    },
    ENTRY.name: {"id": ENTRY.name, "procedure_id": PROCEDURE.name, "created_by": USER.name},
    INTERPRETATION.name: {
        "id": INTERPRETATION.name, "procedure_id": PROCEDURE.name, "patient_id": PATIENT.name
    },
    REPORT.name: {
        "id": REPORT.name, "pathway_id": PATHWAY.name, "procedure_id": PROCEDURE.name,
        "reported_by": USER.name,
    },
}  # fmt: skip


def layouts(postgres: bool) -> dict[str, Layout]:
    """Every table's layout, in foreign-key order."""
    return {t.name: Layout(t, COLUMNS[t.name], NUMBERED[t.name], postgres) for t in TABLES}


@dataclass
class Booked:
    """A booked appointment of a batch, and what to rebuild if it has to move.

    `appointment`, `patient`, `pathway` and `user` are batch numbers; `pathway_records`
    is set for a procedure appointment (its screening and consent follow it)."""

    visit: Visit
    clinic_index: int
    appointment: int
    patient: int
    pathway: int
    user: int
    opened_at: datetime
    pathway_records: PathwayRecords | None = None
    screening: int | None = None
    consent: int | None = None


@dataclass
class RowBatch:
    """Rows of consecutive patients by table (foreign-key order), numbered from 0."""

    patients: int
    rows: dict[str, list[Row]]
    booked: list[Booked] = field(default_factory=list)


class RowMaker:
    """Builds the rows of drawn patients (one maker per process)."""

    def __init__(
        self,
        ctx: people.Context,
        plans: Sequence[ClinicPlan],
        password_hash: str,
        postgres: bool,
    ) -> None:
        self.ctx = ctx
        self.plans = {plan.index: plan for plan in plans}
        self.password_hash = password_hash
        self.layouts = layouts(postgres)
        self.version = ctx.knowledge.version
        self._time = time_converter(postgres)
        self._entry_defaults = self.layouts[ENTRY.name].defaults

    def batch(self, patients: Iterable[PatientRecords]) -> RowBatch:
        batch = RowBatch(0, {t.name: [] for t in TABLES})
        for records in patients:
            self._patient(batch, records)
            batch.patients += 1
        return batch

    def _add(self, batch: RowBatch, table: sa.Table, *values: Any) -> int:
        rows = batch.rows[table.name]
        number = len(rows)
        rows.append(self.layouts[table.name].row((number, *values)))
        return number

    def _patient(self, batch: RowBatch, records: PatientRecords) -> None:
        clinic = self.plans[records.clinic_index]
        user = self._add(
            batch, USER, clinic.clinic_id, records.email, self.password_hash, Role.PATIENT,
            records.name, records.locale, records.created_at,
        )  # fmt: skip
        patient = self._add(
            batch, PATIENT, records.public_id, clinic.clinic_id, user, records.name,
            records.date_of_birth, records.created_at,
        )  # fmt: skip
        for pathway in records.pathways:
            self._pathway(batch, clinic, pathway, patient, user)

    def _pathway(
        self, batch: RowBatch, clinic: ClinicPlan, p: PathwayRecords, patient: int, user: int
    ) -> None:
        doctor = p.physician.user_id
        pathway = self._add(
            batch, PATHWAY, patient, p.side, p.kind,
            PathwayStatus.ACTIVE if p.closed_at is None else PathwayStatus.CLOSED,
            p.side in ("left", "bilateral"), p.side in ("right", "bilateral"),
            p.opened_at, doctor, p.closed_at, None if p.closed_at is None else doctor,
            p.close_reason,
        )  # fmt: skip
        visit = self._visit(batch, clinic, p.procedure_visit, pathway, patient, p.opened_at)
        booked = None
        if p.procedure_visit.booked:
            booked = Booked(
                p.procedure_visit, clinic.index, visit, patient, pathway, user, p.opened_at, p
            )
            batch.booked.append(booked)
        if p.screening is not None:
            screening = self._add(batch, SCREENING, *self._screening(p, pathway, user))
            if booked is not None:
                booked.screening = screening
        consent = None
        if p.consent is not None:
            consent = self._add(batch, CONSENT, *self._consent(p, pathway, user))
            if booked is not None:
                booked.consent = consent
        if p.driver is not None:
            name, relationship, at = p.driver
            self._add(batch, DRIVER, pathway, name, relationship, at, user)
        if p.done is not None:
            self._done(batch, clinic, p, p.done, pathway, patient, user, consent)
        if p.follow_up is not None:
            visit = self._visit(batch, clinic, p.follow_up, pathway, patient, p.opened_at)
            if p.follow_up.booked:
                batch.booked.append(
                    Booked(p.follow_up, clinic.index, visit, patient, pathway, user, p.opened_at)
                )

    def _screening(self, p: PathwayRecords, pathway: int, user: int) -> tuple[Any, ...]:
        s = p.screening
        assert s is not None
        return (
            pathway, "submitted", s.answers, s.result, self.version, s.submitted_at,
            s.submitted_at, user,
        )  # fmt: skip

    def _consent(self, p: PathwayRecords, pathway: int, user: int) -> tuple[Any, ...]:
        c = p.consent
        assert c is not None
        return (
            pathway, c.plan_snapshot, c.confirmed, c.agreed_at, user, c.witnessed_at,
            p.physician.user_id,
        )  # fmt: skip

    def _done(
        self, batch: RowBatch, clinic: ClinicPlan, p: PathwayRecords, done: Done,
        pathway: int, patient: int, user: int, consent: int | None,
    ) -> None:  # fmt: skip
        procedure = self._add(
            batch, PROCEDURE, pathway, consent, done.data, done.performed_at, p.kind, p.side,
            done.documented_at, p.physician.user_id,
        )  # fmt: skip
        # The diary is most of the rows: built here in COLUMNS[ENTRY] order, without the
        # layout's converters (its times are the only values to convert).
        entries = batch.rows[ENTRY.name]
        number, to_text, defaults = len(entries), self._time, self._entry_defaults
        for at, pain in done.entries:
            text = to_text(at)
            entries.append((number, procedure, text, pain, text, user, *defaults))
            number += 1
        reading = done.reading
        columns = reading.columns
        if len(columns) != len(_READING_COLUMNS):
            raise ValueError(f"unexpected query columns: {sorted(columns)}")
        self._add(
            batch, INTERPRETATION, procedure, reading.kind, reading.result_json,
            reading.classification, self.version, reading.computed_at, True,
            clinic.clinic_id, patient, done.data.get("physician"), p.opened_at,
            *(columns[name] for name in _READING_COLUMNS),
        )  # fmt: skip
        for report in done.reports:
            self._add(
                batch, REPORT, pathway, procedure, report.reported_at, user, report.report,
                report.disposition, report.result, self.version,
            )  # fmt: skip

    def _visit(
        self, batch: RowBatch, clinic: ClinicPlan, visit: Visit, pathway: int, patient: int,
        created: datetime,
    ) -> int:  # fmt: skip
        return self._add(
            batch, APPOINTMENT, *self._appointment(clinic, visit, pathway, patient, created)
        )

    def _appointment(
        self, clinic: ClinicPlan, visit: Visit, pathway: int, patient: int, created: datetime
    ) -> tuple[Any, ...]:
        return (
            clinic.clinic_id, patient, visit.physician.practitioner_id, clinic.location_id,
            None if visit.follow_up else visit.physician.room_id, pathway,
            AppointmentKind.FOLLOW_UP if visit.follow_up else AppointmentKind.PROCEDURE,
            AppointmentMode.VIRTUAL if visit.follow_up else AppointmentMode.IN_PERSON,
            AppointmentStatus.BOOKED if visit.booked else AppointmentStatus.COMPLETED,
            visit.starts_at, visit.starts_at + timedelta(minutes=visit.minutes),
            min(created, visit.starts_at), visit.physician.user_id,
        )  # fmt: skip

    def rebuild(self, batch: RowBatch, booked: Booked) -> None:
        """Rebuild the rows of a booked appointment that moved (see `Booking`)."""
        clinic = self.plans[booked.clinic_index]
        values = self._appointment(
            clinic, booked.visit, booked.pathway, booked.patient, booked.opened_at
        )
        self._replace(batch, APPOINTMENT, booked.appointment, values)
        p = booked.pathway_records
        if p is None:
            return
        if booked.screening is not None:
            self._replace(
                batch, SCREENING, booked.screening, self._screening(p, booked.pathway, booked.user)
            )
        if booked.consent is not None:
            self._replace(
                batch, CONSENT, booked.consent, self._consent(p, booked.pathway, booked.user)
            )

    def _replace(
        self, batch: RowBatch, table: sa.Table, number: int, values: tuple[Any, ...]
    ) -> None:
        batch.rows[table.name][number] = self.layouts[table.name].row((number, *values))


class Booking:
    """The booked times of the run's physicians, kept apart in the patients' order."""

    def __init__(self, maker: RowMaker) -> None:
        self.maker = maker
        self.booked: set[tuple[int, datetime]] = set()

    def settle(self, batch: RowBatch) -> None:
        """Move the batch's booked appointments off taken times, rebuilding their rows."""
        for booked in batch.booked:
            if self._move(booked.visit):
                if booked.pathway_records is not None:
                    self._redo_for_new_time(booked)
                self.maker.rebuild(batch, booked)

    def _move(self, visit: Visit) -> bool:
        """Keep a booked visit off its physician's other booked times; True when moved."""
        moved = False
        zone = self.maker.ctx.zone
        key = (visit.physician.practitioner_id, visit.starts_at.astimezone(UTC))
        while key in self.booked:
            visit.starts_at = people.next_slot(visit.starts_at, zone)
            key, moved = (key[0], visit.starts_at.astimezone(UTC)), True
        self.booked.add(key)
        return moved

    def _redo_for_new_time(self, booked: Booked) -> None:
        p = booked.pathway_records
        assert p is not None
        clinic = self.maker.plans[booked.clinic_index]
        at, k = p.procedure_visit.starts_at, self.maker.ctx.knowledge
        if p.screening is not None:
            s = p.screening
            p.screening = clinical.screening(s.answers, at, s.submitted_at, k)
        if p.consent is not None and p.screening is not None:
            c = p.consent
            plan = clinical.planned(p.screening.answers, at, p.physician, clinic.location_name, k)
            p.consent = clinical.consent(
                plan, p.physician, clinic.location_name, c.agreed_at, c.witnessed_at, k
            )
