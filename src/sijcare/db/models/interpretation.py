"""A computed reading of a procedure's diary (relief, classification) and its sign-off.

A new row is stored whenever the diary changes or the knowledge version changes; the
newest row of a procedure is its `current` one. A trigger (created by migration 0004)
keeps exactly one current row per procedure: inserting a row marks the procedure's
earlier rows as no longer current.

Query columns. The outcome dashboard aggregates in the database, so the figures it
needs are stored beside the JSON `result` (which stays the full record):
- from the result (`result_columns`): when and what was injected (`performed_at`,
  `performed_month` as the injection's local month, `side`, `anesthetic`,
  `anesthetic_action`, `steroid`, `baseline_pain`), the diagnostic peak and how long
  relief at or above the threshold lasted (a bounded interval in hours), the
  therapeutic milestones (relief and responder at 2 weeks, 6 weeks and 3 months), how
  long relief of at least the sustained level lasted (a bounded interval in weeks),
  flare, onset day and how many diary scores were read;
- from the procedure's records (`context_columns`, read when the row is inserted):
  the clinic, the patient, the performing physician as documented, and the referral
  (the pathway's opening) time;
- computed by the database from those two: `referral_days`, the days (a fraction) from
  the referral to the injection, whose median the dashboard sorts as a plain column.
  Triggers (created by migration 0007) set it on every insert and when those times
  change, so no writer sets it (the ORM and the synth's bulk loads alike); a row just
  inserted through the ORM holds None for it until read again. Not a generated column:
  SQLite (3.40) reads the table, not the covering index, for any query that names a
  generated column.
A result the core could not read (`{"error": ...}`) has only the context columns.
Rows stored before migration 0004 have no query columns (`clinic_id` is NULL) until
`sijcare reinterpret` reads their diaries again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Mapper, mapped_column, object_session
from sqlalchemy.orm.util import identity_key

from sijcare.db.base import Base, UTCDateTime, pair_check

CURRENT = sa.text("current")
KIND_KNOWN = "kind IN ('diagnostic', 'therapeutic')"
WAITING = sa.text("current AND clinic_id IS NULL")
UNDATED = sa.text("current AND performed_month IS NULL")
MILESTONES = ("2w", "6w", "3m")

# The query columns the dashboard reads: a partial covering index over current rows lets
# SQLite answer without reading the (large) JSON result of each row.
# The month second (migration 0012): the whole system's dashboard reads the recent months'
# rows as a range after an equal kind, or SQLite skipping over the few kinds
# (`services.outcome_summary`); the kind stays first, for the comparative pairs' scan of
# the blocks. A clinic's dashboard is as fast as with the clinic second.
OUTCOME_COLUMNS = (
    "kind",
    "performed_month",
    "clinic_id",
    "physician",
    "side",
    "anesthetic",
    "steroid",
    "classification",
    "performed_at",
    "referred_at",
    "peak_relief_percent",
    "relief_at_least_hours",
    "relief_less_than_hours",
    "responder_2w",
    "responder_6w",
    "responder_3m",
    "sustained_at_least_weeks",
    "flare",
    "scores",
    "procedure_id",
    "patient_id",
    "anesthetic_action",
    "referral_days",
    # Last, though the index's condition implies it: else SQLite reads the table for it.
    "current",
)


class Interpretation(Base):
    __tablename__ = "interpretation"
    __table_args__ = (
        sa.CheckConstraint(pair_check("signed_off_at", "signed_off_by"), name="signed_off_pair"),
        # PostgreSQL only (migration 0012): the dashboard names every kind to read the
        # recent months by index there; SQLite skips over the kinds without naming them.
        sa.CheckConstraint(KIND_KNOWN, name="kind_known").ddl_if(dialect="postgresql"),
        sa.Index(
            "uq_interpretation_current_procedure",
            "procedure_id",
            unique=True,
            sqlite_where=CURRENT,
            postgresql_where=CURRENT,
        ),
        sa.Index(
            "ix_interpretation_current_outcomes",
            *OUTCOME_COLUMNS,
            sqlite_where=CURRENT,
            postgresql_where=CURRENT,
        ),
        # Two small indexes of rare rows (PostgreSQL cannot skip over the covering
        # index's kind to find them): the readings without query columns yet, which the
        # dashboard counts on every view, and those without an injection time
        # (migration 0012).
        sa.Index(
            "ix_interpretation_current_waiting",
            "procedure_id",
            sqlite_where=WAITING,
            postgresql_where=WAITING,
        ),
        sa.Index(
            "ix_interpretation_current_undated",
            "kind",
            "clinic_id",
            sqlite_where=UNDATED,
            postgresql_where=UNDATED,
        ),
        sa.Index(
            "ix_interpretation_current_patient_side",
            "patient_id",
            "side",
            sqlite_where=CURRENT,
            postgresql_where=CURRENT,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedure_record.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    # JSON text on both engines, jsonb nowhere: written once a score and never queried
    # inside (the query columns below are), kept as the app wrote it (migration 0011).
    result: Mapped[dict[str, Any]] = mapped_column(sa.JSON())
    classification: Mapped[str] = mapped_column(sa.String(40), default="")
    knowledge_version: Mapped[str] = mapped_column(sa.String(32))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    current: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Context (see the module docstring).
    clinic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clinic.id"))
    patient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patient.id"))
    physician: Mapped[str | None] = mapped_column(sa.String(200))
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Kept by the database (see the module docstring); NULL unless both times are known.
    referral_days: Mapped[float | None] = mapped_column(sa.Float)
    # From the result.
    performed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    performed_month: Mapped[str | None] = mapped_column(sa.String(7))
    side: Mapped[str | None] = mapped_column(sa.String(10))
    anesthetic: Mapped[str | None] = mapped_column(sa.String(40))
    anesthetic_action: Mapped[str | None] = mapped_column(sa.String(10))
    steroid: Mapped[str | None] = mapped_column(sa.String(40))
    baseline_pain: Mapped[int | None]
    peak_relief_percent: Mapped[float | None] = mapped_column(sa.Float)
    relief_at_least_hours: Mapped[float | None] = mapped_column(sa.Float)
    relief_less_than_hours: Mapped[float | None] = mapped_column(sa.Float)
    relief_2w: Mapped[float | None] = mapped_column(sa.Float)
    relief_6w: Mapped[float | None] = mapped_column(sa.Float)
    relief_3m: Mapped[float | None] = mapped_column(sa.Float)
    responder_2w: Mapped[bool | None]
    responder_6w: Mapped[bool | None]
    responder_3m: Mapped[bool | None]
    sustained_at_least_weeks: Mapped[float | None] = mapped_column(sa.Float)
    sustained_less_than_weeks: Mapped[float | None] = mapped_column(sa.Float)
    flare: Mapped[bool | None]
    onset_day: Mapped[int | None]
    scores: Mapped[int | None]


def result_columns(result: Mapping[str, Any]) -> dict[str, Any]:
    """The query columns of a stored result (the JSON form of the core's reading).

    Every column is present; those the result does not give are None (a diagnostic
    block has no milestones, an unreadable diary has nothing).
    """
    out: dict[str, Any] = dict.fromkeys(_RESULT_COLUMNS)
    if "error" in result or "performed_at" not in result:
        return out
    performed = datetime.fromisoformat(str(result["performed_at"]))
    inputs = result.get("provenance", {}).get("inputs", {})
    out.update(
        performed_at=performed,
        # The local month as documented: the offset is the clinic's at the injection.
        performed_month=performed.strftime("%Y-%m"),
        side=inputs.get("side", result.get("side")),
        anesthetic=result.get("anesthetic"),
        anesthetic_action=result.get("anesthetic_action"),
        steroid=result.get("steroid"),
        baseline_pain=result.get("baseline_pain"),
        scores=inputs.get("scores"),
    )
    if "milestones" in result:
        out.update(_therapeutic(result))
    else:
        out.update(_diagnostic(result))
    return out


def _diagnostic(result: Mapping[str, Any]) -> dict[str, Any]:
    span = (result.get("relief_duration") or {}).get("since_injection") or {}
    return {
        "peak_relief_percent": result.get("peak_relief_percent"),
        "relief_at_least_hours": span.get("at_least"),
        "relief_less_than_hours": span.get("less_than"),
    }


def _therapeutic(result: Mapping[str, Any]) -> dict[str, Any]:
    weeks = result.get("sustained_relief_weeks") or {}
    out: dict[str, Any] = {
        "peak_relief_percent": result.get("anesthetic_peak_relief_percent"),
        "sustained_at_least_weeks": weeks.get("at_least"),
        "sustained_less_than_weeks": weeks.get("less_than"),
        "flare": result.get("flare_detected"),
        "onset_day": result.get("onset_day"),
    }
    for name in MILESTONES:
        out[f"relief_{name}"] = result["milestones"].get(name)
        out[f"responder_{name}"] = result["responders"].get(name)
    return out


_RESULT_COLUMNS = (
    "performed_at",
    "performed_month",
    "side",
    "anesthetic",
    "anesthetic_action",
    "steroid",
    "baseline_pain",
    "peak_relief_percent",
    "relief_at_least_hours",
    "relief_less_than_hours",
    *(f"relief_{name}" for name in MILESTONES),
    *(f"responder_{name}" for name in MILESTONES),
    "sustained_at_least_weeks",
    "sustained_less_than_weeks",
    "flare",
    "onset_day",
    "scores",
)


def physician_column(documented: object) -> str | None:
    """The `physician` column of a procedure document's "physician" value."""
    return str(documented or "").strip()[:200] or None


def context_columns(connection: sa.Connection, procedure_id: int) -> dict[str, Any]:
    """The clinic, patient, documented physician and referral time of a procedure."""
    from sijcare.db.models.pathway import Pathway
    from sijcare.db.models.patient import Patient
    from sijcare.db.models.procedure_record import ProcedureRecord

    row = connection.execute(
        sa.select(
            Patient.clinic_id,
            Patient.id,
            Pathway.opened_at,
            ProcedureRecord.data["physician"].as_string(),
        )
        .join(Pathway, Pathway.id == ProcedureRecord.pathway_id)
        .join(Patient, Patient.id == Pathway.patient_id)
        .where(ProcedureRecord.id == procedure_id)
    ).one()
    clinic_id, patient_id, opened_at, physician = row
    return {
        "clinic_id": clinic_id,
        "patient_id": patient_id,
        "referred_at": opened_at,
        "physician": physician_column(physician),
    }


def _loaded_context(row: Interpretation) -> dict[str, Any] | None:
    """The context from the rows the session already holds (the usual case), else None."""
    from sijcare.db.models.pathway import Pathway
    from sijcare.db.models.patient import Patient
    from sijcare.db.models.procedure_record import ProcedureRecord

    session = object_session(row)
    if session is None:
        return None
    record = session.identity_map.get(identity_key(ProcedureRecord, row.procedure_id))
    pathway = record and session.identity_map.get(identity_key(Pathway, record.pathway_id))
    patient = pathway and session.identity_map.get(identity_key(Patient, pathway.patient_id))
    if patient is None:
        return None
    return {
        "clinic_id": patient.clinic_id,
        "patient_id": patient.id,
        "referred_at": pathway.opened_at,
        "physician": physician_column(record.data.get("physician")),
    }


@sa.event.listens_for(Interpretation, "before_insert")
def _fill_query_columns(_mapper: Mapper[Any], connection: sa.Connection, row: Any) -> None:
    for name, value in result_columns(row.result).items():
        setattr(row, name, value)
    context = _loaded_context(row) or context_columns(connection, row.procedure_id)
    for name, value in context.items():
        setattr(row, name, value)
