"""Correcting the pain score saved last (page and API): see `services.diary_corrections`.

The diary page shows the form while the patient's last score may still be changed; it
names the entry it shows (`entry_id`), so a correction never lands on a score saved
meanwhile in another tab.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from sijcare.services import diary, diary_corrections
from sijcare.services.errors import Conflict, FieldError, Invalid, msg
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.forms import FormParser, FormState, read_form
from sijcare.web.pages import redirect
from sijcare.web.routes.portal_diary import NOTE_MAX, EntryOut, diary_page_response

router = APIRouter(tags=["portal"])

# The correction form's fields, named apart from the new-score form on the same page.
FIELDS = {"pain": "corrected_pain", "activity": "corrected_activity", "note": "corrected_note"}
_SERVICE = {form: service for service, form in FIELDS.items()}


@router.post("/portal/procedures/{procedure_id}/diary/last", include_in_schema=False)
async def correct_last(procedure_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    parser = FormParser(form)
    entry_id = parser.integer("entry_id", msg("Reload the page and try again."))
    pain = parser.integer(FIELDS["pain"], msg("Choose a number from 0 to 10."))
    activity = None
    if form.get(FIELDS["activity"]):
        activity = parser.choice(
            FIELDS["activity"], diary.Activity, msg("Choose one of the answers.")
        )
    note = parser.text(FIELDS["note"], max_length=NOTE_MAX)
    try:
        corrected = diary_corrections.correct_entry(
            ctx.db,
            actor=ctx.me,
            procedure_id=procedure_id,
            entry_id=entry_id or 0,
            # An unreadable pain is reported by the form (`form_errors`); -1 stands in.
            correction=diary.NewEntry(
                pain=-1 if pain is None else pain, activity=activity, note=note or ""
            ),
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
            form_errors=[
                FieldError(_SERVICE.get(e.field, e.field), e.message) for e in parser.errors
            ],
        )
    except Invalid as exc:
        named = [FieldError(FIELDS.get(e.field, e.field), e.message) for e in exc.errors]
        state = FormState.failed(form, Invalid(named))
        return diary_page_response(ctx, procedure_id, state, 422)
    except Conflict as exc:
        return diary_page_response(ctx, procedure_id, FormState(), 409, problem=exc.message)
    notice = msg("Your score is corrected.")
    if not corrected.changed:
        notice = msg("Nothing was changed: your last score is as it was.")
    return redirect(ctx, f"/portal/procedures/{procedure_id}/diary", notice=notice)


class CorrectionIn(BaseModel):
    """The entry's values as they should be: `activity` and `note` left out are cleared.
    Its time cannot be changed (a `recorded_at` is refused)."""

    model_config = ConfigDict(extra="forbid")

    entry_id: int = Field(description="The entry to correct: the one you saved last")
    pain: int = Field(ge=0, le=10, strict=True, description="Pain, 0 (none) to 10 (worst)")
    activity: diary.Activity | None = Field(
        None, description="Could you do the activity that usually hurts? Left out: cleared"
    )
    note: str = Field("", max_length=NOTE_MAX, description="Left out: cleared")


@router.put(
    "/api/v1/portal/procedures/{procedure_id}/diary-entries/last",
    response_model=EntryOut,
    responses=errors(401, 403, 404, 409, 422),
)
def put_last(procedure_id: int, body: CorrectionIn, ctx: SignedIn) -> EntryOut:
    """Correct the score you saved last (the patient only), within
    `diary.correction_window_minutes` of saving it; its time stays. 409 once it may not be
    changed. The diary's interpretation is updated."""
    corrected = diary_corrections.correct_entry(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        entry_id=body.entry_id,
        correction=diary.NewEntry(pain=body.pain, activity=body.activity, note=body.note),
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return EntryOut.of(corrected.entry)
