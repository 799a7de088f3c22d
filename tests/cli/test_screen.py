"""`sijcare screen --intake INTAKE.json --procedure-time T [--json]`: the examples, and
every bad input (exit 2, one line naming the file and field)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sijcare.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TIME = "2026-03-10T08:00:00-07:00"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def screen_json(path: Path, capsys: pytest.CaptureFixture[str], time: str = TIME) -> dict[str, Any]:
    code, out, err = run(
        ["screen", "--intake", str(path), "--procedure-time", time, "--json"], capsys
    )
    assert (code, err) == (0, "")
    result: dict[str, Any] = json.loads(out)
    return result


@pytest.mark.parametrize(
    ("name", "status", "codes"),
    [
        ("intake-ready.json", "ready", {"medicine.no_hold", "allergy.shellfish_not_contrast"}),
        ("intake-blood-thinner.json", "needs_review", {"blood_thinner.review", "medicine.no_hold"}),
        (
            "intake-blood-thinner-confirmed.json",
            "ready_with_actions",
            {"blood_thinner.hold", "medicine.no_hold"},
        ),
        (
            "intake-contrast-allergy.json",
            "needs_review",
            {"contrast.prior_reaction", "allergy.shellfish_not_contrast"},
        ),
        ("intake-fever.json", "postpone", {"fever.recent", "illness.current"}),
        (
            "intake-sedation-diabetes.json",
            "needs_review",
            {
                "glp1.review",
                "diabetes.fasting_plan",
                "diabetes.steroid_glucose",
                "fasting.sedation",
            },
        ),
    ],
)
def test_examples_as_json(
    capsys: pytest.CaptureFixture[str], name: str, status: str, codes: set[str]
) -> None:
    result = screen_json(EXAMPLES / name, capsys)
    assert result["status"] == status
    assert {f["code"] for f in result["findings"]} == codes
    for finding in result["findings"]:
        assert finding["about"] and finding["patient_message"] and finding["clinician_rationale"]
        assert finding["severity"] in {"info", "action", "review", "stop"}
        assert finding["source"]
    assert result["provenance"]["knowledge_version"]
    assert result["provenance"]["inputs"]["procedure_time"] == TIME


def test_confirmed_hold_dates_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    result = screen_json(EXAMPLES / "intake-blood-thinner-confirmed.json", capsys)
    assert [(a["code"], a["at"]) for a in result["actions"]] == [
        ("blood_thinner.last_dose", "2026-03-07T07:00:00-08:00"),
        ("blood_thinner.restart", "2026-03-11T08:00:00-07:00"),
    ]


def test_other_offset_is_shown_in_the_clinic_zone(capsys: pytest.CaptureFixture[str]) -> None:
    result = screen_json(
        EXAMPLES / "intake-blood-thinner-confirmed.json", capsys, "2026-03-10T15:00:00Z"
    )
    assert result["procedure_time"] == TIME


def test_readable_report(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "screen",
        "--intake",
        str(EXAMPLES / "intake-sedation-diabetes.json"),
        "--procedure-time",
        TIME,
    ]
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert out.startswith("A clinician must review before the procedure (needs_review)")
    assert "Procedure: Tue 2026-03-10 08:00 PDT (America/Los_Angeles)" in out
    assert "Tue 2026-03-10 00:00 PDT  Stop eating" in out
    assert "Tue 2026-03-10 05:30 PDT  Stop drinking" in out
    assert "[review] glp1.review about 'Ozempic'" in out
    assert "option: If held (weekly)" in out


def test_readable_report_with_nothing_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["screen", "--intake", str(EXAMPLES / "intake-ready.json"), "--procedure-time", TIME],
        capsys,
    )
    assert code == 0
    assert out.startswith("Ready for the procedure (ready)")
    assert "Patient actions (clinic local time):\n  none" in out


def example() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((EXAMPLES / "intake-blood-thinner.json").read_text("utf-8"))
    return doc


def setting(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets the field at the dotted `path` (list items as numbers)."""

    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is DELETE:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


DELETE = object()
DECISION = {
    "medicine": "Eliquis 5 mg",
    "decision": "hold",
    "confirmed_with_prescriber": True,
    "by": "Dr. R",
    "at": "2026-03-02T10:00:00-08:00",
}

BAD_FIELDS = [
    pytest.param(
        setting("current_infection", DELETE),
        "current_infection: is required",
        id="missing-question",
    ),
    pytest.param(
        setting("current_infection", "no"),
        "current_infection: 'no' must be true or false",
        id="not-a-boolean",
    ),
    pytest.param(
        setting("curent_infection", True),
        "curent_infection: is not a field here",
        id="misspelt-field",
    ),
    pytest.param(setting("procedure", DELETE), "procedure: is required", id="missing-procedure"),
    pytest.param(
        setting("procedure", "therapeutic"),
        "procedure: must be a JSON object",
        id="procedure-not-object",
    ),
    pytest.param(
        setting("procedure.kind", "surgery"),
        "procedure.kind: 'surgery' is not one of",
        id="bad-kind",
    ),
    pytest.param(
        setting("procedure.anesthetic_agent", "cocaine"),
        "procedure.anesthetic_agent: unknown anesthetic",
        id="unknown-anesthetic",
    ),
    pytest.param(
        setting("procedure.steroid_agent", "prednisone"),
        "procedure.steroid_agent: unknown steroid",
        id="unknown-steroid",
    ),
    pytest.param(
        setting("procedure.steroid_agent", None),
        "procedure.steroid_agent: a therapeutic injection needs a steroid",
        id="therapeutic-without-steroid",
    ),
    pytest.param(
        setting("procedure.sedation", "deep"),
        "procedure.sedation: 'deep' is not one of",
        id="bad-sedation",
    ),
    pytest.param(
        setting("procedure.start", "08:00"),
        "procedure.start: is not a field here",
        id="unknown-procedure-field",
    ),
    pytest.param(
        setting("diabetes", {"has": False, "uses_insulin": True}),
        "diabetes.uses_insulin: is true but diabetes.has is false",
        id="insulin-without-diabetes",
    ),
    pytest.param(setting("diabetes", {}), "diabetes.has: is required", id="diabetes-has-missing"),
    pytest.param(
        setting("medicines", "Eliquis"), "medicines: must be a list", id="medicines-not-list"
    ),
    pytest.param(
        setting("medicines.1", "atorvastatin"),
        "medicines[1]: must be a JSON object",
        id="medicine-not-object",
    ),
    pytest.param(
        setting("medicines.2.name", " "), "medicines[2].name: is required", id="medicine-name-blank"
    ),
    pytest.param(
        setting("medicines.2.name", 81),
        "medicines[2].name: must be text",
        id="medicine-name-number",
    ),
    pytest.param(
        setting("medicines.0.strength", "5"),
        "medicines[0].strength: is not a field here",
        id="medicine-unknown-field",
    ),
    pytest.param(
        setting("allergies", [{"substance": "latex", "kind": "skin"}]),
        "allergies[0].kind: 'skin' is not one of",
        id="allergy-kind",
    ),
    pytest.param(
        setting("allergies", [{"kind": "food"}]),
        "allergies[0].substance: is required",
        id="allergy-substance",
    ),
    pytest.param(
        setting("past_reactions", [{"to": "contrast", "description": ""}]),
        "past_reactions[0].description: is required",
        id="reaction-description",
    ),
    pytest.param(
        setting("fever_recent", {"max_temperature": 38.5, "unit": "K", "on": "2026-03-08"}),
        "fever_recent.unit: 'K' is not one of",
        id="fever-unit",
    ),
    pytest.param(
        setting("fever_recent", {"max_temperature": "high", "unit": "C", "on": "2026-03-08"}),
        "fever_recent.max_temperature: 'high' is not a number",
        id="fever-not-number",
    ),
    pytest.param(
        setting("fever_recent", {"max_temperature": 38.5, "unit": "C", "on": "last week"}),
        "fever_recent.on: 'last week' is not a date",
        id="fever-date",
    ),
    pytest.param(
        setting("fever_recent", {"max_temperature": 38.5, "unit": "F", "on": "2026-03-08"}),
        "fever_recent.max_temperature: 38.5 °F is not a body temperature",
        id="fever-wrong-unit",
    ),
    pytest.param(
        setting("fever_recent", {"max_temperature": 38.5, "unit": "C", "on": "2026-03-12"}),
        "fever_recent.on: 2026-03-12 is after the procedure day",
        id="fever-after-procedure",
    ),
    pytest.param(
        setting("recent_illness", {"last_symptoms_on": None}),
        "recent_illness.description: is required",
        id="illness-description",
    ),
    pytest.param(
        setting("kidney_function_impaired", "unknown"),
        "kidney_function_impaired: 'unknown' must be true or false",
        id="kidney-not-boolean",
    ),
    pytest.param(
        setting("clinician_decisions", [{**DECISION, "at": "2026-03-02T10:00:00"}]),
        "clinician_decisions[0].at: '2026-03-02T10:00:00' has no UTC offset",
        id="decision-naive-time",
    ),
    pytest.param(
        setting("clinician_decisions", [{**DECISION, "decision": "stop"}]),
        "clinician_decisions[0].decision: 'stop' is not one of",
        id="decision-kind",
    ),
    pytest.param(
        setting("clinician_decisions", [{**DECISION, "by": ""}]),
        "clinician_decisions[0].by: is required",
        id="decision-by",
    ),
    pytest.param(
        setting("clinician_decisions", [{**DECISION, "confirmed_with_prescriber": "yes"}]),
        "clinician_decisions[0].confirmed_with_prescriber: 'yes' must be true or false",
        id="decision-confirmed",
    ),
    pytest.param(
        setting("clinician_decisions", [{**DECISION, "medicine": "Plavix"}]),
        "clinician_decisions[0].medicine: 'Plavix' is not a blood thinner or GLP-1 medicine on the list",
        id="decision-unlisted",
    ),
    pytest.param(
        setting("clinician_decisions", [{**DECISION, "regimen": "weekly"}]),
        "clinician_decisions[0].regimen: apixaban has no regimen 'weekly'",
        id="decision-regimen",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD_FIELDS)
def test_bad_field_exits_2_naming_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    doc = example()
    change(doc)
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = run(["screen", "--intake", str(path), "--procedure-time", TIME], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {path}: {message}"), err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("time", "message"),
    [
        pytest.param(
            "2026-03-10T08:00:00",
            "--procedure-time: '2026-03-10T08:00:00' has no UTC offset (add one, like -08:00 or Z)",
            id="naive",
        ),
        pytest.param(
            "tomorrow 8am",
            "--procedure-time: 'tomorrow 8am' is not an ISO 8601 date-time",
            id="not-iso",
        ),
    ],
)
def test_bad_procedure_time_exits_2(
    capsys: pytest.CaptureFixture[str], time: str, message: str
) -> None:
    argv = ["screen", "--intake", str(EXAMPLES / "intake-ready.json"), "--procedure-time", time]
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert err == f"error: {message}\n"


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nope.json"
    code, _, err = run(["screen", "--intake", str(path), "--procedure-time", TIME], capsys)
    assert code == 2
    assert err == f"error: {path}: no such file\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('{\n  "procedure": ', "intake.json:2: not valid JSON", id="broken-json"),
        pytest.param("[]", "intake.json: must hold a JSON object", id="not-an-object"),
    ],
)
def test_unreadable_intake_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / "intake.json"
    path.write_text(text, encoding="utf-8")
    code, _, err = run(["screen", "--intake", str(path), "--procedure-time", TIME], capsys)
    assert code == 2
    assert err.startswith(f"error: {tmp_path}/{message}")


def test_missing_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["screen", "--intake", str(EXAMPLES / "intake-ready.json")], capsys)
    assert code == 2
    assert "--procedure-time" in err


def test_bad_clinic_setting_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text(
        '[overrides]\n"fasting.solid_food_cutoff_local" = "midnight"\n', encoding="utf-8"
    )
    intake = str(EXAMPLES / "intake-sedation-diabetes.json")
    argv = ["--clinic-config", str(config), "screen", "--intake", intake, "--procedure-time", TIME]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert err == "error: fasting.solid_food_cutoff_local: 'midnight' is not a time like 00:00\n"
