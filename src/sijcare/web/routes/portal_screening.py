"""The screening pages: the health questions, the result and how to get ready.

The form has every question of INTAKE.json the patient answers, in sections. Medicines,
allergies and past reactions are repeating rows: the form shows blank rows, and "Add more
rows" sends the form back with more (nothing is saved until "Send my answers"). Errors
of the core name INTAKE.json paths (`medicines[2].name`); they are shown at the form's
field (`medicines-5-name`, the sixth row when blank rows were skipped).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sijcare.domain.intake import AllergyKind, ReactionTo
from sijcare.services import screening, screening_pages
from sijcare.services.errors import FieldError, Invalid, Message, msg
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.forms import FormParser, FormState, read_form
from sijcare.web.pages import redirect, render

router = APIRouter(include_in_schema=False)

# Blank rows shown at first for each list; "Add more rows" adds `MORE_ROWS`.
ROWS = {"medicines": 8, "allergies": 4, "reactions": 2}
MORE_ROWS = 4
MAX_ROWS = 64
# Repeating rows: form prefix, INTAKE.json list, its fields (the first one is required).
LISTS = {
    "medicines": ("medicines", ("name", "dose", "frequency")),
    "allergies": ("allergies", ("substance", "kind", "reaction")),
    "reactions": ("past_reactions", ("to", "description")),
}
YES_NO = (
    "current_infection",
    "immunocompromised",
    "possibly_pregnant",
    "diabetes",
    "driver_arranged",
)
# Form field of each INTAKE.json path outside the lists.
FIELD_OF = {
    "diabetes.has": "diabetes",
    "diabetes.uses_insulin": "insulin",
    "kidney_function_impaired": "kidney",
    "fever_recent": "fever_temperature",
    "fever_recent.max_temperature": "fever_temperature",
    "fever_recent.unit": "fever_unit",
    "fever_recent.on": "fever_on",
    "recent_illness": "illness",
    "recent_illness.description": "illness_description",
    "recent_illness.last_symptoms_on": "illness_last_day",
}
_ANSWER = msg("Answer this question.")


@router.get("/portal/pathways/{pathway_id}/screening")
def screening_page(pathway_id: int, ctx: SignedIn) -> Response:
    page = screening_pages.view_screening(
        ctx.db,
        actor=ctx.me,
        pathway_id=pathway_id,
        knowledge=ctx.platform.knowledge,
        zone=ctx.zone,
        now=ctx.now,
    )
    return render(ctx, "portal/screening.html", {"page": page})


@router.get("/portal/pathways/{pathway_id}/screening/answers")
def answers_page(pathway_id: int, ctx: SignedIn) -> Response:
    form = screening_pages.view_form(ctx.db, actor=ctx.me, pathway_id=pathway_id, now=ctx.now)
    values = answers_to_form(form.answers, form.driver)
    return _form(ctx, form, FormState(values=values))


def _form(
    ctx: Ctx, form: screening_pages.ScreeningForm, state: FormState, status: int = 200
) -> Response:
    counts = {prefix: _row_count(state.values, prefix) for prefix in LISTS}
    context = {"form": form, "rows": counts, **_choices(), **state.context()}
    return render(ctx, "portal/screening_form.html", context, status_code=status)


@router.post("/portal/pathways/{pathway_id}/screening/answers")
async def send_answers(pathway_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    action = form.pop("action", "send")
    if action.startswith("more_") and action[5:] in LISTS:
        prefix = action[5:]
        form[f"{prefix}_rows"] = str(min(_row_count(form, prefix) + MORE_ROWS, MAX_ROWS))
        view = screening_pages.view_form(ctx.db, actor=ctx.me, pathway_id=pathway_id, now=ctx.now)
        return _form(ctx, view, FormState(values=form))
    rows: Rows = {}  # the form's errors already name its fields
    try:
        answers, driver, rows = form_to_answers(form)
        screening.submit(
            ctx.db,
            actor=ctx.me,
            pathway_id=pathway_id,
            answers=answers,
            driver=driver,
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
        )
    except Invalid as exc:
        located = tuple(FieldError(form_field(e.field, rows), e.message) for e in exc.errors)
        view = screening_pages.view_form(ctx.db, actor=ctx.me, pathway_id=pathway_id, now=ctx.now)
        return _form(ctx, view, FormState.failed(form, Invalid(located)), 422)
    return redirect(
        ctx,
        f"/portal/pathways/{pathway_id}/screening",
        notice=msg("Thank you. Your answers are sent."),
    )


# -- from the form to INTAKE.json and back ------------------------------------------------

Rows = Mapping[str, list[int]]


def form_to_answers(
    form: Mapping[str, str],
) -> tuple[dict[str, Any], screening.DriverDetails | None, Rows]:
    """The patient's INTAKE.json answers, the driver, and each list's form rows.

    Unanswered questions and half-filled rows are reported all at once (`Invalid`);
    what the answers mean is for the core to check.
    """
    parser = FormParser(form)
    answers: dict[str, Any] = {name: _yes_no(parser, name) for name in YES_NO}
    answers["diabetes"] = {"has": answers["diabetes"], "uses_insulin": None}
    if answers["diabetes"]["has"]:
        answers["diabetes"]["uses_insulin"] = _yes_no(parser, "insulin")
    answers["kidney_function_impaired"] = {"yes": True, "no": False}.get(form.get("kidney", ""))
    answers["fever_recent"] = _fever(parser)
    answers["recent_illness"] = _illness(parser)
    rows: dict[str, list[int]] = {}
    for prefix, (key, fields) in LISTS.items():
        answers[key], rows[key] = _list(parser, prefix, fields)
    parser.check()
    driver = None
    if answers["driver_arranged"]:
        driver = screening.DriverDetails(
            name=form.get("driver_name", "").strip(),
            phone=form.get("driver_phone", "").strip(),
            relationship=form.get("driver_relationship", "").strip(),
        )
    return answers, driver, rows


def _yes_no(parser: FormParser, name: str) -> bool | None:
    answer = parser.form.get(name, "")
    if answer not in ("yes", "no"):
        parser.fail(name, _ANSWER)
        return None
    return answer == "yes"


def _fever(parser: FormParser) -> dict[str, Any] | None:
    form = parser.form
    given = [name for name in ("fever_temperature", "fever_unit", "fever_on") if form.get(name)]
    if not given:
        return None
    text = form.get("fever_temperature", "").replace(",", ".").strip()
    try:
        value: float | None = float(text)
    except ValueError:
        value = None
        parser.fail("fever_temperature", msg("Enter your highest temperature, like 38.5."))
    if form.get("fever_unit") not in ("C", "F"):
        parser.fail("fever_unit", msg("Choose °C or °F."))
    day = parser.day("fever_on")
    return {
        "max_temperature": value,
        "unit": form.get("fever_unit"),
        "on": None if day is None else day.isoformat(),
    }


def _illness(parser: FormParser) -> dict[str, Any] | None:
    if _yes_no(parser, "illness") is not True:
        return None
    description = parser.text(
        "illness_description",
        required=msg("Say in a few words what the illness was."),
        max_length=500,
    )
    still = _yes_no(parser, "illness_still")
    last = None if still is not False else parser.day("illness_last_day")
    return {
        "description": description,
        "last_symptoms_on": None if last is None else last.isoformat(),
    }


def _list(
    parser: FormParser, prefix: str, fields: tuple[str, ...]
) -> tuple[list[dict[str, Any]], list[int]]:
    items, rows = [], []
    for row in range(_row_count(parser.form, prefix)):
        values = {f: parser.form.get(f"{prefix}-{row}-{f}", "").strip() for f in fields}
        if not any(values.values()):
            continue
        if not values[fields[0]]:
            parser.fail(f"{prefix}-{row}-{fields[0]}", _ROW_MESSAGES[prefix])
        items.append({f: (v or None) for f, v in values.items()})
        rows.append(row)
    return items, rows


_ROW_MESSAGES: dict[str, Message] = {
    "medicines": msg("Write the name of the medicine."),
    "allergies": msg("Write what you are allergic to."),
    "reactions": msg("Choose what the reaction was to."),
}


def _row_count(values: Mapping[str, str], prefix: str) -> int:
    try:
        count = int(values.get(f"{prefix}_rows", ""))
    except ValueError:
        count = 0
    filled = 1 + max(
        (int(k.split("-")[1]) for k in values if k.startswith(f"{prefix}-") and _numbered(k)),
        default=-1,
    )
    return min(max(count, ROWS[prefix], filled), MAX_ROWS)


def _numbered(key: str) -> bool:
    parts = key.split("-")
    return len(parts) == 3 and parts[1].isdigit()


def form_field(where: str, rows: Rows) -> str:
    """The form field of an INTAKE.json path (other names, like the driver's, unchanged)."""
    head, _sep, rest = where.partition(".")
    if "[" not in head:
        return FIELD_OF.get(where, head)
    key, index = head.rstrip("]").split("[")
    for prefix, (list_key, fields) in LISTS.items():
        if list_key == key:
            positions, position = rows.get(key, []), int(index)
            row = positions[position] if position < len(positions) else position
            return f"{prefix}-{row}-{rest.split('.')[0] or fields[0]}"
    return where


def answers_to_form(answers: Mapping[str, Any], driver: Any) -> dict[str, str]:
    """The form's values for stored INTAKE.json answers (to change them)."""
    if not answers or "current_infection" not in answers:
        return {}
    values = {name: _word(answers.get(name)) for name in YES_NO if name != "diabetes"}
    diabetes = answers.get("diabetes") or {}
    values["diabetes"] = _word(diabetes.get("has"))
    values["insulin"] = _word(diabetes.get("uses_insulin"))
    values["kidney"] = _word(answers.get("kidney_function_impaired")) or "unknown"
    fever = answers.get("fever_recent")
    if fever:
        values |= {
            "fever_temperature": f"{fever['max_temperature']:g}",
            "fever_unit": fever["unit"],
            "fever_on": fever["on"],
        }
    illness = answers.get("recent_illness")
    values["illness"] = "yes" if illness else "no"
    if illness:
        values["illness_description"] = illness["description"]
        values["illness_still"] = "no" if illness["last_symptoms_on"] else "yes"
        values["illness_last_day"] = illness["last_symptoms_on"] or ""
    for prefix, (key, fields) in LISTS.items():
        for row, item in enumerate(answers.get(key, ())):
            values |= {f"{prefix}-{row}-{f}": item.get(f) or "" for f in fields}
    if driver is not None:
        values |= {
            "driver_name": driver.name,
            "driver_phone": driver.phone,
            "driver_relationship": driver.relationship,
        }
    return {k: v for k, v in values.items() if v}


def _word(value: Any) -> str:
    return {True: "yes", False: "no"}.get(value, "")


def _choices() -> dict[str, Any]:
    """The options of the form's lists (values are the core's)."""
    return {
        "allergy_kinds": [kind.value for kind in AllergyKind],
        "reaction_kinds": [kind.value for kind in ReactionTo],
    }
