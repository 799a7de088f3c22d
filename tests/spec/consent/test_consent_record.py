"""When consent is complete, and why a procedure cannot go ahead without it.

Rules: consent is complete when (1) the record was made for the plan as it is now (any
change to the plan, like the steroid, the side, the time or the doctor, gives a new plan
version), (2) every one of the twelve questions was confirmed no later than the
signature, and (3) the patient signed the agreement before a witness who is someone
else. `require_complete_consent` raises `ConsentIncomplete` (an `InputError`) naming
what is missing; no record at all is incomplete too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sijcare.domain.consent import (
    Agreement,
    Confirmation,
    ConsentIncomplete,
    ConsentRecord,
    Question,
    is_complete,
    plan_version,
    require_complete_consent,
    unconfirmed,
)
from sijcare.domain.errors import InputError
from sijcare.domain.procedure import Kind, PlannedProcedure, Side

LA = ZoneInfo("America/Los_Angeles")
PLAN = PlannedProcedure(
    scheduled_at=datetime(2026, 3, 2, 9, 0, tzinfo=LA),
    kind=Kind.THERAPEUTIC,
    side=Side.RIGHT,
    anesthetic_agent="bupivacaine",
    steroid_agent="triamcinolone",
    physician="Dr. Ana Ruiz",
    location="the Pain Clinic",
)
ASKED = datetime(2026, 2, 20, 10, 0, tzinfo=LA)
SIGNED = ASKED + timedelta(minutes=30)
AGREEMENT = Agreement(signed_by="Maria Lopez", signed_at=SIGNED, witnessed_by="Nurse Kim")


def record(
    *,
    plan: PlannedProcedure = PLAN,
    skip: tuple[Question, ...] = (),
    late: tuple[Question, ...] = (),
    agreement: Agreement | None = AGREEMENT,
) -> ConsentRecord:
    """A record confirming every question but `skip`; `late` ones after the signature."""
    confirmations = tuple(
        Confirmation(q, SIGNED + timedelta(minutes=1) if q in late else ASKED)
        for q in Question
        if q not in skip
    )
    return ConsentRecord(plan_version(plan), confirmations, agreement)


CHANGES = [
    pytest.param(replace(PLAN, steroid_agent="dexamethasone"), id="steroid-changed"),
    pytest.param(replace(PLAN, side=Side.LEFT), id="side-changed"),
    pytest.param(replace(PLAN, kind=Kind.DIAGNOSTIC, steroid_agent=None), id="kind-changed"),
    pytest.param(replace(PLAN, scheduled_at=PLAN.scheduled_at + timedelta(days=1)), id="day-changed"),
    pytest.param(replace(PLAN, physician="Dr. Lee"), id="doctor-changed"),
    pytest.param(replace(PLAN, contrast_planned=False), id="dye-dropped"),
]  # fmt: skip


def test_complete_consent() -> None:
    assert is_complete(record(), PLAN)
    require_complete_consent(record(), PLAN)


@pytest.mark.parametrize("changed", CHANGES)
def test_a_plan_change_after_consent_makes_it_incomplete(changed: PlannedProcedure) -> None:
    assert plan_version(changed) != plan_version(PLAN)
    assert not is_complete(record(), changed)
    assert unconfirmed(record(), changed) == tuple(Question)
    with pytest.raises(ConsentIncomplete, match="plan changed") as exc:
        require_complete_consent(record(), changed)
    assert exc.value.plan_changed


def test_the_same_moment_in_another_offset_is_the_same_plan() -> None:
    moved = replace(PLAN, scheduled_at=PLAN.scheduled_at.astimezone(ZoneInfo("UTC")))
    assert plan_version(moved) == plan_version(PLAN)
    assert is_complete(record(), moved)


@pytest.mark.parametrize("question", list(Question), ids=lambda q: q.value)
def test_each_unconfirmed_question_is_named(question: Question) -> None:
    incomplete = record(skip=(question,))
    assert not is_complete(incomplete, PLAN)
    with pytest.raises(ConsentIncomplete) as exc:
        require_complete_consent(incomplete, PLAN)
    assert exc.value.missing == (question,)
    assert exc.value.where == "consent"
    assert f"not confirmed: {question.value}" in str(exc.value)


def test_a_question_confirmed_after_signing_does_not_count() -> None:
    late = record(late=(Question.COST, Question.RISKS_AND_BENEFITS))
    assert unconfirmed(late, PLAN) == (Question.RISKS_AND_BENEFITS, Question.COST)
    assert not is_complete(late, PLAN)


def test_without_a_signed_agreement_consent_is_incomplete() -> None:
    unsigned = record(agreement=None)
    assert unconfirmed(unsigned, PLAN) == ()
    assert not is_complete(unsigned, PLAN)
    with pytest.raises(ConsentIncomplete, match="no signed, witnessed agreement"):
        require_complete_consent(unsigned, PLAN)


def test_no_record_at_all_is_incomplete() -> None:
    with pytest.raises(ConsentIncomplete) as exc:
        require_complete_consent(None, PLAN)
    assert exc.value.missing == tuple(Question)
    assert isinstance(exc.value, InputError)


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        pytest.param({"witnessed_by": "maria lopez"}, "agreement.witnessed_by", id="self-witness"),
        pytest.param({"witnessed_by": " "}, "agreement.witnessed_by", id="no-witness"),
        pytest.param({"signed_by": ""}, "agreement.signed_by", id="no-signer"),
        pytest.param({"signed_at": datetime(2026, 2, 20, 10, 30)}, "agreement.signed_at", id="naive-time"),
    ],
)  # fmt: skip
def test_agreement_must_be_signed_and_witnessed(kwargs: dict[str, object], where: str) -> None:
    with pytest.raises(InputError) as exc:
        replace(AGREEMENT, **kwargs)
    assert exc.value.where == where


def test_record_needs_a_plan_version_and_aware_times() -> None:
    with pytest.raises(InputError, match="plan_version"):
        ConsentRecord(" ", ())
    with pytest.raises(InputError, match="confirmed_at"):
        Confirmation(Question.NAME, datetime(2026, 2, 20, 10, 0))
