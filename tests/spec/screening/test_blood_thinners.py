"""Blood thinners (Narouze et al. 2018; clinical-defaults.md "Blood thinners").

The SI joint injection is low bleeding-risk. Aspirin and NSAIDs are not held. Every
anticoagulant and P2Y12 inhibitor is flagged for review, and the patient is told to keep
taking it until a clinician records a hold confirmed with the prescriber. Then the last
dose is the procedure time minus the hold and the restart the procedure time plus the
restart time, both in elapsed time: across a change of the clocks the local time moves
by an hour, so a hold is never shorter than the guideline's. The procedure is on
2026-03-10 08:00 PDT, two days after the clocks went forward.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from screening_helpers import PROCEDURE_TIME, RunScreen, codes, local, only

from sijcare.domain.errors import InputError
from sijcare.domain.intake import ClinicianDecision, HoldDecision, MedicineEntry
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.screening_rules.findings import Readiness, Severity

# Before the last dose of every hold (the longest, prasugrel's, is 10 days).
DECIDED_AT = datetime.fromisoformat("2026-02-23T10:00:00-08:00")


def hold(
    medicine: str, *, confirmed: bool = True, regimen: str | None = None, at: datetime = DECIDED_AT
) -> ClinicianDecision:
    return ClinicianDecision(medicine, HoldDecision.HOLD, confirmed, "Dr. Rivera", at, regimen)


def keep(medicine: str) -> ClinicianDecision:
    return ClinicianDecision(medicine, HoldDecision.CONTINUE, True, "Dr. Rivera", DECIDED_AT)


def meds(*names: str) -> tuple[MedicineEntry, ...]:
    return tuple(MedicineEntry(n) for n in names)


def all_blood_thinner_names(knowledge: Knowledge) -> list[str]:
    return [str(n) for row in knowledge.table("blood_thinners") for n in row["names"]]


def test_every_blood_thinner_name_is_reviewed_and_never_stopped(
    run_screen: RunScreen, knowledge: Knowledge
) -> None:
    names = all_blood_thinner_names(knowledge)
    assert len(names) >= 30
    for name in names:
        result = run_screen(medicines=meds(f"{name.upper()} as prescribed"))
        finding = only(result, "blood_thinner")
        assert (finding.code, finding.severity) == ("blood_thinner.review", Severity.REVIEW), name
        assert result.status is Readiness.NEEDS_REVIEW, name
        assert result.actions == (), name
        assert "Keep taking it as usual" in finding.patient_message, name
        assert finding.options, name


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Coumadin", id="vitamin-k-antagonist"),
        pytest.param("Plavix 75 mg", id="p2y12-clopidogrel"),
        pytest.param("effient", id="p2y12-prasugrel"),
        pytest.param("Brilinta", id="p2y12-ticagrelor"),
        pytest.param("ELIQUIS 5MG", id="doac-apixaban"),
        pytest.param("Xarelto 20 mg daily", id="doac-rivaroxaban"),
        pytest.param("Savaysa", id="doac-edoxaban"),
        pytest.param("Pradaxa 150", id="doac-dabigatran"),
        pytest.param("Arixtra", id="fondaparinux"),
        pytest.param("Lovenox 40 mg", id="low-molecular-weight-heparin"),
        pytest.param("heparin", id="unfractionated-heparin"),
    ],
)
def test_each_class_is_reviewed_until_a_confirmed_hold(run_screen: RunScreen, name: str) -> None:
    unconfirmed = run_screen(
        medicines=meds(name), clinician_decisions=(hold(name, confirmed=False),)
    )
    assert only(unconfirmed, "blood_thinner").code == "blood_thinner.review"
    assert (
        "not yet confirmed with the prescriber"
        in only(unconfirmed, "blood_thinner").clinician_rationale
    )
    assert unconfirmed.actions == ()


# Expected dates with a confirmed hold (procedure 2026-03-10 08:00 PDT).
HOLDS: list[Any] = [
    pytest.param(
        "Eliquis",
        {},
        "2026-03-07T07:00:00-08:00",
        "2026-03-11T08:00:00-07:00",
        id="apixaban-3d-24h-across-DST",
    ),
    pytest.param(
        "warfarin 5 mg",
        {},
        "2026-03-05T07:00:00-08:00",
        "2026-03-10T14:00:00-07:00",
        id="warfarin-5d-6h",
    ),
    pytest.param(
        "clopidogrel",
        {},
        "2026-03-03T07:00:00-08:00",
        "2026-03-11T08:00:00-07:00",
        id="clopidogrel-7d",
    ),
    pytest.param(
        "Effient",
        {},
        "2026-02-28T07:00:00-08:00",
        "2026-03-11T08:00:00-07:00",
        id="prasugrel-range-uses-10d",
    ),
    pytest.param(
        "Brilinta", {}, "2026-03-05T07:00:00-08:00", "2026-03-11T08:00:00-07:00", id="ticagrelor-5d"
    ),
    pytest.param(
        "Pradaxa",
        {"kidney_function_impaired": False},
        "2026-03-06T07:00:00-08:00",
        "2026-03-11T08:00:00-07:00",
        id="dabigatran-4d",
    ),
    pytest.param(
        "Pradaxa",
        {"kidney_function_impaired": True},
        "2026-03-04T07:00:00-08:00",
        "2026-03-11T08:00:00-07:00",
        id="dabigatran-impaired-kidney-6d",
    ),
    pytest.param(
        "Arixtra",
        {},
        "2026-03-06T07:00:00-08:00",
        "2026-03-11T08:00:00-07:00",
        id="fondaparinux-4d",
    ),
    pytest.param(
        "Lovenox",
        {"regimen": "prophylactic"},
        "2026-03-09T20:00:00-07:00",
        "2026-03-10T12:00:00-07:00",
        id="enoxaparin-prophylactic-12h-4h",
    ),
    pytest.param(
        "Lovenox",
        {"regimen": "treatment"},
        "2026-03-09T08:00:00-07:00",
        "2026-03-10T12:00:00-07:00",
        id="enoxaparin-treatment-24h-4h",
    ),
    pytest.param(
        "heparin",
        {},
        "2026-03-10T02:00:00-07:00",
        "2026-03-10T10:00:00-07:00",
        id="heparin-iv-or-sc-6h-2h",
    ),
]


@pytest.mark.parametrize(("name", "extra", "last_dose", "restart"), HOLDS)
def test_confirmed_hold_gives_last_dose_and_restart(
    run_screen: RunScreen, name: str, extra: dict[str, Any], last_dose: str, restart: str
) -> None:
    regimen = extra.pop("regimen", None)
    result = run_screen(
        medicines=meds(name), clinician_decisions=(hold(name, regimen=regimen),), **extra
    )
    finding = only(result, "blood_thinner")
    assert (finding.code, finding.severity) == ("blood_thinner.hold", Severity.ACTION)
    assert result.status is Readiness.READY_WITH_ACTIONS
    by_code = {a.code: a.at for a in result.actions}
    assert by_code["blood_thinner.last_dose"] == local(last_dose)
    assert by_code["blood_thinner.restart"] == local(restart)
    assert all(a.about == name for a in result.actions)


@pytest.mark.parametrize(
    ("decided_at", "code"),
    [
        # Xarelto: last dose 72 h before 08:00 PDT, across the clock change: 07:00 PST.
        pytest.param("2026-03-07T07:00:00-08:00", "blood_thinner.hold", id="at-the-last-dose"),
        pytest.param(
            "2026-03-07T07:01:00-08:00", "blood_thinner.hold_too_late", id="a-minute-late"
        ),
        pytest.param(
            "2026-03-09T15:00:00-07:00", "blood_thinner.hold_too_late", id="the-day-before"
        ),
    ],
)
def test_a_hold_confirmed_after_its_last_dose_is_too_late(
    run_screen: RunScreen, decided_at: str, code: str
) -> None:
    decision = hold("Xarelto", at=datetime.fromisoformat(decided_at))
    result = run_screen(medicines=meds("Xarelto"), clinician_decisions=(decision,))
    finding = only(result, "blood_thinner")
    assert finding.code == code
    if code == "blood_thinner.hold":
        assert result.status is Readiness.READY_WITH_ACTIONS
        return
    # Never "ready", and never a past date to stop by: keep taking it until the clinic calls.
    assert (finding.severity, result.status) == (Severity.REVIEW, Readiness.NEEDS_REVIEW)
    assert result.actions == ()
    assert "Keep taking it as usual" in finding.patient_message
    assert "2026-03-07T07:00:00-08:00" in finding.clinician_rationale
    assert finding.options


def test_warfarin_hold_asks_for_a_normal_inr_on_arrival(run_screen: RunScreen) -> None:
    result = run_screen(medicines=meds("Jantoven"), clinician_decisions=(hold("warfarin"),))
    inr = [a for a in result.actions if a.code == "blood_thinner.inr_check"]
    assert [a.at for a in inr] == [local("2026-03-10T07:30:00-07:00")]
    assert "INR" in only(result, "blood_thinner").patient_message


def test_hold_in_autumn_crosses_the_clock_change_the_other_way(run_screen: RunScreen) -> None:
    at = datetime.fromisoformat("2026-11-03T08:00:00-08:00")  # clocks went back 2026-11-01
    result = run_screen(at=at, medicines=meds("Xarelto"), clinician_decisions=(hold("Xarelto"),))
    assert result.actions[0].at == local("2026-10-31T09:00:00-07:00")


@pytest.mark.parametrize(
    ("name", "extra", "needs"),
    [
        pytest.param("Lovenox", {}, "regimen", id="enoxaparin-dose-unknown"),
        pytest.param(
            "dabigatran",
            {"kidney_function_impaired": None},
            "kidney",
            id="dabigatran-kidney-unknown",
        ),
    ],
)
def test_confirmed_hold_without_enough_to_date_it_stays_in_review(
    run_screen: RunScreen, name: str, extra: dict[str, Any], needs: str
) -> None:
    result = run_screen(medicines=meds(name), clinician_decisions=(hold(name),), **extra)
    finding = only(result, "blood_thinner")
    assert finding.code == "blood_thinner.review"
    assert needs in finding.clinician_rationale
    assert result.actions == ()
    assert len({o.code for o in finding.options}) == 2


def test_review_options_show_the_dates_a_hold_would_give(run_screen: RunScreen) -> None:
    finding = only(run_screen(medicines=meds("Eliquis")), "blood_thinner")
    (option,) = finding.options
    assert [s.at for s in option.steps] == [
        local("2026-03-07T07:00:00-08:00"),
        local("2026-03-11T08:00:00-07:00"),
    ]


def test_regimen_in_the_patients_words_picks_the_row(run_screen: RunScreen) -> None:
    entry = MedicineEntry("enoxaparin prophylactic", dose="40 mg", frequency="daily")
    result = run_screen(medicines=(entry,), clinician_decisions=(hold("enoxaparin"),))
    assert result.actions[0].at == local("2026-03-09T20:00:00-07:00")


def test_continue_decision_keeps_the_medicine(run_screen: RunScreen) -> None:
    result = run_screen(medicines=meds("Plavix"), clinician_decisions=(keep("Plavix"),))
    finding = only(result, "blood_thinner")
    assert (finding.code, finding.severity) == ("blood_thinner.continue", Severity.INFO)
    assert result.status is Readiness.READY
    assert result.actions == ()


def test_latest_decision_counts(run_screen: RunScreen) -> None:
    later = datetime.fromisoformat("2026-03-03T09:00:00-08:00")
    decisions = (hold("Eliquis", at=later), keep("apixaban"))
    result = run_screen(medicines=meds("Eliquis 5 mg"), clinician_decisions=decisions)
    assert only(result, "blood_thinner").code == "blood_thinner.hold"


@pytest.mark.parametrize(
    "name",
    ["aspirin 81 mg", "Baby Aspirin", "ibuprofen", "Advil", "MOTRIN IB", "naproxen", "Aleve",
     "diclofenac gel", "meloxicam", "Celebrex", "ketorolac", "cilostazol"],
)  # fmt: skip
def test_aspirin_and_nsaids_are_not_held(run_screen: RunScreen, name: str) -> None:
    result = run_screen(medicines=meds(name))
    assert codes(result) == ["medicine.no_hold"]
    assert result.status is Readiness.READY
    assert "Keep taking" in result.findings[0].patient_message


def test_a_blood_thinner_next_to_aspirin_in_one_entry_is_still_flagged(
    run_screen: RunScreen,
) -> None:
    result = run_screen(medicines=meds("aspirin and Plavix"))
    assert codes(result) == ["blood_thinner.review", "medicine.no_hold"]


@pytest.mark.parametrize(
    ("decision", "where"),
    [
        pytest.param(hold("Coumadin"), "clinician_decisions[0].medicine", id="medicine-not-listed"),
        pytest.param(hold("aspirin"), "clinician_decisions[0].medicine", id="not-holdable"),
        pytest.param(
            hold("Lovenox", regimen="weekly"),
            "clinician_decisions[0].regimen",
            id="unknown-regimen",
        ),
    ],
)
def test_decision_that_fits_no_listed_medicine_is_an_input_error(
    run_screen: RunScreen, decision: ClinicianDecision, where: str
) -> None:
    with pytest.raises(InputError) as exc:
        run_screen(medicines=meds("Lovenox", "aspirin"), clinician_decisions=(decision,))
    assert exc.value.where == where


def test_procedure_time_must_be_aware(run_screen: RunScreen) -> None:
    with pytest.raises(InputError, match="UTC offset"):
        run_screen(at=PROCEDURE_TIME.replace(tzinfo=None))
