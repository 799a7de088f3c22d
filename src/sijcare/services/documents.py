"""Printable documents: the patient's sheets and the clinician's diary report, as PDF.

Each use case checks access, gathers what the web pages show from the same services and
core functions, records one audit event (`document.print`, with the document's kind) in
its transaction and renders the print template (`templates/print/`) through the web
layer's `Printing` into PDF bytes (`sijcare.interop.pdf`). Rendering happens inside the
transaction, so a document that fails to render is not audited as printed.

Every document carries the knowledge version, the time it was made (`now`) and the time
zone of its times. Whose clock and language: the patient's sheets (preparation,
aftercare, consent record) are the patient's, so their times are in the patient's zone
(their account's, else the clinic's) and their words in the patient's language (their
account's, else the reader's), whoever prints them; the diary report is the
clinician's, in the reader's zone and language. File names are neutral
(`sijcare-preparation.pdf`): no patient data. The PDF's title is the document's name
only; the patient's name and date of birth are printed on the page.

Who may print what: the preparation sheet and the consent record (a pathway) and the
aftercare sheet (a documented procedure) go to the patient and the clinicians of their
clinic; the diary report to those clinicians only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sijcare.db.models import (
    Clinic,
    ConsentRecord,
    Interpretation,
    Patient,
    ProcedureRecord,
    ScreeningResponse,
    User,
)
from sijcare.domain.consent import QUESTION_TEXT, Question
from sijcare.domain.contact import help_line_hours_words
from sijcare.domain.errors import InputError
from sijcare.domain.instructions import aftercare_instructions
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import PlannedProcedure, Procedure
from sijcare.domain.relief import PainScore
from sijcare.domain.words import Words
from sijcare.formats.words import words_or_english
from sijcare.interop import pdf
from sijcare.services import (
    access,
    audit,
    diary,
    diary_review,
    injection_plan,
    pathways,
    procedures,
    screening,
    screening_pages,
    screening_review,
)
from sijcare.services.actor import Actor
from sijcare.services.errors import Conflict, msg
from sijcare.services.screening_results import stored_actions
from sijcare.settings import LOCALES

# Renders a template with a context in a locale, to HTML: the web layer's templates.
Render = Callable[[str, Mapping[str, Any], str], str]
# Draws the pain chart as SVG markup: (procedure, scores, reading, knowledge, zone, locale).
ChartDrawer = Callable[
    [Procedure, Sequence[PainScore], diary.Reading | None, Knowledge, str, str], str
]


class DocumentKind(StrEnum):
    PREPARATION = "preparation"
    AFTERCARE = "aftercare"
    CONSENT = "consent"
    DIARY_REPORT = "diary_report"


TEMPLATES = {
    DocumentKind.PREPARATION: "print/preparation.html",
    DocumentKind.AFTERCARE: "print/aftercare.html",
    DocumentKind.CONSENT: "print/consent.html",
    DocumentKind.DIARY_REPORT: "print/diary_report.html",
}


@dataclass(frozen=True)
class Printing:
    """What printing needs from the web layer: its templates, static files and chart.

    `locale` is the reader's language; `draw_chart` None leaves the chart out.
    """

    render: Render
    static_dir: Path
    locale: str
    draw_chart: ChartDrawer | None = None


@dataclass(frozen=True)
class Document:
    kind: DocumentKind
    pdf: bytes

    @property
    def file_name(self) -> str:
        """A neutral name: the document's kind, never the patient's data."""
        return f"sijcare-{self.kind.value.replace('_', '-')}.pdf"


@dataclass(frozen=True)
class Reader:
    """The zone and language a document is written in."""

    zone: str
    locale: str


@dataclass(frozen=True)
class Calls:
    """Who to call after the injection, as the aftercare sheet prints it."""

    help_line: str
    help_line_hours: Words  # "6:00 am to 9:00 pm", in the reader's clock
    after_hours: str
    emergency: str


# -- the patient's sheets -----------------------------------------------------------------


def preparation_sheet(
    db: Session,
    *,
    actor: Actor,
    pathway_id: int,
    knowledge: Knowledge,
    printing: Printing,
    now: datetime,
) -> Document:
    """The patient's preparation sheet: the plan, the screening's dated steps and the
    core's preparation instructions. `Conflict` until the injection is booked and the
    screening answered."""
    with db.begin():
        pathway, patient = pathways.load(db, actor, pathway_id)
        response = screening_review.latest_response(db, pathway.id)
        plan = None if response is None else injection_plan.current_plan(db, pathway, knowledge)
        if response is None or plan is None:
            raise Conflict(
                msg(
                    "The preparation sheet is ready once the injection is booked and the "
                    "health questions are answered."
                )
            )
        # The sheet is about a day at the injection's place: all of it on that clock
        # (the footer names the zone), whatever the patient's own zone.
        reader = patient_reader(db, patient, printing)
        place = injection_plan.place_time_zone(db, pathway.id) or reader.zone
        reader = dataclasses.replace(reader, zone=place)
        context = _preparation(db, pathway.id, response, plan, knowledge, reader.zone)
        _audit(db, actor, DocumentKind.PREPARATION, "pathway", pathway.id, patient, now)
        return _print(
            db, printing, DocumentKind.PREPARATION, patient, reader, knowledge, now, context
        )


def _preparation(
    db: Session,
    pathway_id: int,
    response: ScreeningResponse,
    plan: PlannedProcedure,
    knowledge: Knowledge,
    zone: str,
) -> dict[str, Any]:
    """What the preparation sheet shows, from the newest screening and the current plan."""
    result = response.result or {}
    steps = stored_actions(result)
    findings = screening_pages.findings_of(result)
    preparation = screening_pages.preparation_for(plan, steps, result, knowledge, zone)
    screened_for = result.get("procedure_time")
    return {
        "plan": plan,
        "readiness": str(result.get("status", "")),
        "findings": findings,
        "answered_at": response.submitted_at or response.created_at,
        "driver": screening.current_driver(db, pathway_id, response),
        "steps": steps,
        "preparation": preparation,
        # The screening's sentences on the sheet: a str is one stored without its words.
        "sentences": [
            *(f.said for f in findings),
            *(s.said for s in steps),
            *(() if preparation is None else preparation.screening_steps),
        ],
        # The booking moved since the answers were screened: the steps' dates are stale.
        "time_changed": screened_for is not None
        and datetime.fromisoformat(screened_for) != plan.scheduled_at,
    }


def aftercare_sheet(
    db: Session,
    *,
    actor: Actor,
    procedure_id: int,
    knowledge: Knowledge,
    printing: Printing,
    now: datetime,
) -> Document:
    """The patient's aftercare sheet: the documented injection, the core's aftercare
    instructions (with blood sugar checks when the screening says diabetes, and a
    confirmed blood-thinner restart) and who to call."""
    with db.begin():
        record, pathway, patient = diary.load_record(db, actor, procedure_id)
        procedure = diary.procedure_of(record, knowledge)
        reader = patient_reader(db, patient, printing)
        response = screening_review.latest_response(db, pathway.id)
        answers = {} if response is None else response.answers
        instructions = aftercare_instructions(
            procedure,
            knowledge,
            bool(answers.get("diabetes", {}).get("has")),
            screening_actions=stored_actions(None if response is None else response.result),
            time_zone=reader.zone,
        )
        context = {
            "procedure": procedure,
            "instructions": instructions,
            "calls": Calls(
                help_line=knowledge.text("clinic.help_line_phone"),
                help_line_hours=help_line_hours_words(knowledge),
                after_hours=knowledge.text("clinic.after_hours_phone"),
                emergency=knowledge.text("clinic.emergency_phone"),
            ),
        }
        _audit(db, actor, DocumentKind.AFTERCARE, "procedure_record", record.id, patient, now)
        return _print(
            db, printing, DocumentKind.AFTERCARE, patient, reader, knowledge, now, context
        )


def consent_record(
    db: Session,
    *,
    actor: Actor,
    pathway_id: int,
    knowledge: Knowledge,
    printing: Printing,
    now: datetime,
) -> Document:
    """The pathway's latest consent: the plan agreed to, each answer the patient read and
    when they confirmed it, the agreement and the witness, and whether it still covers
    the plan as it is now (the core's judgement). `Conflict` when there is none."""
    with db.begin():
        pathway, patient = pathways.load(db, actor, pathway_id)
        row = procedures.latest_consent(db, pathway.id)
        if row is None:
            raise Conflict(msg("There is no consent to print yet."))
        status = procedures.consent_status(db, pathway, knowledge)
        reader = patient_reader(db, patient, printing)
        context = _consent(row, status)
        _audit(db, actor, DocumentKind.CONSENT, "consent_record", row.id, patient, now)
        return _print(db, printing, DocumentKind.CONSENT, patient, reader, knowledge, now, context)


_SNAPSHOT_FIELDS = ("kind", "side", "anesthetic_agent", "steroid_agent", "physician", "location")


def _consent(row: ConsentRecord, status: procedures.ConsentStatus) -> dict[str, Any]:
    """What the consent record shows: the stored plan, answers and confirmations, and the
    core's verdict on the plan as it is now."""
    snapshot = dict(row.plan_snapshot)
    scheduled = snapshot.get("scheduled_at")
    answers = stored_answers(row.confirmed)
    return {
        "snapshot": {
            **{key: snapshot.get(key) for key in _SNAPSHOT_FIELDS},
            "scheduled_at": None if scheduled is None else datetime.fromisoformat(scheduled),
        },
        "plan_version": row.confirmed.get("plan_version") or snapshot.get("plan_version"),
        "state": status.state.value,
        "answers": answers,
        # Every sentence of the answers: the English-only notice shows for those kept
        # without their words (or no longer in the catalogue).
        "sentences": [said for answer in answers for said in answer.sentences],
        "confirmed": confirmation_times(row.confirmed),
        "agreed_at": row.agreed_at,
        "agreed_by": status.agreed_by,
        "language": row.language,
        "witnessed_at": row.witnessed_at,
        "witnessed_by": status.witnessed_by,
    }


# -- the clinician's diary report -----------------------------------------------------------


def diary_report(
    db: Session,
    *,
    actor: Actor,
    procedure_id: int,
    knowledge: Knowledge,
    printing: Printing,
    zone: str,
    now: datetime,
) -> Document:
    """A procedure's diary as the core reads it now (rules, threshold, rule and knowledge
    versions, the scores used), its sign-off, the chart and every entry (a clinician).

    Nothing is stored: the reading is computed for the report, and the sign-off shown is
    the newest stored reading's, said to be current only when it covers every entry
    with the knowledge in use.
    """
    with db.begin():
        record, _pathway, patient = diary.load_record(db, actor, procedure_id)
        access.require_clinician(actor, patient)
        reader = Reader(zone=zone, locale=printing.locale)
        context = _report(db, record, patient.id, knowledge, printing, reader)
        _audit(db, actor, DocumentKind.DIARY_REPORT, "procedure_record", record.id, patient, now)
        return _print(
            db, printing, DocumentKind.DIARY_REPORT, patient, reader, knowledge, now, context
        )


def _report(
    db: Session,
    record: ProcedureRecord,
    patient_id: int,
    knowledge: Knowledge,
    printing: Printing,
    reader: Reader,
) -> dict[str, Any]:
    """What the diary report shows: the core's reading now, the newest sign-off, the entries."""
    procedure = diary.procedure_of(record, knowledge)
    entries = diary.entries_of(db, record.id)
    scores = diary.scores_of(entries)
    reading, problem = _reading(procedure, scores, knowledge)
    latest = diary.latest_interpretation(db, record.id)
    chart = None
    if printing.draw_chart is not None:
        chart = printing.draw_chart(
            procedure, scores, reading, knowledge, reader.zone, reader.locale
        )
    used_at = set() if reading is None else {p.recorded_at for p in reading.scores_used}
    return {
        "procedure": procedure,
        "reading": reading,
        "reading_problem": problem,
        "sign_off": _sign_off(db, latest),
        # What diary_review counts as current: it covers every entry, with this knowledge.
        "sign_off_current": latest is not None
        and latest.knowledge_version == knowledge.version
        and all(e.created_at <= latest.computed_at for e in entries),
        "chart": chart,
        "entries": diary_review.entry_rows(db, patient_id, entries, procedure.baseline_pain),
        "used": {e.id for e in entries if e.recorded_at in used_at},
    }


def _reading(
    procedure: Procedure, scores: Sequence[PainScore], knowledge: Knowledge
) -> tuple[diary.Reading | None, str]:
    try:
        return diary.read(procedure, scores, knowledge), ""
    except InputError as exc:
        return None, str(exc)


def _sign_off(db: Session, latest: Interpretation | None) -> diary_review.SignOff | None:
    if latest is None:
        return None
    signer = db.get(User, latest.signed_off_by) if latest.signed_off_by is not None else None
    return diary_review.SignOff(
        interpretation_id=latest.id,
        computed_at=latest.computed_at,
        classification=latest.classification,
        knowledge_version=latest.knowledge_version,
        signed_off_at=latest.signed_off_at,
        signed_off_by="" if signer is None else signer.display_name,
    )


# -- reading what is stored -----------------------------------------------------------------


# A sentence for a document: its `Words`, or its English when it has none.
Said = Words | str


@dataclass(frozen=True)
class ReadAnswer:
    """A consent question and its answer as stored with the patient's agreement: each
    sentence's words, for the document's language, or its English where the record has
    none (agreed before they were kept)."""

    question: Question
    text: Said
    answer: tuple[Said, ...]

    @property
    def sentences(self) -> tuple[Said, ...]:
        return (self.text, *self.answer)


def stored_answers(confirmed: Mapping[str, Any]) -> list[ReadAnswer]:
    """The consent answers the patient read, as stored with their agreement (in order)."""
    known = {q.value for q in Question}
    return [_read_answer(a) for a in confirmed.get("answers", ()) if a.get("question") in known]


def _read_answer(stored: Mapping[str, Any]) -> ReadAnswer:
    question = Question(stored["question"])
    text = str(stored.get("text") or QUESTION_TEXT[question])
    paragraphs = [str(p) for p in stored.get("answer", ())]
    said = stored.get("words")
    said = said if isinstance(said, Mapping) else {}
    paragraph_words = said.get("answer")
    if not isinstance(paragraph_words, list) or len(paragraph_words) != len(paragraphs):
        paragraph_words = [None] * len(paragraphs)
    return ReadAnswer(
        question=question,
        text=words_or_english(text, said.get("text")),
        answer=tuple(
            words_or_english(p, w) for p, w in zip(paragraphs, paragraph_words, strict=True)
        ),
    )


def confirmation_times(confirmed: Mapping[str, Any]) -> dict[str, datetime]:
    """When the patient confirmed each answer, by question id."""
    return {
        str(c["question"]): datetime.fromisoformat(str(c["confirmed_at"]))
        for c in confirmed.get("confirmations", ())
    }


def patient_reader(db: Session, patient: Patient, printing: Printing) -> Reader:
    """The patient's zone (their account's, else the clinic's) and language (their
    account's, else the reader's)."""
    user = None if patient.user_id is None else db.get(User, patient.user_id)
    clinic = db.get(Clinic, patient.clinic_id)
    assert clinic is not None  # a foreign key
    zone = user.time_zone if user is not None and user.time_zone else clinic.time_zone
    locale = user.locale if user is not None and user.locale in LOCALES else printing.locale
    return Reader(zone=zone, locale=locale)


# -- printing -------------------------------------------------------------------------------


def _audit(
    db: Session,
    actor: Actor,
    kind: DocumentKind,
    target_type: str,
    target_id: int,
    patient: Patient,
    now: datetime,
) -> None:
    audit.record(
        db,
        actor=actor,
        action="document.print",
        at=now,
        target_type=target_type,
        target_id=target_id,
        patient_id=patient.id,
        detail={"document": kind.value},
    )


def _print(
    db: Session,
    printing: Printing,
    kind: DocumentKind,
    patient: Patient,
    reader: Reader,
    knowledge: Knowledge,
    now: datetime,
    context: Mapping[str, Any],
) -> Document:
    clinic = db.get(Clinic, patient.clinic_id)
    full = {
        **context,
        "patient": patient,
        "clinic_name": "" if clinic is None else clinic.name,
        "zone": reader.zone,
        "generated_at": now,
        "knowledge_version": knowledge.version,
    }
    html = printing.render(TEMPLATES[kind], full, reader.locale)
    return Document(kind=kind, pdf=pdf.html_to_pdf(html, static_dir=printing.static_dir))
