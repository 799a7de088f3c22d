"""`sijcare plan --history HISTORY.json [--payer] [--today] [--json]`."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sijcare.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(
    capsys: pytest.CaptureFixture[str], *args: str, before: tuple[str, ...] = ()
) -> tuple[int, str, str]:
    """Run `sijcare [before...] plan args...`: exit status, stdout, stderr."""
    try:
        main([*before, "plan", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def base() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (EXAMPLES / "history-positive-block.json").read_text(encoding="utf-8")
    )
    return doc


def write(tmp_path: Path, doc: Any) -> str:
    path = tmp_path / "history.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


EXAMPLE_STEPS = [
    pytest.param("history-positive-block.json", "comparative_confirmatory_block", id="positive"),
    pytest.param("history-therapeutic-responder.json", "repeat_injection", id="responder"),
    pytest.param("history-negative.json", "look_for_another_pain_source", id="negative"),
]


@pytest.mark.parametrize(("name", "step"), EXAMPLE_STEPS)
def test_examples(capsys: pytest.CaptureFixture[str], name: str, step: str) -> None:
    code, out, err = run(capsys, "--history", str(EXAMPLES / name))
    assert (code, err) == (0, "")
    assert f"({step})" in out.splitlines()[0]
    assert "Eligibility under Medicare LCD" in out
    assert "Knowledge " in out


def test_default_today_is_the_latest_record_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--history", str(EXAMPLES / "history-positive-block.json"))
    assert code == 0
    assert "Planned for 2026-03-03 (the day of the latest diary entry or procedure" in out


def test_today_from_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "history-therapeutic-responder.json")
    code, out, _ = run(capsys, "--history", path)
    assert code == 0
    assert "Planned for 2026-04-24 (the history's `today`)" in out
    assert "Earliest next therapeutic injection: 2026-04-24" in out


def test_today_option_wins(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "history-therapeutic-responder.json")
    code, out, _ = run(capsys, "--history", path, "--today", "2026-05-01", "--json")
    doc = json.loads(out)
    assert code == 0
    assert (doc["today"], doc["today_from"]) == ("2026-05-01", "option")
    assert doc["plan"]["earliest_date"] == "2026-05-01"


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "history-therapeutic-responder.json")
    code, out, _ = run(capsys, "--history", path, "--payer", "evicore", "--json")
    doc = json.loads(out)
    plan = doc["plan"]
    assert code == 0
    assert plan["step"] == "no_repeat"
    assert plan["eligibility"]["payer"] == "evicore"
    assert plan["provenance"]["knowledge_version"]
    assert plan["provenance"]["inputs"]["payer_profile"]["repeat_min_relief_percent"] == 75
    assert {c["code"] for c in plan["eligibility"]["criteria"]} >= {
        "repeat_sustained_relief",
        "therapeutic_interval",
    }
    assert [r["outcome"] for r in plan["readings"]][:2] == ["positive", "positive"]


def test_clinic_override_is_used_and_recorded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text(
        '[overrides]\n"next_steps.require_confirmatory_block" = false\n', encoding="utf-8"
    )
    path = str(EXAMPLES / "history-positive-block.json")
    code, out, _ = run(capsys, "--history", path, "--json")
    assert json.loads(out)["plan"]["step"] == "comparative_confirmatory_block"
    code, out, err = run(
        capsys, "--history", path, "--json", before=("--clinic-config", str(config))
    )
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["plan"]["step"] == "therapeutic_injection"
    assert doc["plan"]["provenance"]["overrides"] == {
        "next_steps.require_confirmatory_block": False
    }


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    target: Any = out
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


_DELETE = object()
FIRST = ("procedures", 0)
ENTRY = (*FIRST, "diary", 1)

BAD_DOCS = [
    pytest.param(("procedures",), _DELETE, "procedures", id="no-procedures"),
    pytest.param(("procedures",), [], "procedures", id="empty-procedures"),
    pytest.param(FIRST, "block", "procedures[0]", id="procedure-not-object"),
    pytest.param((*FIRST, "kind"), "test", "procedures[0].kind", id="bad-kind"),
    pytest.param(
        (*FIRST, "anesthetic", "agent"),
        "cocaine",
        "procedures[0].anesthetic.agent",
        id="unknown-anesthetic",
    ),
    pytest.param((*FIRST, "baseline_pain"), 0, "procedures[0].baseline_pain", id="baseline-0"),
    pytest.param((*FIRST, "diary"), {"pain": 3}, "procedures[0].diary", id="diary-not-list"),
    pytest.param((*FIRST, "diary", 0), 3, "procedures[0].diary[0]", id="entry-not-object"),
    pytest.param((*ENTRY, "pain"), 11, "procedures[0].diary[1].pain", id="pain-11"),
    pytest.param((*ENTRY, "pain"), -1, "procedures[0].diary[1].pain", id="pain-negative"),
    pytest.param((*ENTRY, "pain"), "3", "procedures[0].diary[1].pain", id="pain-text"),
    pytest.param((*ENTRY, "pain"), 3.5, "procedures[0].diary[1].pain", id="pain-fraction"),
    pytest.param((*ENTRY, "pain"), True, "procedures[0].diary[1].pain", id="pain-bool"),
    pytest.param((*ENTRY, "pain"), _DELETE, "procedures[0].diary[1].pain", id="pain-missing"),
    pytest.param(
        (*ENTRY, "recorded_at"),
        "2026-03-02T09:30:00",
        "procedures[0].diary[1].recorded_at",
        id="time-without-offset",
    ),
    pytest.param(
        (*ENTRY, "recorded_at"),
        _DELETE,
        "procedures[0].diary[1].recorded_at",
        id="time-missing",
    ),
    pytest.param(
        (*ENTRY, "recorded_at"),
        "2026-03-02T08:59:00-08:00",
        "procedures[0].diary[1].recorded_at",
        id="entry-before-injection",
    ),
    pytest.param(
        (*ENTRY, "recorded_at"),
        "2026-03-02T17:15:00Z",
        "procedures[0].diary[1].recorded_at",
        id="duplicate-instant-other-offset",
    ),
    pytest.param((*ENTRY, "pian"), 3, "procedures[0].diary[1].pian", id="unknown-entry-field"),
    pytest.param((*ENTRY, "note"), 7, "procedures[0].diary[1].note", id="note-not-text"),
    pytest.param(
        (*ENTRY, "activity_done"), "yes", "procedures[0].diary[1].activity_done", id="activity"
    ),
    pytest.param(
        (*FIRST, "functional_gain"), "yes", "procedures[0].functional_gain", id="gain-not-bool"
    ),
    pytest.param(
        ("patient_has_contrast_allergy",), "no", "patient_has_contrast_allergy", id="allergy"
    ),
    pytest.param(("todya",), "2026-03-05", "todya", id="unknown-top-field"),
    pytest.param(("today",), "05/03/2026", "today", id="bad-today-in-file"),
    pytest.param(("today",), "2026-03-01", "today", id="today-before-latest-record"),
]


@pytest.mark.parametrize(("path", "value", "where"), BAD_DOCS)
def test_bad_history(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    path: tuple[Any, ...],
    value: Any,
    where: str,
) -> None:
    file = write(tmp_path, _set(base(), path, value))
    code, out, err = run(capsys, "--history", file)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert f" {where}: " in err or f"{file}: {where}: " in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_procedures_out_of_order(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = base()
    second = copy.deepcopy(doc["procedures"][0])
    second["performed_at"] = "2026-02-01T09:00:00-08:00"
    second["diary"] = []
    doc["procedures"].append(second)
    code, _, err = run(capsys, "--history", write(tmp_path, doc))
    assert code == 2
    assert "procedures[1].performed_at: is not after the procedure before it" in err


BAD_FILES = [
    pytest.param("{not json", ":1: not valid JSON", id="invalid-json"),
    pytest.param("[1, 2]", "must hold a JSON object", id="not-an-object"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    file = write(tmp_path, text)
    code, _, err = run(capsys, "--history", file)
    assert code == 2
    assert file in err and message in err


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--history", str(tmp_path / "nope.json"))
    assert code == 2
    assert "nope.json: no such file" in err


def test_bad_clinic_config_names_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text('[overrides]\n"referral.min_pain_months" = 0\n', encoding="utf-8")
    path = str(EXAMPLES / "history-positive-block.json")
    code, _, err = run(capsys, "--history", path, before=("--clinic-config", str(config)))
    assert code == 2
    assert f"{config}: overrides.referral.min_pain_months: must be at least 1" in err


BAD_OPTIONS = [
    pytest.param(["--today", "tomorrow"], "--today: ", id="bad-today"),
    pytest.param(["--today", "2026-03-01"], "today: 2026-03-01 is before", id="today-too-early"),
    pytest.param(["--payer", "acme"], "payer: unknown payer_profile 'acme'", id="unknown-payer"),
]


@pytest.mark.parametrize(("options", "message"), BAD_OPTIONS)
def test_bad_options(capsys: pytest.CaptureFixture[str], options: list[str], message: str) -> None:
    path = str(EXAMPLES / "history-positive-block.json")
    code, out, err = run(capsys, "--history", path, *options)
    assert code == 2
    assert out == ""
    assert message in err


def test_history_option_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 2
    assert "--history" in err
