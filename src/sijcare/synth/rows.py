"""Synthetic records as table rows: numbered, linked, and with booked times kept apart.

`RowMaker.rows` turns drawn patients into a `writer.Batch` in foreign-key order. A
booked appointment (one still to come) may not share its start with another booked
appointment of the same physician (the database refuses it): it moves to the next free
half hour, and its screening and consent are redone for the new time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

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
from sijcare.synth import clinical, people
from sijcare.synth.records import ClinicPlan, PathwayRecords, PatientRecords, Visit
from sijcare.synth.writer import Batch, Ids

USER = User.__table__
PATIENT = Patient.__table__
PATHWAY = Pathway.__table__
SCREENING = ScreeningResponse.__table__
APPOINTMENT = Appointment.__table__
CONSENT = ConsentRecord.__table__
DRIVER = Driver.__table__
PROCEDURE = ProcedureRecord.__table__
ENTRY = DiaryEntry.__table__
INTERPRETATION = Interpretation.__table__
REPORT = SymptomReport.__table__
# In foreign-key order.
TABLES: tuple[sa.Table, ...] = (
    USER, PATIENT, PATHWAY, SCREENING, APPOINTMENT, CONSENT, DRIVER, PROCEDURE, ENTRY,
    INTERPRETATION, REPORT,
)  # fmt: skip


class RowMaker:
    """Numbers and links the rows of drawn patients (one maker per run)."""

    def __init__(
        self, ctx: people.Context, plans: Sequence[ClinicPlan], ids: Ids, password_hash: str
    ) -> None:
        self.ctx = ctx
        self.plans = {plan.index: plan for plan in plans}
        self.ids = ids
        self.password_hash = password_hash
        self.booked: set[tuple[int, datetime]] = set()

    def rows(self, patients: Sequence[PatientRecords]) -> Batch:
        batch = Batch()
        for table in TABLES:  # fix the writing order, whatever each patient has
            batch.rows[table] = []
        for records in patients:
            self._patient(batch, records)
        return batch

    def _add(self, batch: Batch, table: sa.Table, **row: Any) -> int:
        row["id"] = self.ids.take(table)
        batch.add(table, row)
        return int(row["id"])

    def _patient(self, batch: Batch, records: PatientRecords) -> None:
        clinic = self.plans[records.clinic_index]
        user_id = self._add(
            batch, USER, clinic_id=clinic.clinic_id, email=records.email,
            password_hash=self.password_hash, role=Role.PATIENT, display_name=records.name,
            locale=records.locale, created_at=records.created_at,
        )  # fmt: skip
        patient_id = self._add(
            batch, PATIENT, public_id=records.public_id, clinic_id=clinic.clinic_id,
            user_id=user_id, name=records.name, date_of_birth=records.date_of_birth,
            created_at=records.created_at,
        )  # fmt: skip
        for pathway in records.pathways:
            self._pathway(batch, clinic, pathway, patient_id, user_id)

    def _pathway(
        self, batch: Batch, clinic: ClinicPlan, p: PathwayRecords, patient_id: int, user_id: int
    ) -> None:
        doctor = p.physician.user_id
        pathway_id = self._add(
            batch, PATHWAY, patient_id=patient_id, side=p.side, kind=p.kind,
            status=PathwayStatus.ACTIVE if p.closed_at is None else PathwayStatus.CLOSED,
            covers_left=p.side in ("left", "bilateral"),
            covers_right=p.side in ("right", "bilateral"),
            opened_at=p.opened_at, opened_by=doctor, closed_at=p.closed_at,
            closed_by=None if p.closed_at is None else doctor, close_reason=p.close_reason,
        )  # fmt: skip
        if p.procedure_visit.booked and self._move(p.procedure_visit):
            self._redo_for_new_time(clinic, p)
        self._visit(batch, clinic, p.procedure_visit, pathway_id, patient_id, p.opened_at)
        if p.screening is not None:
            s = p.screening
            self._add(
                batch, SCREENING, pathway_id=pathway_id, status="submitted", answers=s.answers,
                result=s.result, knowledge_version=self.ctx.knowledge.version,
                created_at=s.submitted_at, submitted_at=s.submitted_at, submitted_by=user_id,
            )  # fmt: skip
        consent_id = None
        if p.consent is not None:
            c = p.consent
            consent_id = self._add(
                batch, CONSENT, pathway_id=pathway_id, plan_snapshot=c.plan_snapshot,
                confirmed=c.confirmed, agreed_at=c.agreed_at, agreed_by=user_id,
                witnessed_at=c.witnessed_at, witnessed_by=doctor,
            )  # fmt: skip
        if p.driver is not None:
            name, relationship, at = p.driver
            self._add(
                batch, DRIVER, pathway_id=pathway_id, name=name, relationship=relationship,
                recorded_at=at, recorded_by=user_id,
            )  # fmt: skip
        if p.done is not None:
            self._done(batch, clinic, p, pathway_id, patient_id, user_id, consent_id)
        if p.follow_up is not None:
            if p.follow_up.booked:
                self._move(p.follow_up)
            self._visit(batch, clinic, p.follow_up, pathway_id, patient_id, p.opened_at)

    def _done(
        self, batch: Batch, clinic: ClinicPlan, p: PathwayRecords, pathway_id: int,
        patient_id: int, user_id: int, consent_id: int | None,
    ) -> None:  # fmt: skip
        done = p.done
        assert done is not None
        procedure_id = self._add(
            batch, PROCEDURE, pathway_id=pathway_id, consent_record_id=consent_id,
            data=done.data, performed_at=done.performed_at, kind=p.kind, side=p.side,
            documented_at=done.documented_at, documented_by=p.physician.user_id,
        )  # fmt: skip
        for at, pain in done.entries:
            self._add(
                batch, ENTRY, procedure_id=procedure_id, recorded_at=at, pain=pain,
                created_at=at, created_by=user_id,
            )  # fmt: skip
        reading = done.reading
        self._add(
            batch, INTERPRETATION, procedure_id=procedure_id, kind=reading.kind,
            result=reading.result_json, classification=reading.classification,
            knowledge_version=self.ctx.knowledge.version, computed_at=reading.computed_at,
            current=True, clinic_id=clinic.clinic_id, patient_id=patient_id,
            physician=done.data.get("physician"), referred_at=p.opened_at, **reading.columns,
        )  # fmt: skip
        for report in done.reports:
            self._add(
                batch, REPORT, pathway_id=pathway_id, procedure_id=procedure_id,
                reported_at=report.reported_at, reported_by=user_id, report=report.report,
                disposition=report.disposition, result=report.result,
                knowledge_version=self.ctx.knowledge.version,
            )  # fmt: skip

    def _visit(
        self, batch: Batch, clinic: ClinicPlan, visit: Visit, pathway_id: int,
        patient_id: int, created: datetime,
    ) -> None:  # fmt: skip
        self._add(
            batch, APPOINTMENT, clinic_id=clinic.clinic_id, patient_id=patient_id,
            practitioner_id=visit.physician.practitioner_id, location_id=clinic.location_id,
            room_id=None if visit.follow_up else visit.physician.room_id,
            pathway_id=pathway_id,
            kind=AppointmentKind.FOLLOW_UP if visit.follow_up else AppointmentKind.PROCEDURE,
            mode=AppointmentMode.VIRTUAL if visit.follow_up else AppointmentMode.IN_PERSON,
            status=AppointmentStatus.BOOKED if visit.booked else AppointmentStatus.COMPLETED,
            starts_at=visit.starts_at,
            ends_at=visit.starts_at + timedelta(minutes=visit.minutes),
            created_at=min(created, visit.starts_at), created_by=visit.physician.user_id,
        )  # fmt: skip

    def _move(self, visit: Visit) -> bool:
        """Keep a booked visit off its physician's other booked times; True when moved."""
        moved = False
        key = (visit.physician.practitioner_id, visit.starts_at.astimezone(UTC))
        while key in self.booked:
            visit.starts_at = people.next_slot(visit.starts_at, self.ctx.zone)
            key, moved = (key[0], visit.starts_at.astimezone(UTC)), True
        self.booked.add(key)
        return moved

    def _redo_for_new_time(self, clinic: ClinicPlan, p: PathwayRecords) -> None:
        at, k = p.procedure_visit.starts_at, self.ctx.knowledge
        if p.screening is not None:
            s = p.screening
            p.screening = clinical.screening(s.answers, at, s.submitted_at, k)
        if p.consent is not None and p.screening is not None:
            c = p.consent
            plan = clinical.planned(p.screening.answers, at, p.physician, clinic.location_name, k)
            p.consent = clinical.consent(
                plan, p.physician, clinic.location_name, c.agreed_at, c.witnessed_at, k
            )
