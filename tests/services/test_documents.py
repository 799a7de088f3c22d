"""Printable documents: what each PDF says (its text extracted back with pypdf), who may
print it, that printing is audited, and that a page renders (pypdfium2) as a Letter page
with ink on it. Expected items come from the core (the same functions the pages use)."""

from __future__ import annotations

import copy
import io
from datetime import datetime, timedelta

import pypdf
import pypdfium2
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.clinical import make_consent_record
from factories.workspace import APIXABAN, NOW, POSITIVE_BLOCK, PROCEDURE_AT, Story
from fixtures_db import Personas
from sijcare.db.enums import Kind
from sijcare.db.models import Appointment, AuditEvent, ScreeningResponse, User
from sijcare.domain.instructions import Instructions, aftercare_instructions
from sijcare.domain.intake import HoldDecision
from sijcare.domain.knowledge import Knowledge
from sijcare.services import (
    diary,
    diary_review,
    documents,
    procedures,
    screening_pages,
    screening_review,
)
from sijcare.services.errors import Conflict, Forbidden
from sijcare.web import i18n
from sijcare.web.routes.documents_pages import printing_for
from sijcare.web.templating import Templates

NEW_YORK = "America/New_York"
LOS_ANGELES = "America/Los_Angeles"
DIABETES = {"has": True, "uses_insulin": False}
LETTER = (612, 792)  # points (1/72 inch): 8.5 x 11 inches


@pytest.fixture
def story(db: Session, personas: Personas, knowledge: Knowledge) -> Story:
    return Story(db, personas, knowledge)


@pytest.fixture(scope="module")
def printing() -> documents.Printing:
    return printing_for(Templates(), "en")


def text_of(pdf: bytes) -> str:
    """Every page's text, each run of white space (line ends too) as one space."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def words(text: str) -> str:
    return " ".join(text.split())


def when(at: datetime, zone: str, locale: str = "en") -> str:
    return words(i18n.format_datetime(at, zone, locale))


def items_of(instructions: Instructions) -> list[str]:
    return [s.title for s in instructions.sections] + [
        item.text for s in instructions.sections for item in s.items
    ]


def set_patient_user(story: Story, **values: object) -> None:
    with story.db.begin():
        user = story.db.get(User, story.personas.patient.user.id)
        assert user is not None
        for name, value in values.items():
            setattr(user, name, value)


def print_events(db: Session) -> list[AuditEvent]:
    with db.begin():
        return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "document.print")))


def preparation(
    story: Story, printing: documents.Printing, pathway_id: int, who: str = "patient"
) -> documents.Document:
    return documents.preparation_sheet(
        story.db,
        actor=story.actor(who),
        pathway_id=pathway_id,
        knowledge=story.knowledge,
        printing=printing,
        now=NOW,
    )


def aftercare(
    story: Story, printing: documents.Printing, procedure_id: int, who: str = "patient"
) -> documents.Document:
    return documents.aftercare_sheet(
        story.db,
        actor=story.actor(who),
        procedure_id=procedure_id,
        knowledge=story.knowledge,
        printing=printing,
        now=NOW,
    )


def consent(
    story: Story, printing: documents.Printing, pathway_id: int, who: str = "patient"
) -> documents.Document:
    return documents.consent_record(
        story.db,
        actor=story.actor(who),
        pathway_id=pathway_id,
        knowledge=story.knowledge,
        printing=printing,
        now=NOW,
    )


def report(
    story: Story, printing: documents.Printing, procedure_id: int, who: str = "clinician"
) -> documents.Document:
    return documents.diary_report(
        story.db,
        actor=story.actor(who),
        procedure_id=procedure_id,
        knowledge=story.knowledge,
        printing=printing,
        zone=LOS_ANGELES,
        now=NOW,
    )


# -- the preparation sheet ------------------------------------------------------------------


def test_preparation_sheet_has_the_plan_steps_and_instructions_on_the_places_clock(
    story: Story, printing: documents.Printing
) -> None:
    """The patient's own zone is New York; the injection is in Los Angeles, where they
    must arrive on time: the whole sheet is on Los Angeles' clock (the footer says so)."""
    set_patient_user(story, time_zone=NEW_YORK)
    pathway = story.pathway(kind=Kind.THERAPEUTIC)
    story.ready(pathway, diabetes=DIABETES)
    document = preparation(story, printing, pathway.id, who="clinician")
    text = text_of(document.pdf)
    page = screening_pages.view_screening(
        story.db,
        actor=story.actor("patient"),
        pathway_id=pathway.id,
        knowledge=story.knowledge,
        zone=NEW_YORK,
        now=NOW,
    )
    assert page.preparation is not None and page.steps
    assert page.preparation.time_zone == LOS_ANGELES
    assert "Getting ready for your injection" in text
    assert "For Pat Patient" in text
    assert f"When {when(PROCEDURE_AT, LOS_ANGELES)}" in text
    assert "Westside Main" in text and "Dr. Casey Clinician" in text
    assert "bupivacaine (a numbing medicine) and triamcinolone (a steroid)" in text
    for step in page.steps:
        assert f"{when(step.at, LOS_ANGELES)} {words(step.what)}" in text
    for item in items_of(page.preparation):
        assert words(item) in text
    assert "PST" in text and "EST" not in text
    assert f"Times are in the time zone {LOS_ANGELES}" in text
    assert f"Knowledge version {story.knowledge.version}" in text
    assert f"Made on {when(NOW, LOS_ANGELES)}" in text


def test_preparation_sheet_waits_for_the_booking_and_the_answers(
    story: Story, printing: documents.Printing
) -> None:
    pathway = story.pathway()
    story.book(pathway)
    with pytest.raises(Conflict):
        preparation(story, printing, pathway.id)
    assert print_events(story.db) == []


def test_preparation_sheet_is_in_the_patients_language(
    story: Story, printing: documents.Printing
) -> None:
    set_patient_user(story, locale="es")
    pathway = story.ready(story.pathway())
    # The clinician reads English, the sheet is the patient's: Spanish.
    text = text_of(preparation(story, printing, pathway.id, who="clinician").pdf)
    spanish = i18n.translations("es").gettext
    assert spanish("Getting ready for your injection") != "Getting ready for your injection"
    assert spanish("Getting ready for your injection") in text
    assert spanish("Your health questions") in text
    assert when(PROCEDURE_AT, LOS_ANGELES, "es") in text
    # The core's own sentences are Spanish too (days and times in Spanish).
    assert "Qué traer" in text and "What to bring" not in text
    assert "Para registrarse, por favor llegue a esta hora: " in text


def held(story: Story) -> int:
    """A pathway booked in a week whose patient takes Eliquis, held by a clinician's
    decision confirmed with the prescriber: findings and dated steps."""
    pathway = story.pathway()
    story.book(pathway, NOW + timedelta(days=7))
    response = story.screen(pathway, medicines=[APIXABAN])
    screening_review.decide_medicine(
        story.db,
        actor=story.actor("clinician"),
        pathway_id=pathway.id,
        decision=screening_review.MedicineDecision(
            response_id=response.id,
            medicine=APIXABAN["name"],
            decision=HoldDecision.HOLD,
            confirmed_with_prescriber=True,
            prescriber="Dr. Prescriber",
            confirmed_on=NOW.date(),
        ),
        knowledge=story.knowledge,
        now=NOW,
    )
    return pathway.id


def test_preparation_sheet_gives_the_screenings_findings_and_steps_in_spanish(
    story: Story, printing: documents.Printing
) -> None:
    set_patient_user(story, locale="es")
    text = text_of(preparation(story, printing, held(story), who="clinician").pdf)
    for spanish in (
        "Su equipo de atención y el médico que le recetó su apixaban (Eliquis) acordaron "
        "pausarlo para el procedimiento.",
        "Tome la última dosis de apixaban (Eliquis) antes del procedimiento",
        "vuelva a tomar apixaban (Eliquis) a su hora de siempre.",
    ):
        assert spanish in text, spanish
    assert ENGLISH_ONLY not in text
    assert "Take your last dose" not in text and "Your care team" not in text


def test_preparation_sheet_of_a_result_kept_without_its_words_prints_english_with_the_notice(
    story: Story, printing: documents.Printing
) -> None:
    set_patient_user(story, locale="es")
    pathway_id = held(story)
    with story.db.begin():
        for row in story.db.scalars(sa.select(ScreeningResponse)):
            if row.result is not None:
                # As stored before the words were kept.
                result = copy.deepcopy(row.result)
                for kept in (*result["findings"], *result["actions"]):
                    kept.pop("words", None)
                row.result = result
    text = text_of(preparation(story, printing, pathway_id).pdf)
    assert ENGLISH_ONLY in text
    assert "Your care team and the doctor who prescribed your apixaban (Eliquis)" in text
    assert "Take your last dose of apixaban (Eliquis)" in text
    assert "Lo que vimos en sus respuestas" in text


# -- the aftercare sheet --------------------------------------------------------------------


def test_aftercare_sheet_has_the_injection_instructions_and_who_to_call(
    story: Story, printing: documents.Printing
) -> None:
    pathway = story.ready(story.pathway(kind=Kind.THERAPEUTIC), diabetes=DIABETES)
    view = story.document(pathway)
    text = text_of(aftercare(story, printing, view.id).pdf)
    expected = aftercare_instructions(view.procedure, story.knowledge, True, time_zone=LOS_ANGELES)
    assert "After your injection" in text
    assert f"When {when(PROCEDURE_AT, LOS_ANGELES)}" in text
    assert "Blood sugar" in " ".join(s.title for s in expected.sections)
    for item in items_of(expected):
        assert words(item) in text
    knowledge = story.knowledge
    assert f"The clinic help line, {knowledge.text('clinic.help_line_phone')}, every day" in text
    assert f"{knowledge.text('clinic.after_hours_phone')}, for the doctor on call." in text
    assert f"{knowledge.text('clinic.emergency_phone')}, at any hour." in text


def test_aftercare_sheet_is_refused_to_staff_who_are_not_clinicians_and_outsiders(
    story: Story, printing: documents.Printing
) -> None:
    view = story.document(story.ready(story.pathway()))
    for who in ("scheduler", "admin", "outsider", "other_patient"):
        with pytest.raises(Forbidden):
            aftercare(story, printing, view.id, who=who)
    assert print_events(story.db) == []


# -- the consent record ---------------------------------------------------------------------


def test_consent_record_has_each_answer_its_confirmation_and_the_witness(
    story: Story, printing: documents.Printing
) -> None:
    pathway = story.ready(story.pathway())
    text = text_of(consent(story, printing, pathway.id).pdf)
    with story.db.begin():
        row = procedures.latest_consent(story.db, pathway.id)
    assert row is not None and row.witnessed_at is not None
    assert "Consent record" in text
    assert f"Agreed by Pat Patient, on {when(row.agreed_at, LOS_ANGELES)}" in text
    assert f"Witnessed by Dr. Casey Clinician, on {when(row.witnessed_at, LOS_ANGELES)}" in text
    assert "This consent is complete" in text
    assert "Language of the answers read English" in text
    confirmed = f"Confirmed as understood on {when(row.agreed_at, LOS_ANGELES)}."
    answers = row.confirmed["answers"]
    assert len(answers) == 12 and text.count(confirmed) == 12
    for number, answer in enumerate(answers, start=1):
        assert f"{number}. {words(answer['text'])}" in text
        for paragraph in answer["answer"]:
            assert words(paragraph) in text
    assert f"Plan version {row.confirmed['plan_version']}" in text


ENGLISH_ONLY = "Parte de esta página está solo en inglés por ahora."


def test_consent_record_is_in_the_patients_language_with_the_language_read(
    story: Story, printing: documents.Printing
) -> None:
    set_patient_user(story, locale="es")
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway)
    story.agree(pathway, language="es")
    story.witness(pathway)
    text = text_of(consent(story, printing, pathway.id, who="clinician").pdf)
    assert "Idioma de las respuestas leídas Español" in text
    for spanish in (
        "1. ¿Cómo se llama el procedimiento?",
        "Una inyección de prueba (diagnóstica) en la articulación sacroilíaca, en el lado "
        "izquierdo.",
        "Si su dolor baja un 75% o más, la prueba es positiva.",
        "12. ¿Cuánto tendrá que pagar?",
    ):
        assert spanish in text, spanish
    assert "What is the procedure called?" not in text and ENGLISH_ONLY not in text


def test_consent_record_kept_without_its_words_prints_the_english_read_with_the_notice(
    story: Story, printing: documents.Printing
) -> None:
    set_patient_user(story, locale="es")
    pathway = story.ready(story.pathway())
    with story.db.begin():
        row = procedures.latest_consent(story.db, pathway.id)
        assert row is not None
        # As stored before the words were kept, and before the language was.
        answers = [{k: v for k, v in a.items() if k != "words"} for a in row.confirmed["answers"]]
        row.confirmed = {**row.confirmed, "answers": answers}
        row.language = None
    text = text_of(consent(story, printing, pathway.id).pdf)
    assert ENGLISH_ONLY in text and "1. What is the procedure called?" in text
    assert "Idioma de las respuestas leídas No registrado" in text


def test_consent_record_says_when_the_plan_changed_after_the_agreement(
    story: Story, printing: documents.Printing
) -> None:
    pathway = story.ready(story.pathway())
    with story.db.begin():
        appointment = story.db.scalar(sa.select(Appointment))
        assert appointment is not None
        appointment.starts_at += timedelta(days=1)
        appointment.ends_at += timedelta(days=1)
    text = text_of(consent(story, printing, pathway.id, who="clinician").pdf)
    assert "This consent does not cover the injection as it is planned now" in text
    # The plan printed is the one agreed to, not the moved booking.
    assert f"When {when(PROCEDURE_AT, LOS_ANGELES)}" in text


def test_consent_record_needs_a_consent(story: Story, printing: documents.Printing) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway)
    with pytest.raises(Conflict):
        consent(story, printing, pathway.id)


def test_consent_record_of_a_bare_stored_consent_says_what_is_missing(
    story: Story, printing: documents.Printing
) -> None:
    pathway = story.pathway()
    make_consent_record(story.db, pathway=pathway, agreed_by=story.personas.patient.user)
    text = text_of(consent(story, printing, pathway.id).pdf)
    assert "The answers read were not stored with this record." in text
    assert "Witnessed by Not witnessed yet" in text
    assert "Language of the answers read Not recorded (agreed before the language was kept)" in text
    assert "There is no booked injection to compare this consent with now." in text
    assert "Plan version 0000000000000000" in text


# -- the clinician's diary report -----------------------------------------------------------


def test_diary_report_has_the_reading_its_rules_the_chart_and_every_entry(
    story: Story, printing: documents.Printing
) -> None:
    view = story.document(story.ready(story.pathway()))
    story.scores(view.id, PROCEDURE_AT, POSITIVE_BLOCK)
    text = text_of(report(story, printing, view.id).pdf)
    with story.db.begin():
        scores = diary.scores_of(diary.entries_of(story.db, view.id))
    reading = diary.read(view.procedure, scores, story.knowledge)
    assert "Diary report" in text
    assert "Classification Positive" in text
    assert f"Positive threshold {reading.threshold_percent:g} %" in text
    assert f"Rule version {reading.rule_version}" in text
    assert f"Knowledge version {reading.provenance.knowledge_version}" in text
    assert f"Scores used (in the window) {len(reading.scores_used)}" in text
    assert words(reading.rationale) in text
    for rule, value in reading.provenance.rules.items():
        assert f"{rule} {value} Default" in text
    assert "This reading is not signed off yet." in text
    assert "Hours after the injection" in text  # the chart's axis
    assert f"Diary entries ({len(POSITIVE_BLOCK)})" in text
    for after, pain in POSITIVE_BLOCK:
        assert f"{when(PROCEDURE_AT + after, LOS_ANGELES)} {pain} " in text


def test_diary_report_shows_the_sign_off_of_the_current_reading(
    story: Story, printing: documents.Printing
) -> None:
    view = story.document(story.ready(story.pathway()))
    story.scores(view.id, PROCEDURE_AT, POSITIVE_BLOCK[:1])
    with story.db.begin():
        latest = diary.latest_interpretation(story.db, view.id)
    assert latest is not None
    signed_at = PROCEDURE_AT + timedelta(hours=1)
    diary_review.sign_off(
        story.db,
        actor=story.actor("clinician"),
        procedure_id=view.id,
        interpretation_id=latest.id,
        knowledge=story.knowledge,
        now=signed_at,
    )
    text = text_of(report(story, printing, view.id).pdf)
    assert f"Signed off by Dr. Casey Clinician on {when(signed_at, LOS_ANGELES)}." in text


def test_diary_report_is_for_the_clinicians_only(
    story: Story, printing: documents.Printing
) -> None:
    view = story.document(story.ready(story.pathway()))
    for who in ("patient", "scheduler", "admin", "outsider"):
        with pytest.raises(Forbidden):
            report(story, printing, view.id, who=who)
    assert print_events(story.db) == []


# -- every document -------------------------------------------------------------------------


def test_each_document_is_audited_once_with_its_kind_and_a_neutral_name(
    story: Story, printing: documents.Printing
) -> None:
    pathway = story.ready(story.pathway())
    view = story.document(pathway)
    printed = [
        preparation(story, printing, pathway.id),
        aftercare(story, printing, view.id),
        consent(story, printing, pathway.id),
        report(story, printing, view.id),
    ]
    events = print_events(story.db)
    patient = story.personas.patient.patient
    assert patient is not None
    assert [e.detail["document"] for e in events] == [d.kind.value for d in printed]
    assert {e.patient_id for e in events} == {patient.id}
    assert [e.actor_role for e in events] == ["patient", "patient", "patient", "clinician"]
    assert [d.file_name for d in printed] == [
        "sijcare-preparation.pdf",
        "sijcare-aftercare.pdf",
        "sijcare-consent.pdf",
        "sijcare-diary-report.pdf",
    ]
    for document in printed:
        metadata = pypdf.PdfReader(io.BytesIO(document.pdf)).metadata
        assert metadata is not None
        assert patient.name not in str(dict(metadata))
        assert metadata["/CreationDate"] == "D:20260302160000+00'00"  # `now`


@pytest.mark.parametrize("kind", list(documents.DocumentKind), ids=str)
def test_a_page_renders_as_a_letter_page_with_ink_on_it(
    story: Story, printing: documents.Printing, kind: documents.DocumentKind
) -> None:
    pathway = story.ready(story.pathway())
    view = story.document(pathway)
    story.scores(view.id, PROCEDURE_AT, POSITIVE_BLOCK)
    document = {
        documents.DocumentKind.PREPARATION: lambda: preparation(story, printing, pathway.id),
        documents.DocumentKind.AFTERCARE: lambda: aftercare(story, printing, view.id),
        documents.DocumentKind.CONSENT: lambda: consent(story, printing, pathway.id),
        documents.DocumentKind.DIARY_REPORT: lambda: report(story, printing, view.id),
    }[kind]()
    pdf = pypdfium2.PdfDocument(document.pdf)
    try:
        page = pdf[0]
        assert tuple(round(x) for x in page.get_size()) == LETTER
        image = page.render(scale=1).to_pil().convert("L")
    finally:
        pdf.close()
    assert image.size == LETTER
    histogram = image.histogram()
    dark = sum(histogram[:128]) / (image.size[0] * image.size[1])
    assert 0.005 < dark < 0.5, dark  # text on a white page: neither blank nor filled
    # The header (the clinic, the title) is at the top of the page.
    top = image.crop((0, 0, LETTER[0], 150))
    assert top.getextrema()[0] < 64
