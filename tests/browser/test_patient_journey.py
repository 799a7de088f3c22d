"""A patient's journey in the portal, in Chromium, with an accessibility check on every page.

The demo clinic's patients are at different stages (`sijcare.services.demo_pathways`).
Two journeys, each by a patient who reads the portal in English, found through the
portal's API the way the portal itself sees them:
- before the injection: read about it, answer the health questions, see the result and
  how to get ready, give consent, see the appointments;
- after it (a documented procedure): record pain scores, report a symptom and see the
  triage answer with the number to call, view the pain chart and the aftercare.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Check = Callable[[Any], None]
BEFORE = {"to_answer", "answered"}
CONSENT_OPEN = {"none", "plan_changed", "unconfirmed"}


@dataclass(frozen=True)
class Candidate:
    email: str
    pathway_id: int
    procedure_id: int | None


def _portal_of(browser: Any, live_server: Any, email: str) -> tuple[str, dict[str, Any]]:
    """The patient's locale and their portal home, read through the API."""
    context = browser.new_context(base_url=live_server.url)
    try:
        api = context.request
        csrf = api.get("/api/v1/session/csrf").json()["csrf_token"]
        signed = api.post(
            "/api/v1/session",
            data={"email": email, "password": live_server.password},
            headers={"X-CSRF-Token": csrf},
        )
        assert signed.ok, signed.text()
        return api.get("/api/v1/me").json()["locale"], api.get("/api/v1/portal").json()
    finally:
        context.close()


def _find(browser: Any, live_server: Any, wanted: Callable[[dict[str, Any]], bool]) -> Candidate:
    for login in live_server.logins:
        if login.role != "patient":
            continue
        locale, home = _portal_of(browser, live_server, login.email)
        for pathway in home["pathways"]:
            if locale == "en" and wanted(pathway):
                diary = pathway["diary"]
                return Candidate(
                    login.email, pathway["pathway_id"], diary and diary["procedure_id"]
                )
    raise AssertionError("no English-speaking demo patient is at the stage this journey needs")


def _before(pathway: dict[str, Any]) -> bool:
    """Planned and booked, and consent still to give (none before the answers are in)."""
    consent = pathway["consent"]
    open_ = consent in CONSENT_OPEN or (
        pathway["screening"] == "to_answer" and consent == "no_plan"
    )
    return pathway["diary"] is None and pathway["screening"] in BEFORE and open_


def _after(pathway: dict[str, Any]) -> bool:
    return pathway["diary"] is not None


def _answer(page: Any, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def test_before_the_injection(
    page: Any,
    browser: Any,
    live_server: Any,
    sign_in: Callable[..., None],
    check_accessibility: Check,
) -> None:
    patient = _find(browser, live_server, _before)
    sign_in(page, patient.email)
    page.goto("/portal")
    page.get_by_role("heading", name="My care", level=1).wait_for()
    check_accessibility(page)

    # Learn about the injection.
    page.get_by_role("link", name="Read about the injection").first.click()
    page.get_by_role("heading", name="Two kinds of injection").wait_for()
    assert page.get_by_role("heading", name="Risks").is_visible()
    check_accessibility(page)

    # The health questions: every section answered, then sent.
    page.goto(f"/portal/pathways/{patient.pathway_id}/screening/answers")
    page.get_by_role("heading", name="Health questions before your injection").wait_for()
    check_accessibility(page)
    for question in (
        "Do you have an infection now?",
        "Have you been ill in the last few weeks?",
        "Do you have a weak immune system?",
        "Could you be pregnant?",
        "Do you have diabetes?",
    ):
        _answer(page, question, "No")
    _answer(page, "Has a doctor told you that your kidneys do not work well?", "No")
    first = page.get_by_role("group", name="Medicine 1").get_by_label("Name")
    if not first.input_value():
        first.fill("Lisinopril 10 mg")
    _answer(page, "Will an adult drive you home after the injection?", "Yes")
    page.get_by_label("If yes: your driver's name").fill("Chris Morgan")
    page.get_by_label("Your driver's phone number").fill("+1 310-555-0147")
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Thank you. Your answers are sent.").wait_for()
    page.get_by_role("heading", name="Your result").wait_for()
    page.get_by_role("heading", name="How to get ready").wait_for()
    assert page.get_by_text(re.compile("Please arrive by")).count() == 1
    check_accessibility(page)

    # Consent: confirm each answer, then agree.
    page.goto("/portal")
    page.get_by_role("link", name="Read about your injection and give consent").first.click()
    page.get_by_role("heading", name="Your consent to the injection").wait_for()
    check_accessibility(page)
    boxes = page.get_by_label("I understand this answer")
    assert boxes.count() == 12
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.get_by_label("I agree to have this injection.").check()
    page.get_by_role("button", name="Give my consent").click()
    page.get_by_text("Thank you. Your consent is saved.").wait_for()
    assert page.get_by_text("Agreed; waiting for a witness").is_visible()
    check_accessibility(page)

    # The appointments (the scheduling pages).
    page.goto("/portal")
    page.get_by_role("link", name="All my appointments").click()
    page.get_by_role("heading", name="My appointments").wait_for()
    check_accessibility(page)


def test_after_the_injection(
    page: Any,
    browser: Any,
    live_server: Any,
    sign_in: Callable[..., None],
    check_accessibility: Check,
) -> None:
    patient = _find(browser, live_server, _after)
    sign_in(page, patient.email)
    page.goto(f"/portal/procedures/{patient.procedure_id}/diary")
    page.get_by_role("heading", name="Pain diary", level=1).wait_for()
    check_accessibility(page)

    # Two pain scores.
    for pain, activity in (("3", "Yes"), ("2", "I did not try")):
        _answer(page, "How bad is your pain right now?", pain)
        _answer(page, "Could you do the activity that usually hurts?", activity)
        page.get_by_role("button", name="Save my score").click()
        page.get_by_text("Your score is saved.").wait_for()
    table = page.get_by_role("table", name="Your pain scores, oldest first")
    assert table.get_by_role("cell", name="I did not try").count() == 0
    assert table.get_by_role("cell", name="Could do it").count() >= 1
    check_accessibility(page)

    # The chart: an image with a text alternative, and its data in a table.
    page.get_by_role("link", name="See your scores on a chart").click()
    chart = page.get_by_role("img", name="Your pain after the injection")
    chart.wait_for()
    assert page.get_by_role("table", name="The scores in the chart").is_visible()
    check_accessibility(page)

    # A symptom: the answer names the number to call, first and large.
    page.goto(f"/portal/procedures/{patient.procedure_id}/symptoms")
    page.get_by_role("heading", name="Tell us how you feel").wait_for()
    check_accessibility(page)
    page.get_by_role("group", name="The spot where the needle went in").get_by_label(
        "It is red"
    ).check()
    page.get_by_role("button", name="Send and see what to do").click()
    page.get_by_role("heading", name="Call now", level=1).wait_for()
    number = page.locator(".call-number a").first
    assert (number.get_attribute("href") or "").startswith("tel:+1")
    assert page.get_by_text("The clinic has your report").is_visible()
    check_accessibility(page)

    # The aftercare instructions.
    page.get_by_role("link", name="Aftercare: what to do and when to call").click()
    page.get_by_role("heading", name="After your injection").wait_for()
    check_accessibility(page)
