"""The patient portal's pages: server-rendered, no JavaScript, labelled, errors linked."""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from factories import actor_of, detach
from factories.clinical import (
    make_diary_entry,
    make_documented,
    make_planned_pathway,
    make_symptom_report,
)
from fixtures_db import Personas
from sijcare.db.enums import Kind, Side
from sijcare.db.models import (
    ConsentRecord,
    DiaryEntry,
    Pathway,
    ProcedureRecord,
    ScreeningResponse,
    User,
)
from sijcare.domain.intake import HoldDecision
from sijcare.domain.knowledge import Knowledge
from sijcare.services import consent, screening_review, triage
from web.conftest import START, FrozenClock, Web

BOOKED = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
HELP_LINE = "+1 310-555-0100"


def documented(
    db: Session, personas: Personas, kind: Kind = Kind.DIAGNOSTIC, side: Side = Side.LEFT
) -> ProcedureRecord:
    assert personas.patient.patient is not None
    record = make_documented(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        kind=kind,
        side=side,
        performed_at=START - timedelta(hours=1),
    )
    detach(db)
    return record


def planned(db: Session, personas: Personas) -> int:
    assert personas.patient.patient and personas.clinician.practitioner
    pathway = make_planned_pathway(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        practitioner=personas.clinician.practitioner,
        location=personas.location,
        room=personas.room,
        starts_at=BOOKED,
    )
    detach(db)
    return pathway.id


def form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def assert_plain_page(html: str) -> None:
    """No JavaScript, no inline style (the CSP forbids both), a main landmark."""
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert '<main id="main"' in html


# -- home and learning ------------------------------------------------------------------------


def test_home_lists_the_steps_with_links(web: Web, db: Session) -> None:
    record = documented(db, web.personas)
    page = web.as_("patient").get("/portal")
    assert page.status_code == 200
    assert_plain_page(page.text)
    assert f'href="/portal/procedures/{record.id}/diary"' in page.text
    assert f'href="/portal/procedures/{record.id}/symptoms"' in page.text
    assert 'href="/portal/learn"' in page.text and 'href="/appointments"' in page.text
    assert "A score is due now" in page.text


def test_home_is_for_patients(web: Web) -> None:
    assert web.as_("clinician").get("/portal").status_code == 403
    assert web.browser().get("/portal").headers["location"].startswith("/login")


def test_the_leaflet_page_has_every_section_and_the_figures_sources(web: Web) -> None:
    page = web.as_("patient").get("/portal/learn")
    assert page.status_code == 200
    assert_plain_page(page.text)
    for heading in ("Two kinds of injection", "Risks", "Other choices", "How it can help"):
        assert heading in page.text
    assert "Source:" in page.text and "in 100 people" in page.text


# -- diary and chart --------------------------------------------------------------------------


def test_recording_a_score_by_form_saves_it_once(web: Web, db: Session) -> None:
    record = documented(db, web.personas)
    browser = web.as_("patient")
    page = browser.get(f"/portal/procedures/{record.id}/diary")
    assert page.status_code == 200
    assert_plain_page(page.text)
    assert "<legend>How bad is your pain right now?</legend>" in page.text
    fields = {"pain": "3", "activity": "yes", "note": "walked", "form_token": form_token(page.text)}
    first = browser.post_form(f"/portal/procedures/{record.id}/diary", fields)
    second = browser.post_form(f"/portal/procedures/{record.id}/diary", fields)
    assert first.status_code == second.status_code == 303
    with db.begin():
        entries = db.scalars(sa.select(DiaryEntry)).all()
    assert [(e.pain, e.activity_done, e.note) for e in entries] == [(3, True, "walked")]
    after = browser.get(first.headers["location"])
    assert "Your score is saved." in after.text and "walked" in after.text


def test_a_score_from_earlier_is_kept_at_its_local_time(web: Web, db: Session) -> None:
    record = documented(db, web.personas)
    browser = web.as_("patient")
    fields = {"pain": "2", "recorded_date": "2026-03-02", "recorded_time": "07:30"}
    assert browser.post_form(f"/portal/procedures/{record.id}/diary", fields).status_code == 303
    with db.begin():
        entry = db.scalars(sa.select(DiaryEntry)).one()
    assert entry.recorded_at == datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # 07:30 PST


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({}, "pain", id="no-score"),
        pytest.param({"pain": "3", "recorded_date": "2026-03-02"}, "recorded_time", id="no-time"),
        pytest.param(
            {"pain": "3", "recorded_date": "2026-03-01", "recorded_time": "09:00"},
            "recorded_date",
            id="before-the-injection",
        ),
    ],
)
def test_a_bad_diary_form_shows_linked_errors(
    web: Web, db: Session, fields: dict[str, str], field: str
) -> None:
    record = documented(db, web.personas)
    page = web.as_("patient").post_form(f"/portal/procedures/{record.id}/diary", fields)
    assert page.status_code == 422
    assert f'href="#field-{field}"' in page.text and f'id="error-{field}"' in page.text
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(DiaryEntry)) == 0


def test_the_chart_is_inline_svg_with_a_text_alternative_and_a_table(web: Web, db: Session) -> None:
    record = documented(db, web.personas)
    make_diary_entry(db, procedure=record, created_by=web.personas.patient.user, pain=1)
    page = web.as_("patient").get(f"/portal/procedures/{record.id}/chart")
    assert page.status_code == 200
    assert_plain_page(page.text)
    assert (
        'role="img"' in page.text
        and 'aria-labelledby="pain-chart-title pain-chart-desc"' in page.text
    )
    assert (
        "<figcaption>" in page.text
        and "a drop in pain of 75% or more: a score of 1 or less" in page.text
    )
    assert "<caption>The scores in the chart</caption>" in page.text


@pytest.mark.parametrize(
    ("locale", "scores", "summary"),
    [
        ("en", 1, "You recorded 1 score: 4 out of 10, on "),
        ("en", 2, "You recorded 2 scores. The latest is 4 out of 10, on "),
        ("es", 1, "Registró 1 puntuación: 4 de 10, el "),
        ("es", 2, "Registró 2 puntuaciones. La más reciente es 4 de 10, el "),
    ],
)
def test_the_charts_summary_counts_the_scores_in_the_readers_language(
    web: Web, db: Session, locale: str, scores: int, summary: str
) -> None:
    record = documented(db, web.personas)
    for n in range(scores):
        make_diary_entry(
            db,
            procedure=record,
            created_by=web.personas.patient.user,
            pain=4,
            recorded_at=record.performed_at + timedelta(minutes=30 * (n + 1)),
        )
    if locale == "es":
        spanish_speaking(db, web.personas)
    page = web.as_("patient").get(f"/portal/procedures/{record.id}/chart")
    assert page.status_code == 200
    assert summary in html.unescape(page.text)


def test_a_clinician_reads_the_diary_without_the_form(web: Web, db: Session) -> None:
    record = documented(db, web.personas)
    make_diary_entry(db, procedure=record, created_by=web.personas.patient.user, created_at=START)
    page = web.as_("clinician").get(f"/portal/procedures/{record.id}/diary")
    assert page.status_code == 200 and 'name="pain"' not in page.text
    assert 'name="corrected_pain"' not in page.text


def test_the_patient_corrects_the_score_saved_last(
    web: Web, db: Session, clock: FrozenClock
) -> None:
    record = documented(db, web.personas)
    browser = web.as_("patient")
    url = f"/portal/procedures/{record.id}/diary"
    assert 'name="corrected_pain"' not in browser.get(url).text  # nothing saved yet
    saved = browser.post_form(url, {"pain": "8", "activity": "no", "note": "sore"})
    assert saved.status_code == 303
    page = browser.get(url).text
    assert_plain_page(page)
    assert "Change your last score" in page and "Your last score was 8 out of 10" in page
    # The form starts from the saved values.
    assert 'id="field-corrected_pain-8" name="corrected_pain" value="8" checked' in page
    with db.begin():
        entry = db.scalars(sa.select(DiaryEntry)).one()
    bad = browser.post_form(
        f"{url}/last",
        {"entry_id": str(entry.id), "corrected_activity": "yes", "corrected_note": "typed"},
    )
    assert bad.status_code == 422
    # What the patient chose and typed comes back with the message, not the saved values.
    assert 'value="yes" checked' in bad.text and ">typed</textarea>" in bad.text
    assert 'name="corrected_pain" value="8" checked' not in bad.text
    assert (
        'href="#field-corrected_pain"' in bad.text
        and '<details class="diary-fix" open>' in bad.text
    )
    fixed = browser.post_form(
        f"{url}/last",
        {"entry_id": str(entry.id), "corrected_pain": "2", "corrected_activity": "yes"},
    )
    assert fixed.status_code == 303
    assert "Your score is corrected." in browser.get(fixed.headers["location"]).text
    same = browser.post_form(
        f"{url}/last",
        {"entry_id": str(entry.id), "corrected_pain": "2", "corrected_activity": "yes"},
    )
    assert "Nothing was changed" in browser.get(same.headers["location"]).text
    with db.begin():
        again = db.execute(
            sa.select(
                DiaryEntry.pain, DiaryEntry.activity_done, DiaryEntry.note, DiaryEntry.recorded_at
            )
        ).one()
    assert tuple(again) == (2, True, "", entry.recorded_at)
    review = web.as_("clinician").get(f"/workspace/procedures/{record.id}/diary").text
    assert "the patient changed it from 8" in review
    # An hour after saving, the form is gone and a late correction is refused (the page
    # is read on the way, so that the sign-in does not lapse for being idle).
    for minutes in (25, 25):
        clock.advance(minutes=minutes)
        assert 'name="corrected_pain"' in browser.get(url).text
    clock.advance(minutes=11)
    later = browser.get(url)
    assert later.status_code == 200 and "Pain diary" in later.text
    assert 'name="corrected_pain"' not in later.text
    late = browser.post_form(f"{url}/last", {"entry_id": str(entry.id), "corrected_pain": "5"})
    assert late.status_code == 409 and "tell the clinic" in late.text
    with db.begin():
        assert db.scalars(sa.select(DiaryEntry.pain)).one() == 2


# -- symptoms ---------------------------------------------------------------------------------


def test_an_emergency_shows_the_emergency_number_first_and_large(web: Web, db: Session) -> None:
    record = documented(db, web.personas)
    browser = web.as_("patient")
    form = browser.get(f"/portal/procedures/{record.id}/symptoms")
    assert form.status_code == 200
    assert_plain_page(form.text)
    assert 'href="tel:911"' in form.text
    sent = browser.post_form(
        f"/portal/procedures/{record.id}/symptoms", {"trouble_breathing": "yes", "pain": "4"}
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith(
        "/portal/symptom-reports/"
    )
    page = browser.get(sent.headers["location"])
    assert page.status_code == 200
    box = page.text.index('class="callout callout--emergency"')
    assert page.text.index('<p class="call-number"><a href="tel:911">911</a></p>') > box
    assert page.text.index("tel:911") < page.text.index("<h2>Why</h2>")
    assert "The clinic has your report" in page.text


def test_a_call_now_answer_gives_the_help_line_at_this_hour(web: Web, db: Session) -> None:
    record = documented(db, web.personas)
    browser = web.as_("patient")
    sent = browser.post_form(
        f"/portal/procedures/{record.id}/symptoms",
        {"temperature": "101,5", "temperature_unit": "F"},
    )
    page = browser.get(sent.headers["location"])
    assert "Call now" in page.text and HELP_LINE in page.text


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"temperature": "38.5"}, "temperature_unit", id="no-unit"),
        pytest.param({"temperature": "hot", "temperature_unit": "C"}, "temperature", id="nan"),
        pytest.param({"temperature": "38", "temperature_unit": "F"}, "temperature", id="unit-slip"),
        pytest.param({"leg_weakness": "maybe"}, "leg_weakness", id="unknown-answer"),
        # An empty report would reach the clinic as "expected" while saying nothing.
        pytest.param({}, "pain", id="nothing-told"),
    ],
)
def test_a_bad_symptom_form_shows_linked_errors(
    web: Web, db: Session, fields: dict[str, str], field: str
) -> None:
    record = documented(db, web.personas)
    page = web.as_("patient").post_form(f"/portal/procedures/{record.id}/symptoms", fields)
    assert page.status_code == 422
    assert f'href="#field-{field}"' in page.text


def test_when_storing_fails_the_page_says_to_phone(
    web: Web, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = documented(db, web.personas)
    browser = web.as_("patient")
    browser.refresh_csrf()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(triage.audit, "record", broken)
    page = browser.post_form(f"/portal/procedures/{record.id}/symptoms", {"site_oozing": "yes"})
    assert page.status_code == 503
    assert "Your report did not reach the clinic." in page.text
    assert f'href="tel:+13105550100">{HELP_LINE}</a>' in page.text
    assert "The clinic has your report" not in page.text


ENGLISH_ONLY = "Parte de esta página está solo en inglés por ahora."


def spanish_speaking(db: Session, personas: Personas) -> None:
    with db.begin():
        user = db.get(User, personas.patient.user.id)
        assert user is not None
        user.locale = "es"


def test_a_spanish_speaking_patient_reads_the_triage_answer_in_spanish(
    web: Web, db: Session
) -> None:
    record = documented(db, web.personas)
    spanish_speaking(db, web.personas)
    browser = web.as_("patient")
    form = browser.get(f"/portal/procedures/{record.id}/symptoms").text
    assert "Línea de ayuda de la clínica: " in form and "Clinic help line" not in form
    sent = browser.post_form(
        f"/portal/procedures/{record.id}/symptoms",
        {"saddle_numbness": "yes", "site_redness": "yes", "site_swelling": "yes", "pain": "9"},
    )
    assert sent.status_code == 303
    page = browser.get(sent.headers["location"]).text
    assert '<html lang="es">' in page and ENGLISH_ONLY not in page
    box = page[page.index('class="callout callout--emergency"') : page.index("</section>")]
    for spanish in (
        "Llame ahora al 911",
        "Llame al 911 ahora para pedir ayuda de emergencia. No espere a hablar con la clínica y "
        "no maneje usted.",
        "Dígales que le pusieron una inyección en la parte baja de la espalda (articulación "
        "sacroilíaca) el lunes, 2 de marzo.",
        "Avise a la clínica cuando pueda.",
    ):
        assert spanish in box, spanish
    for spanish in (
        "Tiene adormecimiento nuevo entre las piernas o alrededor de las nalgas. Puede ser señal "
        "de presión sobre los nervios de la espalda. Necesita ayuda de inmediato.",
        "Enrojecimiento e hinchazón en el lugar donde entró la aguja. Esto puede ser una señal "
        "de infección.",
        "Su dolor está en 9 de 10. Es un dolor fuerte y la clínica tiene que saberlo ahora.",
    ):
        assert spanish in page, spanish
    for english in ("You need help right away", "Call 911 now", "Monday", "Redness"):
        assert english not in page, english


def test_a_spanish_call_now_answer_names_the_help_line_in_spanish(web: Web, db: Session) -> None:
    record = documented(db, web.personas)
    spanish_speaking(db, web.personas)
    browser = web.as_("patient")
    sent = browser.post_form(
        f"/portal/procedures/{record.id}/symptoms",
        {"temperature": "101,5", "temperature_unit": "F"},
    )
    page = browser.get(sent.headers["location"]).text
    box = page[page.index('class="callout callout--urgent"') : page.index("</section>")]
    assert '<h2 id="call-title">Línea de ayuda de la clínica</h2>' in box
    assert (
        "Llame a la línea de ayuda de la clínica al +1 310-555-0100. Está abierta ahora; atiende "
        "todos los días de 6:00 a 21:00." in box
    )
    assert "Si se siente mucho peor antes de hablar con nosotros, llame al 911." in box
    assert "Su temperatura es de 38.6 °C (101.5 °F)." in page
    assert ENGLISH_ONLY not in page and "Clinic help line" not in page


def test_a_spanish_answer_not_stored_is_spanish_too(
    web: Web, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = documented(db, web.personas)
    spanish_speaking(db, web.personas)
    browser = web.as_("patient")
    browser.refresh_csrf()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(triage.audit, "record", broken)
    page = browser.post_form(f"/portal/procedures/{record.id}/symptoms", {"hives": "yes"})
    assert page.status_code == 503
    assert "Su informe no llegó a la clínica." in page.text
    assert f'Línea de ayuda de la clínica, <a href="tel:+13105550100">{HELP_LINE}</a>' in page.text
    assert "Llame hoy a la línea de ayuda de la clínica al +1 310-555-0100." in page.text
    assert "Una erupción con ronchas que pica (urticaria) puede ser" in page.text
    assert ENGLISH_ONLY not in page.text


def test_a_report_stored_before_its_sentences_were_kept_shows_its_english_with_the_notice(
    web: Web, db: Session
) -> None:
    record = documented(db, web.personas)
    with db.begin():
        pathway = db.get_one(Pathway, record.pathway_id)
    db.expunge_all()
    # The factory's result is the JSON the core wrote then: English sentences, no words.
    old = make_symptom_report(
        db, pathway=pathway, reported_by=web.personas.patient.user, disposition="call_soon"
    )
    url = f"/portal/symptom-reports/{old.id}"
    english = web.as_("patient").get(url).text
    assert "Soreness where the needle went in is common." in english
    assert "only in English" not in english
    spanish_speaking(db, web.personas)
    page = web.as_("patient").get(url)
    assert page.status_code == 200
    assert ENGLISH_ONLY in page.text
    assert "Soreness where the needle went in is common." in page.text
    assert "Call the clinic help line at +1 310-555-0100." in page.text
    # The page's own words are Spanish still.
    assert "Llame hoy a la clínica" in page.text and "Línea de ayuda de la clínica" in page.text


def test_aftercare_page(web: Web, db: Session) -> None:
    record = documented(db, web.personas, kind=Kind.THERAPEUTIC)
    page = web.as_("patient").get(f"/portal/procedures/{record.id}/aftercare")
    assert page.status_code == 200
    assert_plain_page(page.text)
    assert "Call the clinic right away if" in page.text and HELP_LINE in page.text
    link = f"/portal/procedures/{record.id}/documents/aftercare.pdf"
    assert f'href="{link}"' in page.text
    assert web.as_("patient").get(link).headers["content-type"] == "application/pdf"


# -- screening --------------------------------------------------------------------------------

ANSWERS = {
    "current_infection": "no",
    "illness": "no",
    "immunocompromised": "no",
    "possibly_pregnant": "no",
    "diabetes": "no",
    "kidney": "no",
    "driver_arranged": "yes",
    "driver_name": "Sam Rivera",
    "driver_phone": "+1 310-555-0177",
    "medicines-0-name": "Lisinopril 10 mg",
    "action": "send",
}


def test_the_screening_form_has_labelled_rows_and_adds_more(web: Web, db: Session) -> None:
    pathway_id = planned(db, web.personas)
    browser = web.as_("patient")
    page = browser.get(f"/portal/pathways/{pathway_id}/screening/answers")
    assert page.status_code == 200
    assert_plain_page(page.text)
    assert page.text.count('<label for="field-medicines-') == 8 * 3
    assert "<legend>Do you have an infection now?</legend>" in page.text
    more = browser.post_form(
        f"/portal/pathways/{pathway_id}/screening/answers",
        {**ANSWERS, "medicines-3-name": "Tylenol", "action": "more_medicines"},
    )
    assert more.status_code == 200
    assert more.text.count('<label for="field-medicines-') == 12 * 3
    assert 'value="Tylenol"' in more.text
    with db.begin():
        assert db.scalars(sa.select(ScreeningResponse.status)).all() == ["draft"]


def test_sending_the_answers_shows_the_result_and_how_to_get_ready(web: Web, db: Session) -> None:
    pathway_id = planned(db, web.personas)
    browser = web.as_("patient")
    sent = browser.post_form(f"/portal/pathways/{pathway_id}/screening/answers", ANSWERS)
    assert sent.status_code == 303
    page = browser.get(sent.headers["location"])
    assert page.status_code == 200
    assert_plain_page(page.text)
    assert "You are ready for your injection." in page.text
    assert "How to get ready" in page.text and "Please arrive by" in page.text
    link = f"/portal/pathways/{pathway_id}/documents/preparation.pdf"
    assert f'href="{link}"' in page.text
    assert browser.get(link).headers["content-type"] == "application/pdf"
    # The patient's own zone is the clinic's here: no note about another clock.
    assert "local times where your injection is" not in page.text
    again = browser.get(f"/portal/pathways/{pathway_id}/screening/answers")
    assert 'value="Lisinopril 10 mg"' in again.text and 'value="Sam Rivera"' in again.text


def test_unanswered_questions_and_half_rows_are_all_shown(web: Web, db: Session) -> None:
    pathway_id = planned(db, web.personas)
    fields = {
        **{k: v for k, v in ANSWERS.items() if k not in ("current_infection", "diabetes")},
        "medicines-5-dose": "5 mg",
    }
    page = web.as_("patient").post_form(f"/portal/pathways/{pathway_id}/screening/answers", fields)
    assert page.status_code == 422
    for field in ("current_infection", "diabetes", "medicines-5-name"):
        assert f'href="#field-{field}"' in page.text
    assert 'value="5 mg"' in page.text
    # The summary names each question, in the form's order (not "Answer this question." twice).
    summary = page.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    infection = summary.index("Do you have an infection now? Answer this question.")
    assert infection < summary.index("Do you have diabetes? Answer this question.")


def test_an_error_of_the_core_is_shown_at_the_right_row(web: Web, db: Session) -> None:
    pathway_id = planned(db, web.personas)
    fields = {
        **ANSWERS,
        "medicines-2-name": "Aspirin",
        "fever_temperature": "46",
        "fever_unit": "C",
        "fever_on": "2026-03-01",
    }
    page = web.as_("patient").post_form(f"/portal/pathways/{pathway_id}/screening/answers", fields)
    assert page.status_code == 422
    assert 'href="#field-fever_temperature"' in page.text


def test_the_screening_form_waits_for_the_plan(web: Web, db: Session) -> None:
    record = documented(db, web.personas)
    page = web.as_("patient").get(f"/portal/pathways/{record.pathway_id}/screening")
    assert "still planning your injection" in page.text


# -- consent ----------------------------------------------------------------------------------


def screened(web: Web, db: Session) -> int:
    pathway_id = planned(db, web.personas)
    sent = web.as_("patient").post_form(f"/portal/pathways/{pathway_id}/screening/answers", ANSWERS)
    assert sent.status_code == 303
    return pathway_id


def consent_fields(page: str) -> dict[str, str]:
    version = re.search(r'name="plan_version" value="([^"]+)"', page)
    assert version is not None
    names = re.findall(r'name="(confirm_[a-z_]+)"', page)
    return {"plan_version": version.group(1), **dict.fromkeys(names, "yes"), "agree": "yes"}


def test_consent_asks_to_confirm_each_answer_then_to_agree(web: Web, db: Session) -> None:
    pathway_id = screened(web, db)
    browser = web.as_("patient")
    page = browser.get(f"/portal/pathways/{pathway_id}/consent")
    assert page.status_code == 200
    assert_plain_page(page.text)
    fields = consent_fields(page.text)
    assert len([k for k in fields if k.startswith("confirm_")]) == 12
    missing = browser.post_form(
        f"/portal/pathways/{pathway_id}/consent",
        {k: v for k, v in fields.items() if k not in ("confirm_cost", "agree")},
    )
    assert missing.status_code == 422
    assert 'href="#field-confirm_cost"' in missing.text and 'href="#field-agree"' in missing.text
    number = [k for k in fields if k.startswith("confirm_")].index("confirm_cost") + 1
    assert f'<a href="#field-confirm_cost">Question {number}: ' in missing.text
    assert '<a href="#field-agree">Your agreement: ' in missing.text
    done = browser.post_form(f"/portal/pathways/{pathway_id}/consent", fields)
    assert done.status_code == 303
    after = browser.get(done.headers["location"])
    assert "Agreed; waiting for a witness" in after.text
    assert f'href="/portal/pathways/{pathway_id}/documents/consent.pdf"' in after.text
    assert "Tick the box when you understand it" not in after.text
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(ConsentRecord)) == 1


def test_consent_for_an_old_plan_version_is_refused_with_a_message(web: Web, db: Session) -> None:
    pathway_id = screened(web, db)
    browser = web.as_("patient")
    fields = consent_fields(browser.get(f"/portal/pathways/{pathway_id}/consent").text)
    page = browser.post_form(
        f"/portal/pathways/{pathway_id}/consent", {**fields, "plan_version": "0" * 16}
    )
    assert page.status_code == 409 and "Your plan changed while you were reading" in page.text


def answers_on(page: str) -> list[str]:
    """The questions and the paragraphs of their answers, as the consent page shows them."""
    sections = re.findall(r'<section class="question"[^>]*>(.*?)</section>', page, re.S)
    found = (
        re.findall(r"<(?:h2|p)\b[^>]*>(.*?)</(?:h2|p)>", section, re.S) for section in sections
    )
    return [html.unescape(text).strip() for texts in found for text in texts]


def test_a_spanish_speaking_patient_reads_the_consent_in_spanish(web: Web, db: Session) -> None:
    pathway_id = screened(web, db)
    url = f"/portal/pathways/{pathway_id}/consent"
    english_page = web.as_("patient").get(url).text
    english = answers_on(english_page)
    assert "1. What is the procedure called?" in english and "only in English" not in english_page
    spanish_speaking(db, web.personas)
    page = web.as_("patient").get(url).text
    assert '<html lang="es">' in page and ENGLISH_ONLY not in page
    spanish = answers_on(page)
    assert len(spanish) == len(english) == 12 + 34  # a diagnostic plan's paragraphs
    assert not set(spanish) & set(english)
    for sentence in (
        "1. ¿Cómo se llama el procedimiento?",
        "Una inyección de prueba (diagnóstica) en la articulación sacroilíaca, en el lado izquierdo.",
        "Si su dolor baja un 75% o más, la prueba es positiva.",
        "Una infección de la piel donde entró la aguja: alrededor de 1 de cada 1,000 personas.",
        "Día: lunes, 9 de marzo. Hora: 10:00. Lugar: Westside Main.",
        "Dr. Casey Clinician le pondrá la inyección. Board certified in pain medicine.",
        "Llame a la línea de ayuda de la clínica al +1 310-555-0100. Atiende todos los días de "
        "6:00 a 21:00.",
        "Lo que usted paga depende de su seguro.",
        "12. ¿Cuánto tendrá que pagar?",
        "Entiendo esta respuesta",
        "Dar mi consentimiento",
    ):
        assert sentence in page, sentence


@pytest.mark.parametrize(("locale", "agreed"), [("es", "Gracias."), ("en", "Thank you.")])
def test_agreeing_keeps_the_language_of_the_page_read(
    web: Web, db: Session, locale: str, agreed: str
) -> None:
    pathway_id = screened(web, db)
    if locale == "es":
        spanish_speaking(db, web.personas)
    browser = web.as_("patient")
    url = f"/portal/pathways/{pathway_id}/consent"
    done = browser.post_form(url, consent_fields(browser.get(url).text))
    assert done.status_code == 303 and agreed in browser.get(done.headers["location"]).text
    with db.begin():
        assert db.scalars(sa.select(ConsentRecord.language)).one() == locale


def test_a_clinics_own_note_in_the_consent_shows_the_english_only_notice(
    web: Web, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    pathway_id = screened(web, db)
    monkeypatch.setattr(consent, "COST_NOTE", "Ask the front desk what you will owe.")
    spanish_speaking(db, web.personas)
    page = web.as_("patient").get(f"/portal/pathways/{pathway_id}/consent").text
    assert ENGLISH_ONLY in page
    assert "<p>Ask the front desk what you will owe.</p>" in page
    assert "¿Cuánto tendrá que pagar?" in page


def test_browser_accessibility_basics_on_every_form(web: Web, db: Session) -> None:
    """Every input has a label; every radio group is a fieldset with a legend."""
    record = documented(db, web.personas, side=Side.RIGHT)
    pathway_id = screened(web, db)
    browser = web.as_("patient")
    for url in (
        f"/portal/procedures/{record.id}/diary",
        f"/portal/procedures/{record.id}/symptoms",
        f"/portal/pathways/{pathway_id}/screening/answers",
        f"/portal/pathways/{pathway_id}/consent",
    ):
        html = browser.get(url).text
        controls = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
        ids = [
            re.search(r'id="([^"]+)"', c).group(1)  # type: ignore[union-attr]
            for c in controls
            if 'type="hidden"' not in c
        ]
        labelled = set(re.findall(r'<label for="([^"]+)"', html))
        assert ids and set(ids) <= labelled, url
        assert html.count("<fieldset") == html.count("<legend")


def test_a_spanish_speaking_patient_reads_the_portal_in_spanish(web: Web, db: Session) -> None:
    record = documented(db, web.personas)
    with db.begin():
        user = db.get(User, web.personas.patient.user.id)
        assert user is not None
        user.locale = "es"
    browser = web.as_("patient")
    home = browser.get("/portal")
    assert '<html lang="es">' in home.text and "Mi atención" in home.text
    diary = browser.get(f"/portal/procedures/{record.id}/diary")
    assert "¿Cuánto le duele ahora mismo?" in diary.text
    # Pages whose clinical sentences are all Spanish have no English-only notice: the
    # consent (see below for its answers), the aftercare with its help box.
    notice = "Parte de esta página está solo en inglés por ahora."
    assert notice not in browser.get(f"/portal/pathways/{record.pathway_id}/consent").text
    aftercare_page = browser.get(f"/portal/procedures/{record.id}/aftercare").text
    assert (
        notice not in aftercare_page and "Llame a la línea de ayuda de la clínica" in aftercare_page
    )
    assert notice not in diary.text
    # The leaflet about the injection is Spanish throughout, figures and phone included.
    learn = browser.get("/portal/learn").text
    assert notice not in learn
    for spanish in (
        "Dos tipos de inyección",
        "Suele empezar a hacer efecto en 2 a 7 días.",
        "Una infección de la piel donde entró la aguja: alrededor de 1 de cada 1,000 personas.",
        "La línea de ayuda atiende todos los días de 6:00 a 21:00.",
    ):
        assert spanish in learn, spanish
    from sijcare import knowledge as loader
    from sijcare.domain.education import compose_leaflet

    leaflet = compose_leaflet(loader.load())
    for section in leaflet.sections:
        for sentence in (section.title, *section.paragraphs, *(b.text for b in section.bullets)):
            assert str(sentence) not in learn, str(sentence)
    english = web.as_("other_patient").get("/portal/learn").text
    assert "only in English" not in english and "Two kinds of injection" in english
    # The aftercare's sentences are Spanish too, with Spanish days and times; the
    # diary's times are named in Spanish on the diary page.
    aftercare = browser.get(f"/portal/procedures/{record.id}/aftercare").text
    for spanish in (
        "Descanse el resto del día de su inyección.",
        "Hasta el martes, 3 de marzo (hora: ",
        "Qué esperar",
        "minutos después",
    ):
        assert spanish in aftercare, spanish
    for english in ("Take it easy", "What to expect", "Tuesday, March 3", "minutes after"):
        assert english not in aftercare, english
    assert "minutos después" in diary.text and "minutes after" not in diary.text


def test_a_time_of_one_oclock_reads_in_spanish_without_an_article(web: Web, db: Session) -> None:
    # "a la 1:30" but "a las 2:30": the Spanish gives a time after a colon instead. An
    # injection at 21:30 (PST) with lidocaine: the leg is numb until 1:30 the next day.
    assert web.personas.patient.patient is not None
    record = make_documented(
        db,
        patient=web.personas.patient.patient,
        clinician=web.personas.clinician.user,
        performed_at=datetime(2026, 3, 2, 5, 30, tzinfo=UTC),
    )
    detach(db)
    spanish_speaking(db, web.personas)
    page = html.unescape(web.as_("patient").get(f"/portal/procedures/{record.id}/aftercare").text)
    assert "Esto debería pasar más o menos a esta hora: 1:30 del lunes, 2 de marzo." in page
    assert not re.search(r"\b(a las|hacia las|de las|hasta las) 1:", page)


def test_a_sedated_patient_without_a_driver_gets_no_steps_for_a_day_not_kept(
    web: Web, db: Session
) -> None:
    assert web.personas.patient.patient and web.personas.clinician.practitioner
    pathway = make_planned_pathway(
        db,
        patient=web.personas.patient.patient,
        clinician=web.personas.clinician.user,
        practitioner=web.personas.clinician.practitioner,
        location=web.personas.location,
        room=web.personas.room,
        starts_at=BOOKED,
        sedation="moderate",
    )
    detach(db)
    browser = web.as_("patient")
    answers = {k: v for k, v in ANSWERS.items() if not k.startswith("driver_")}
    sent = browser.post_form(
        f"/portal/pathways/{pathway.id}/screening/answers", {**answers, "driver_arranged": "no"}
    )
    assert sent.status_code == 303
    page = browser.get(sent.headers["location"])
    assert "Your injection is on hold, so there is nothing to get ready yet." in page.text
    assert "Please arrive by" not in page.text
    sheet = browser.get(f"/portal/pathways/{pathway.id}/documents/preparation.pdf")
    assert sheet.status_code == 200


def screened_for_a_hold_with_sedation(web: Web, db: Session, knowledge: Knowledge) -> int:
    """A pathway with moderate sedation (fasting) whose patient takes Eliquis, held by a
    clinician's decision confirmed with the prescriber: findings and dated steps."""
    assert web.personas.patient.patient and web.personas.clinician.practitioner
    pathway = make_planned_pathway(
        db,
        patient=web.personas.patient.patient,
        clinician=web.personas.clinician.user,
        practitioner=web.personas.clinician.practitioner,
        location=web.personas.location,
        room=web.personas.room,
        starts_at=BOOKED,
        sedation="moderate",
    )
    detach(db)
    sent = web.as_("patient").post_form(
        f"/portal/pathways/{pathway.id}/screening/answers",
        {**ANSWERS, "medicines-0-name": "Eliquis 5 mg"},
    )
    assert sent.status_code == 303
    with db.begin():
        response_id = db.scalars(sa.select(ScreeningResponse.id)).all()[-1]
    screening_review.decide_medicine(
        db,
        actor=actor_of(db, web.personas.clinician.user.id),
        pathway_id=pathway.id,
        decision=screening_review.MedicineDecision(
            response_id=response_id,
            medicine="Eliquis 5 mg",
            decision=HoldDecision.HOLD,
            confirmed_with_prescriber=True,
            prescriber="Dr. Prescriber",
            confirmed_on=date(2026, 3, 2),
        ),
        knowledge=knowledge,
        now=START,
    )
    detach(db)
    return pathway.id


def keep_results(db: Session, change: Callable[[dict[str, Any]], None]) -> None:
    """Change every stored screening result (`change` edits its JSON in place)."""
    with db.begin():
        for row in db.scalars(sa.select(ScreeningResponse)):
            if row.result is not None:
                result = copy.deepcopy(row.result)
                change(result)
                row.result = result


def without_words(result: dict[str, Any]) -> None:
    """A result as stored before its sentences' words were kept."""
    for kept in (
        *result["findings"],
        *result["actions"],
        *(a for f in result["findings"] for a in f["actions"]),
    ):
        kept.pop("words", None)


HOLD_AND_FASTING_IN_SPANISH = (
    "Su equipo de atención y el médico que le recetó su apixaban (Eliquis) acordaron "
    "pausarlo para el procedimiento. Tome la última dosis a más tardar el ",
    "No coma nada desde la medianoche entre el domingo, 8 de marzo y el lunes, 9 de marzo "
    "en adelante.",
    "Hora de llegada a la clínica: el lunes, 9 de marzo (hora: 9:30).",
    # The dated step the preparation lists (the restart is the aftercare's).
    "Tome la última dosis de apixaban (Eliquis) antes del procedimiento, a más tardar a esta hora.",
)
HOLD_AND_FASTING_IN_ENGLISH = (
    "Your care team and the doctor who prescribed your apixaban (Eliquis) agreed to pause it",
    "Do not eat anything after midnight between Sunday, March 8 and Monday, March 9.",
    "Take your last dose of apixaban (Eliquis) before the procedure by this time.",
)


def test_a_spanish_speaking_patient_reads_the_screenings_findings_and_steps_in_spanish(
    web: Web, db: Session, knowledge: Knowledge
) -> None:
    pathway_id = screened_for_a_hold_with_sedation(web, db, knowledge)
    url = f"/portal/pathways/{pathway_id}/screening"
    english = web.as_("patient").get(url).text
    for sentence in HOLD_AND_FASTING_IN_ENGLISH:
        assert html.escape(sentence) in english, sentence
    assert "only in English" not in english
    spanish_speaking(db, web.personas)
    page = web.as_("patient").get(url).text
    assert '<html lang="es">' in page and ENGLISH_ONLY not in page
    for sentence in HOLD_AND_FASTING_IN_SPANISH:
        assert html.escape(sentence) in page, sentence
    for sentence in HOLD_AND_FASTING_IN_ENGLISH:
        assert html.escape(sentence) not in page, sentence


def test_a_screening_stored_before_its_sentences_were_kept_shows_its_english_with_the_notice(
    web: Web, db: Session, knowledge: Knowledge
) -> None:
    pathway_id = screened_for_a_hold_with_sedation(web, db, knowledge)
    keep_results(db, without_words)
    url = f"/portal/pathways/{pathway_id}/screening"
    english = web.as_("patient").get(url).text
    assert "only in English" not in english
    spanish_speaking(db, web.personas)
    page = web.as_("patient").get(url).text
    assert page.count(ENGLISH_ONLY) == 2  # the findings, and the steps in the preparation
    for sentence in HOLD_AND_FASTING_IN_ENGLISH:
        assert html.escape(sentence) in page, sentence
    # The page's own words are Spanish still.
    assert "Lo que vimos en sus respuestas" in page and "Cómo prepararse" in page


def test_words_that_no_longer_read_as_their_english_show_the_english_with_the_notice(
    web: Web, db: Session, knowledge: Knowledge
) -> None:
    # Words stored with a result whose English has changed since (or that cannot be read)
    # are not used: the page shows the English it stored.
    pathway_id = screened_for_a_hold_with_sedation(web, db, knowledge)

    def changed(result: dict[str, Any]) -> None:
        for finding in result["findings"]:
            if finding["code"] == "fasting.sedation":
                finding["words"]["text"] = "You will get medicine. {food_until}"

    keep_results(db, changed)
    spanish_speaking(db, web.personas)
    page = web.as_("patient").get(f"/portal/pathways/{pathway_id}/screening").text
    assert page.count(ENGLISH_ONLY) == 1
    assert html.escape(HOLD_AND_FASTING_IN_ENGLISH[1]) in page
    assert html.escape(HOLD_AND_FASTING_IN_SPANISH[0]) in page


@pytest.mark.parametrize("path", ["/nope", "/portal/pathways/abc/screening"])
def test_an_address_that_is_no_page_gets_the_error_page_not_json(web: Web, path: str) -> None:
    page = web.as_("patient").get(path)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "This page does not exist." in page.text


def test_an_api_address_that_does_not_exist_still_answers_json(web: Web) -> None:
    answer = web.as_("patient").get("/api/v1/nope")
    assert answer.status_code == 404
    assert answer.json()["detail"] == "This page does not exist."
