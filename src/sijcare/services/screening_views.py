"""What a clinician sees of a pathway's stored screening: each submitted response with
the core's findings and whether a clinician still has to act on each, and the
clinicians' decisions. Read only; `sijcare.services.screening_review` has the use cases
that read these and add decisions, and re-exports what other services use.

A finding that needs a clinician (severity review or stop) is *open* until a decision
changes it or a clinician marks it reviewed with a note. A review note holds while the
patient's answers are unchanged (clinicians' decisions aside): `answers_fingerprint`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.models import ClinicianDecision, ScreeningResponse, User
from sijcare.domain.errors import InputError
from sijcare.domain.intake import Intake
from sijcare.domain.knowledge import Knowledge
from sijcare.formats.intake import intake_from_dict
from sijcare.services.errors import Conflict, msg

# Severities of the core's findings that need a clinician before the procedure.
NEEDS_CLINICIAN = frozenset({"review", "stop"})
# Findings about a listed medicine that a hold-or-continue decision settles.
DECIDABLE = frozenset(
    {
        "blood_thinner.review",
        "blood_thinner.hold",
        "blood_thinner.continue",
        "glp1.review",
        "glp1.hold",
        "glp1.continue",
    }
)
REVIEW_NOTE = "reviewed"


@dataclass(frozen=True)
class StepView:
    at: datetime
    what: str
    code: str


@dataclass(frozen=True)
class OptionView:
    code: str
    summary: str
    steps: tuple[StepView, ...]


@dataclass(frozen=True)
class ReviewNote:
    decision_id: int
    note: str
    decided_at: datetime
    decided_by: str


@dataclass(frozen=True)
class FindingView:
    """One finding of the core, and whether a clinician still has to act on it."""

    code: str
    about: str
    severity: str
    patient_message: str
    clinician_rationale: str
    source: str
    options: tuple[OptionView, ...]
    actions: tuple[StepView, ...]
    review: ReviewNote | None

    @property
    def needs_clinician(self) -> bool:
        return self.severity in NEEDS_CLINICIAN

    @property
    def open(self) -> bool:
        return self.needs_clinician and self.review is None

    @property
    def decidable(self) -> bool:
        return self.code in DECIDABLE


@dataclass(frozen=True)
class ResponseView:
    """A submitted screening: the answers, the core's result and the review state."""

    id: int
    status: str
    readiness: str
    procedure_time: datetime
    time_zone: str
    submitted_at: datetime | None
    submitted_by: str
    knowledge_version: str
    intake: Intake
    findings: tuple[FindingView, ...]
    actions: tuple[StepView, ...]

    @property
    def open_findings(self) -> int:
        return sum(1 for f in self.findings if f.open)


@dataclass(frozen=True)
class DecisionView:
    id: int
    about: str
    kind: str
    decided_at: datetime
    decided_by: str
    detail: Mapping[str, Any]


@dataclass(frozen=True)
class ScreeningReview:
    pathway_id: int
    pathway_status: str
    side: str
    kind: str
    patient_public_id: str
    patient_name: str
    response: ResponseView | None
    history: tuple[ResponseView, ...]  # every submitted response, newest first
    decisions: tuple[DecisionView, ...]  # newest first


def latest_response(db: Session, pathway_id: int) -> ScreeningResponse | None:
    """The pathway's newest submitted (or reviewed) response; drafts do not count."""
    return db.scalar(
        sa.select(ScreeningResponse)
        .where(ScreeningResponse.pathway_id == pathway_id, ScreeningResponse.status != "draft")
        .order_by(ScreeningResponse.submitted_at.desc(), ScreeningResponse.id.desc())
        .limit(1)
    )


def read_intake(response: ScreeningResponse, knowledge: Knowledge) -> Intake:
    """The stored answers as the core's `Intake`; answers the knowledge cannot read conflict."""
    try:
        return intake_from_dict(response.answers, knowledge)
    except InputError as exc:
        raise Conflict(
            msg("The stored answers cannot be read ({detail}).", detail=str(exc))
        ) from None


def answers_fingerprint(answers: Mapping[str, Any]) -> str:
    """A fingerprint of the patient's own answers (clinicians' decisions left out)."""
    own = {key: value for key, value in answers.items() if key != "clinician_decisions"}
    return hashlib.sha256(json.dumps(own, sort_keys=True).encode("utf-8")).hexdigest()[:32]


def review_notes(
    db: Session, pathway_id: int, response: ScreeningResponse
) -> dict[tuple[str, str], ReviewNote]:
    """The review notes that hold for `response`, by (finding code, about); latest wins."""
    fingerprint = answers_fingerprint(response.answers)
    rows = db.scalars(
        sa.select(ClinicianDecision)
        .where(ClinicianDecision.pathway_id == pathway_id)
        .order_by(ClinicianDecision.decided_at, ClinicianDecision.id)
    ).all()
    names = _names(db, [row.decided_by for row in rows])
    notes = {}
    for row in rows:
        detail = row.decision
        if detail.get("kind") == REVIEW_NOTE and detail.get("answers") == fingerprint:
            notes[(row.about, str(detail.get("finding_about", "")))] = ReviewNote(
                row.id, str(detail.get("note", "")), row.decided_at, names.get(row.decided_by, "")
            )
    return notes


def open_findings(db: Session, pathway_id: int, response: ScreeningResponse) -> int:
    """How many findings of `response` still need a clinician."""
    return sum(1 for f in findings_of(response, review_notes(db, pathway_id, response)) if f.open)


def findings_of(
    response: ScreeningResponse, notes: Mapping[tuple[str, str], ReviewNote]
) -> tuple[FindingView, ...]:
    result = response.result or {}
    return tuple(
        FindingView(
            code=str(f["code"]),
            about=str(f["about"]),
            severity=str(f["severity"]),
            patient_message=str(f["patient_message"]),
            clinician_rationale=str(f["clinician_rationale"]),
            source=str(f["source"]),
            options=tuple(
                OptionView(str(o["code"]), str(o["summary"]), _steps(o.get("steps", ())))
                for o in f.get("options", ())
            ),
            actions=_steps(f.get("actions", ())),
            review=notes.get((str(f["code"]), str(f["about"]))),
        )
        for f in result.get("findings", ())
    )


def _steps(items: Sequence[Mapping[str, Any]]) -> tuple[StepView, ...]:
    return tuple(
        StepView(datetime.fromisoformat(str(a["at"])), str(a["what"]), str(a["code"]))
        for a in items
    )


def response_view(
    db: Session, pathway_id: int, response: ScreeningResponse, knowledge: Knowledge
) -> ResponseView:
    result = response.result or {}
    names = _names(db, [response.submitted_by] if response.submitted_by else [])
    return ResponseView(
        id=response.id,
        status=response.status,
        readiness=str(result.get("status", "")),
        procedure_time=datetime.fromisoformat(str(result["procedure_time"])),
        time_zone=str(result.get("time_zone", "")),
        submitted_at=response.submitted_at,
        submitted_by=names.get(response.submitted_by or 0, ""),
        knowledge_version=response.knowledge_version or "",
        intake=read_intake(response, knowledge),
        findings=findings_of(response, review_notes(db, pathway_id, response)),
        actions=_steps(result.get("actions", ())),
    )


def _names(db: Session, user_ids: Sequence[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.execute(sa.select(User.id, User.display_name).where(User.id.in_(set(user_ids)))).all()
    return {row.id: row.display_name for row in rows}


def decision_views(db: Session, pathway_id: int) -> tuple[DecisionView, ...]:
    rows = db.scalars(
        sa.select(ClinicianDecision)
        .where(ClinicianDecision.pathway_id == pathway_id)
        .order_by(ClinicianDecision.decided_at.desc(), ClinicianDecision.id.desc())
    ).all()
    names = _names(db, [row.decided_by for row in rows])
    return tuple(
        DecisionView(
            id=row.id,
            about=row.about,
            kind=str(row.decision.get("kind", "")),
            decided_at=row.decided_at,
            decided_by=names.get(row.decided_by, ""),
            detail=dict(row.decision),
        )
        for row in rows
    )
