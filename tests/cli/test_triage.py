"""`sijcare triage --report REPORT.json [--json]`: the examples, and every bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sijcare.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def example() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((EXAMPLES / "report-expected.json").read_text("utf-8"))
    return doc


@pytest.mark.parametrize(
    ("name", "disposition", "contact"),
    [
        ("report-expected.json", "expected", "help_line"),
        ("report-call-now.json", "call_now", "after_hours"),
        ("report-emergency.json", "emergency", "emergency"),
    ],
)
def test_examples_as_json(
    capsys: pytest.CaptureFixture[str], name: str, disposition: str, contact: str
) -> None:
    code, out, err = run(["triage", "--report", str(EXAMPLES / name), "--json"], capsys)
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["disposition"] == disposition
    assert result["contact"]["kind"] == contact
    assert result["contact"]["number"]
    assert result["reasons"] and all(r["code"] and r["source"] for r in result["reasons"])
    assert result["provenance"]["knowledge_version"]
    assert result["provenance"]["rules"]["clinic.help_line_opens"] == "06:00"


def test_readable_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["triage", "--report", str(EXAMPLES / "report-call-now.json")], capsys)
    assert code == 0
    assert out.startswith("Call the clinic now (call_now)")
    assert "What to do now:" in out
    assert "[call_now] fever:" in out
    assert "Contact: After-hours line (doctor on call), +1 310-555-0199" in out
    assert "Wednesday, March 4 at 10:30 pm" in out


def test_clinic_override_is_used_and_shown(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text('[overrides]\n"clinic.help_line_closes" = "23:00"\n', encoding="utf-8")
    argv = ["--clinic-config", str(config), "triage", "--report"]
    code, out, _ = run([*argv, str(EXAMPLES / "report-call-now.json")], capsys)
    assert code == 0
    assert "Contact: Clinic help line" in out
    assert "clinic.help_line_closes = '23:00'" in out


def _write(tmp_path: Path, doc: Any) -> Path:
    path = tmp_path / "REPORT.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def _with(path: str, value: Any) -> dict[str, Any]:
    """The expected example, with only a pain score as symptoms, and `path` (dotted) set
    to `value` (or removed when `value` is ...)."""
    doc = {**example(), "symptoms": {"pain": 7}}
    *parents, last = path.split(".")
    target = doc
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return doc


BAD = [
    pytest.param("{", "REPORT.json:1", id="not-json"),
    pytest.param("[]", "must hold a JSON object", id="not-an-object"),
    pytest.param(_with("procedure", ...), "procedure: is required", id="no-procedure"),
    pytest.param(_with("procedure", "x"), "procedure: must be an object", id="procedure-not-object"),
    pytest.param(_with("procedure.anesthetic.agent", "novocaine"), "procedure.anesthetic.agent: unknown", id="unknown-agent"),
    pytest.param(_with("procedure.baseline_pain", 11), "procedure.baseline_pain", id="bad-baseline"),
    pytest.param(_with("reported_at", ...), "reported_at: is required", id="no-reported-at"),
    pytest.param(_with("reported_at", "2026-03-02T20:30:00"), "reported_at: '2026-03-02T20:30:00' has no UTC offset", id="naive-time"),
    pytest.param(_with("reported_at", "2026-03-02T08:59:00-08:00"), "reported_at: is before the injection", id="before-injection"),
    pytest.param(_with("surprise", 1), "surprise: is not a known field", id="unknown-top-key"),
    pytest.param(_with("symptoms", []), "symptoms: must be an object", id="symptoms-not-object"),
    pytest.param(_with("symptoms.temprature_c", 39), "symptoms.temprature_c: is not a known field", id="misspelt-symptom"),
    pytest.param(_with("symptoms.temperature_c", "hot"), "symptoms.temperature_c: 'hot' is not a number", id="temperature-text"),
    pytest.param(_with("symptoms.temperature_c", 100.4), "symptoms.temperature_c: 100.4 °C is outside 30-45 °C", id="fahrenheit-as-celsius"),
    pytest.param(_with("symptoms.temperature_f", 150), "symptoms.temperature_f: 150 °F", id="temperature-f-out-of-range"),
    pytest.param(_with("symptoms", {"temperature_c": 38, "temperature_f": 100.4}), "symptoms.temperature_f: give temperature_c or temperature_f", id="both-temperatures"),
    pytest.param(_with("symptoms.pain", 11), "symptoms.pain: 11 is outside 0 to 10", id="pain-11"),
    pytest.param(_with("symptoms.pain", 7.5), "symptoms.pain", id="pain-not-whole"),
    pytest.param(_with("symptoms.hives", "yes"), "symptoms.hives: 'yes' must be true or false", id="flag-not-bool"),
    pytest.param(_with("symptoms.pain_controlled_by_usual_medicines", "no"), "symptoms.pain_controlled_by_usual_medicines", id="controlled-not-bool"),
    pytest.param(_with("symptoms.leg_weakness", "a bit"), "symptoms.leg_weakness: must be true, false or", id="leg-not-form"),
    pytest.param(_with("symptoms.leg_weakness", {"sinse": "x"}), "symptoms.leg_weakness.sinse: is not a known field", id="leg-unknown-key"),
    pytest.param(_with("symptoms.leg_weakness", {"since": "2026-03-02T22:00:00-08:00"}), "symptoms.leg_weakness.since: is after the time of the report", id="leg-since-after-report"),
    pytest.param(_with("symptoms.leg_numbness", {"since": "noon"}), "symptoms.leg_numbness.since", id="leg-since-not-time"),
    pytest.param(_with("symptoms.blood_sugar_mg_dl", 2000), "symptoms.blood_sugar_mg_dl: 2000 mg/dL is outside", id="sugar-too-high"),
    pytest.param(_with("symptoms.blood_sugar_mmol_l", 0.3), "symptoms.blood_sugar_mmol_l: 0.3 mmol/L", id="mmol-too-low"),
    pytest.param(_with("symptoms", {"blood_sugar_mmol_l": 9, "blood_sugar_mg_dl": 160}), "give blood_sugar_mg_dl or blood_sugar_mmol_l", id="both-sugars"),
    pytest.param(_with("symptoms.note", 5), "symptoms.note: must be text", id="note-not-text"),
]  # fmt: skip


@pytest.mark.parametrize(("doc", "message"), BAD)
def test_bad_report_exits_2_naming_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, doc: Any, message: str
) -> None:
    path = _write(tmp_path, doc)
    code, out, err = run(["triage", "--report", str(path)], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith(f"error: {path}")
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(["triage", "--report", str(tmp_path / "none.json")], capsys)
    assert code == 2
    assert "none.json: no such file" in err


def test_report_option_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["triage"], capsys)
    assert code == 2
    assert "--report" in err
