"""`sijcare diary analyze | compare | schedule`, run in-process on the examples and on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sijcare.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DIAGNOSTIC = EXAMPLES / "procedure-diagnostic.json"
DIAGNOSTIC_DIARY = EXAMPLES / "diary-diagnostic.csv"
BUPIVACAINE = EXAMPLES / "procedure-diagnostic-bupivacaine.json"
BUPIVACAINE_DIARY = EXAMPLES / "diary-diagnostic-bupivacaine.csv"
THERAPEUTIC = EXAMPLES / "procedure-therapeutic.json"
THERAPEUTIC_DIARY = EXAMPLES / "diary-therapeutic.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> Any:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def analyze(*extra: str | Path) -> list[str | Path]:
    return ["diary", "analyze", "--procedure", DIAGNOSTIC, "--diary", DIAGNOSTIC_DIARY, *extra]


def test_analyze_diagnostic_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *analyze())
    assert code == 0
    assert "Result         POSITIVE" in out
    assert "Relief >= 75%  at least 1 h, less than 2 h after the injection" in out


def test_analyze_diagnostic_json(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, *analyze())
    assert result["classification"] == "positive"
    assert result["peak_relief_percent"] == pytest.approx(600 / 7)
    assert result["peak_at"] == "2026-03-02T09:30:00-08:00"
    assert len(result["scores_used"]) == 5
    assert result["relief_duration"]["since_injection"] == {"at_least": 1.0, "less_than": 2.0}
    assert result["provenance"]["overrides"] == {}
    assert result["rule_version"] == "diagnostic-block/1"


def test_threshold_override_is_recorded(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, *analyze("--threshold", "90"))
    assert result["classification"] == "indeterminate"
    assert result["provenance"]["overrides"] == {"diagnostic.positive_threshold_percent": 90}


@pytest.mark.parametrize("value", ["0", "101", "abc", "75.5"])
def test_bad_threshold_exits_2_naming_it(capsys: pytest.CaptureFixture[str], value: str) -> None:
    code, _, err = run(capsys, *analyze("--threshold", value))
    assert code == 2
    assert "--threshold" in err


def test_threshold_on_a_therapeutic_injection_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(
        capsys, "diary", "analyze", "--procedure", THERAPEUTIC, "--diary", THERAPEUTIC_DIARY,
        "--threshold", "80",
    )  # fmt: skip
    assert code == 2
    assert "--threshold" in err


def test_analyze_therapeutic_json(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(
        capsys, "diary", "analyze", "--procedure", THERAPEUTIC, "--diary", THERAPEUTIC_DIARY
    )
    assert result["flare_detected"] is True
    assert result["milestones"] == {"2w": 75.0, "6w": 62.5, "3m": 25.0}
    assert result["responders"] == {"2w": True, "6w": True, "3m": False}
    assert result["onset_day"] == 4
    assert result["sustained_relief_weeks"] == {"at_least": 9.05, "less_than": 10.05}


def test_analyze_therapeutic_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "diary", "analyze", "--procedure", THERAPEUTIC, "--diary", THERAPEUTIC_DIARY
    )
    assert code == 0
    assert "Milestone 3m     25% on day 90 (not a responder" in out
    assert "Steroid flare    yes" in out


def compare(*blocks: Path) -> list[str | Path]:
    first, first_diary, second, second_diary = blocks
    return [
        "diary", "compare", "--first", first, "--first-diary", first_diary,
        "--second", second, "--second-diary", second_diary,
    ]  # fmt: skip


def test_compare_examples(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(
        capsys, *compare(DIAGNOSTIC, DIAGNOSTIC_DIARY, BUPIVACAINE, BUPIVACAINE_DIARY)
    )
    assert result["status"] == "confirmed"
    assert result["concordance"] == "concordant"
    assert result["caveat_source"] == "inpm-2022-diary"
    assert result["short_acting"]["anesthetic"] == "lidocaine"
    code, out, _ = run(
        capsys, *compare(BUPIVACAINE, BUPIVACAINE_DIARY, DIAGNOSTIC, DIAGNOSTIC_DIARY)
    )
    assert code == 0
    assert "CONFIRMED" in out and "Caution:" in out


def test_compare_two_short_acting_blocks_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    earlier = edited(
        tmp_path,
        DIAGNOSTIC,
        performed_at="2026-02-16T09:00:00-08:00",
        observation_end=None,
        discharged_at=None,
    )
    code, _, err = run(capsys, *compare(earlier, DIAGNOSTIC_DIARY, DIAGNOSTIC, DIAGNOSTIC_DIARY))
    assert code == 2
    assert f"--second {DIAGNOSTIC}: anesthetic.agent" in err
    assert "one short- and one long-acting" in err


def test_compare_one_block_twice_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *compare(DIAGNOSTIC, DIAGNOSTIC_DIARY, DIAGNOSTIC, DIAGNOSTIC_DIARY))
    assert code == 2
    assert "same time as the first block" in err


def test_compare_other_side_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    right = edited(tmp_path, BUPIVACAINE, side="right")
    code, _, err = run(capsys, *compare(DIAGNOSTIC, DIAGNOSTIC_DIARY, right, BUPIVACAINE_DIARY))
    assert code == 2
    assert "side" in err and "same joint" in err


def test_compare_therapeutic_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, *compare(THERAPEUTIC, THERAPEUTIC_DIARY, BUPIVACAINE, BUPIVACAINE_DIARY)
    )
    assert code == 2
    assert f"--first {THERAPEUTIC}: kind" in err


def test_schedule_report_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diary", "schedule", "--procedure", DIAGNOSTIC)
    assert code == 0
    assert "Mon 2026-03-02 09:15 PST  anesthetic window  15 minutes after" in out
    result = run_json(capsys, "diary", "schedule", "--procedure", THERAPEUTIC)
    assert result["time_zone"] == "America/Los_Angeles"
    milestones = [p for p in result["prompts"] if p["milestone"]]
    assert [(p["day"], p["due_at"]) for p in milestones] == [
        (14, "2026-04-20T18:00:00-07:00"),
        (42, "2026-05-18T18:00:00-07:00"),
        (90, "2026-07-05T18:00:00-07:00"),
    ]


def test_schedule_in_another_time_zone(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(
        capsys, "diary", "schedule", "--procedure", DIAGNOSTIC, "--time-zone", "America/New_York"
    )
    assert result["prompts"][0]["due_at"] == "2026-03-02T12:15:00-05:00"


def test_schedule_of_a_planned_injection(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(
        capsys, "diary", "schedule", "--at", "2026-03-08T01:30:00-08:00",
        "--kind", "diagnostic", "--anesthetic", "Marcaine",
    )  # fmt: skip
    assert result["anesthetic"] == "bupivacaine"
    assert result["prompts"][1]["due_at"] == "2026-03-08T03:00:00-07:00"


SCHEDULE_REFUSED = [
    pytest.param(["--procedure", DIAGNOSTIC, "--time-zone", "Mars"], "--time-zone", id="zone"),
    pytest.param(["--at", "2026-03-08T01:30:00-08:00"], "--procedure", id="incomplete-plan"),
    pytest.param(
        ["--at", "2026-03-08T01:30", "--kind", "diagnostic", "--anesthetic", "lidocaine"],
        "--at",
        id="plan-without-offset",
    ),
    pytest.param(
        ["--at", "2026-03-08T01:30-08:00", "--kind", "x", "--anesthetic", "lidocaine"],
        "--kind",
        id="plan-bad-kind",
    ),
    pytest.param(
        ["--at", "2026-03-08T01:30-08:00", "--kind", "diagnostic", "--anesthetic", "procaine"],
        "--anesthetic",
        id="plan-unknown-anesthetic",
    ),
]


@pytest.mark.parametrize(("args", "named"), SCHEDULE_REFUSED)
def test_schedule_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], args: list[str | Path], named: str
) -> None:
    code, _, err = run(capsys, "diary", "schedule", *args)
    assert code == 2
    assert named in err


def edited(tmp_path: Path, source: Path, **changes: Any) -> Path:
    doc = json.loads(source.read_text(encoding="utf-8")) | changes
    path = tmp_path / source.name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def diary_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "diary.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "recorded_at,pain\n"
OK = "2026-03-02T09:30:00-08:00,2\n"

BAD_DIARIES = [
    pytest.param("", "diary.csv:1", "missing the header", id="empty-file"),
    pytest.param("recorded_at,note\n", "diary.csv:1", "missing column 'pain'", id="no-pain"),
    pytest.param("pain\n", "diary.csv:1", "missing column 'recorded_at'", id="no-time"),
    pytest.param("recorded_at,pain,mood\n", "diary.csv:1", "unknown column 'mood'", id="extra"),
    pytest.param("recorded_at,pain,pain\n", "diary.csv:1", "appears twice", id="twice"),
    pytest.param(HEADER + OK + "2026-03-02T10:00:00-08:00,seven\n", "diary.csv:3", "whole number",
                 id="pain-not-a-number"),
    pytest.param(HEADER + "2026-03-02T10:00:00-08:00,7.5\n", "diary.csv:2", "whole number",
                 id="pain-not-whole"),
    pytest.param(HEADER + "2026-03-02T10:00:00-08:00,11\n", "diary.csv:2", "outside 0 to 10",
                 id="pain-above-10"),
    pytest.param(HEADER + "2026-03-02T10:00:00-08:00,-1\n", "diary.csv:2", "outside 0 to 10",
                 id="pain-below-0"),
    pytest.param(HEADER + "2026-03-02T10:00:00,3\n", "diary.csv:2", "no UTC offset",
                 id="time-without-offset"),
    pytest.param(HEADER + "yesterday,3\n", "diary.csv:2", "not an ISO 8601", id="not-a-time"),
    pytest.param(HEADER + "2026-03-02T08:59:00-08:00,3\n", "diary.csv:2", "before the injection",
                 id="before-injection"),
    pytest.param(HEADER + OK + "2026-03-02T17:30:00+00:00,4\n", "diary.csv:3",
                 "same time as line 2", id="duplicate-instant"),
    pytest.param(HEADER + "2026-03-02T10:00:00-08:00,3,extra\n", "diary.csv:2",
                 "expected 2 values, found 3", id="too-many-values"),
    pytest.param("recorded_at,pain,activity_done\n2026-03-02T10:00:00-08:00,3,maybe\n",
                 "diary.csv:2", "yes or no", id="activity-not-yes-no"),
    pytest.param(HEADER + '2026-03-02T10:00:00-08:00,"3\n', "diary.csv:", "not valid CSV",
                 id="unclosed-quote"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "where", "message"), BAD_DIARIES)
def test_bad_diary_exits_2_naming_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, where: str, message: str
) -> None:
    path = diary_file(tmp_path, text)
    code, out, err = run(capsys, "diary", "analyze", "--procedure", DIAGNOSTIC, "--diary", path)
    assert code == 2
    assert out == ""
    assert f"{tmp_path / where}" in err
    assert message in err
    assert "Traceback" not in err


def test_header_only_diary_is_insufficient_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = diary_file(tmp_path, "recorded_at,pain,note,activity_done\n")
    result = run_json(capsys, "diary", "analyze", "--procedure", DIAGNOSTIC, "--diary", path)
    assert result["classification"] == "insufficient_data"
    assert [w["code"] for w in result["warnings"]] == ["no_scores_in_window"]


def test_columns_in_any_order_and_a_byte_order_mark(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = '\ufeffnote,pain,recorded_at\n"Sitting, fine",1,2026-03-02T09:30:00-08:00\n\n'
    path = diary_file(tmp_path, text)
    result = run_json(capsys, "diary", "analyze", "--procedure", DIAGNOSTIC, "--diary", path)
    assert result["scores_used"][0]["note"] == "Sitting, fine"
    assert result["classification"] == "positive"


BAD_PROCEDURES = [
    pytest.param({"baseline_pain": 0}, "baseline_pain", id="baseline-zero"),
    pytest.param(
        {"anesthetic": {"agent": "procaine", "concentration_percent": 1, "volume_ml": 2}},
        "anesthetic.agent",
        id="unknown-anesthetic",
    ),
    pytest.param({"performed_at": "2026-03-02T09:00:00"}, "performed_at", id="no-offset"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_PROCEDURES)
def test_bad_procedure_exits_2_naming_the_file_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, changes: dict[str, Any], field: str
) -> None:
    path = edited(tmp_path, DIAGNOSTIC, **changes)
    code, _, err = run(capsys, "diary", "analyze", "--procedure", path, "--diary", DIAGNOSTIC_DIARY)
    assert code == 2
    assert f"{path}: {field}" in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    code, _, err = run(capsys, "diary", "analyze", "--procedure", DIAGNOSTIC, "--diary", missing)
    assert code == 2
    assert f"{missing}: no such file" in err


def test_clinic_config_threshold_is_used(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text('[overrides]\n"diagnostic.positive_threshold_percent" = 100\n', "utf-8")
    result = run_json(capsys, "--clinic-config", config, *analyze())
    assert result["classification"] == "indeterminate"
    assert result["provenance"]["overrides"] == {"diagnostic.positive_threshold_percent": 100}


def test_misspelt_procedure_field_is_refused_not_ignored(tmp_path: Path) -> None:
    import json

    from sijcare.cli import main

    doc = json.loads((EXAMPLES / "procedure-diagnostic.json").read_text())
    doc["sedaton"] = "moderate"
    bad = tmp_path / "procedure.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "diary",
                "analyze",
                "--procedure",
                str(bad),
                "--diary",
                str(EXAMPLES / "diary-diagnostic.csv"),
            ]
        )
    assert exc.value.code == 2
