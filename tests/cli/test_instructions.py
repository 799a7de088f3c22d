"""`sijcare instructions --plan PLAN.json --kind preparation|aftercare [--diabetes] [--json]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sijcare.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLAN = str(EXAMPLES / "plan.json")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(["instructions", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def plan_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(Path(PLAN).read_text(encoding="utf-8"))
    return doc


def write(tmp_path: Path, doc: Any) -> str:
    path = tmp_path / "plan.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


def test_preparation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--plan", PLAN, "--kind", "preparation")
    assert (code, err) == (0, "")
    assert out.startswith("Getting ready for your SI joint injection\n")
    assert "Please arrive by 8:30 am" in out
    assert "you may eat and drink as usual" in out


def test_aftercare_with_diabetes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--plan", PLAN, "--kind", "aftercare", "--diabetes")
    assert code == 0
    assert out.startswith("After your SI joint injection\n")
    assert "Blood sugar (diabetes):" in out
    assert "The times below assume your injection starts at 9:00 am" in out


def test_aftercare_without_diabetes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--plan", PLAN, "--kind", "aftercare")
    assert code == 0
    assert "Blood sugar" not in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--plan", PLAN, "--kind", "aftercare", "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["kind"] == "aftercare"
    assert doc["procedure_at"] == "2026-03-02T09:00:00-08:00"
    flare = next(i for s in doc["sections"] for i in s["items"] if i["code"] == "flare")
    assert flare["at"] == "2026-03-02T15:00:00-08:00"
    assert doc["provenance"]["rules"]["instructions.no_soaking_days"] == 2


def test_time_zone_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--plan", PLAN, "--kind", "preparation", "--time-zone", "America/New_York"
    )
    assert code == 0
    assert "Please arrive by 11:30 am" in out


def test_sedation_plan_gets_fasting(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = plan_doc()
    doc["sedation"] = "moderate"
    code, out, _ = run(capsys, "--plan", write(tmp_path, doc), "--kind", "preparation")
    assert code == 0
    assert "Do not eat anything after midnight on Sunday night" in out
    assert "cannot go ahead without a driver" in out


BAD_FIELDS = [
    pytest.param("scheduled_at", None, "scheduled_at", id="no-time"),
    pytest.param("scheduled_at", "2026-03-02T09:00:00", "scheduled_at", id="time-no-offset"),
    pytest.param("kind", "block", "kind", id="bad-kind"),
    pytest.param("side", "middle", "side", id="bad-side"),
    pytest.param("anesthetic_agent", "cocaine", "anesthetic_agent", id="unknown-anesthetic"),
    pytest.param("steroid_agent", None, "steroid_agent", id="therapeutic-without-steroid"),
    pytest.param("sedation", "deep", "sedation", id="bad-sedation"),
    pytest.param("contrast_planned", "yes", "contrast_planned", id="contrast-not-bool"),
    pytest.param("colour", "blue", "colour", id="unknown-field"),
]


@pytest.mark.parametrize(("field", "value", "where"), BAD_FIELDS)
def test_bad_plan(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, field: str, value: Any, where: str
) -> None:
    doc = plan_doc()
    doc[field] = value
    file = write(tmp_path, doc)
    code, out, err = run(capsys, "--plan", file, "--kind", "aftercare")
    assert code == 2
    assert out == ""
    assert f"error: {file}: {where}: " in err
    assert len(err.strip().splitlines()) == 1


BAD_FILES = [
    pytest.param("{", ":1: not valid JSON", id="invalid-json"),
    pytest.param('"plan"', "must hold a JSON object", id="not-an-object"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    file = write(tmp_path, text)
    code, _, err = run(capsys, "--plan", file, "--kind", "preparation")
    assert code == 2
    assert file in err and message in err


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--plan", str(tmp_path / "nope.json"), "--kind", "preparation")
    assert code == 2
    assert "nope.json: no such file" in err


BAD_OPTIONS = [
    pytest.param(["--kind", "during"], "--kind", id="bad-kind"),
    pytest.param(["--kind", "aftercare", "--time-zone", "Mars/Olympus"], "--time-zone: ", id="tz"),
    pytest.param([], "--kind", id="kind-missing"),
]


@pytest.mark.parametrize(("options", "message"), BAD_OPTIONS)
def test_bad_options(capsys: pytest.CaptureFixture[str], options: list[str], message: str) -> None:
    code, out, err = run(capsys, "--plan", PLAN, *options)
    assert code == 2
    assert out == ""
    assert message in err


def test_intake_adds_confirmed_actions(capsys: pytest.CaptureFixture[str]) -> None:
    intake = str(EXAMPLES / "intake-blood-thinner-confirmed.json")
    code, out, _ = run(capsys, "--plan", PLAN, "--kind", "preparation", "--intake", intake)
    assert code == 0
    assert ": Take your last dose of apixaban" in out
    code, out, _ = run(capsys, "--plan", PLAN, "--kind", "aftercare", "--intake", intake)
    assert code == 0
    assert ": Start apixaban (Eliquis) again" in out


def test_intake_diabetes_adds_blood_sugar(capsys: pytest.CaptureFixture[str]) -> None:
    intake = str(EXAMPLES / "intake-sedation-diabetes.json")
    code, out, _ = run(capsys, "--plan", PLAN, "--kind", "aftercare", "--intake", intake)
    assert code == 0
    assert "Blood sugar (diabetes):" in out


def test_bad_intake_names_the_file_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    doc = json.loads((EXAMPLES / "intake-ready.json").read_text(encoding="utf-8"))
    doc["driver_arranged"] = "yes"
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = run(capsys, "--plan", PLAN, "--kind", "preparation", "--intake", str(path))
    assert code == 2
    assert out == ""
    assert f"error: {path}: driver_arranged: " in err
