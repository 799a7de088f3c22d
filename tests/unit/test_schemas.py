"""The JSON Schemas in docs/schemas/ and the parsers agree, and docs/cli.md is fresh.

Every example file passes its schema and its parser. Broken documents fail both: a
table of hand-written cases (a missing field, a wrong choice, an unknown field, a number
out of range, a time without an offset, a rule between fields), and every break the
schema itself describes, applied to each example (`schema_edits.breakages`). Every edge
of what a schema allows (`schema_edits.allowances`: an optional field left out or null,
each choice, the longest text, the bounds) passes the parser. So a schema and its parser
cannot drift apart in either direction.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from schema_edits import (
    DELETE,
    NAIVE,
    allowances,
    breakages,
    can_hold,
    edited,
    to_toml,
)

from sijcare import knowledge as loader
from sijcare.cli import cli
from sijcare.domain.consent import Question, plan_version
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.formats import schemas
from sijcare.formats.consent import parse_plan_text, parse_record_text
from sijcare.formats.diary import parse_diary_text
from sijcare.formats.history import parse_history_text
from sijcare.formats.intake import parse_intake_text
from sijcare.formats.procedure import parse_procedure_text
from sijcare.formats.report import parse_report_text
from sijcare.reference import render_cli_reference

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.is_file())

# RFC 3339 (the meaning of "date-time" in JSON Schema), read by Python's own parser for
# the calendar checks: jsonschema checks this format only with an optional package.
FORMATS = FormatChecker()
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_RFC3339.fullmatch(value)) and datetime.fromisoformat(value).tzinfo is not None


def _json(parse: Callable[..., object]) -> Callable[[Any, Knowledge, Path], object]:
    return lambda doc, k, tmp: parse(json.dumps(doc), k, what="file.json")


def _diary_row(row: Any, k: Knowledge, tmp: Path) -> object:
    out = io.StringIO()
    csv.writer(out).writerows([row.keys(), row.values()])
    return parse_diary_text(out.getvalue(), what="diary.csv")


def _consent(doc: Any, k: Knowledge, tmp: Path) -> object:
    return parse_record_text(json.dumps(doc), what="consent.json")


def _clinic_config(doc: Any, k: Knowledge, tmp: Path) -> object:
    path = tmp / "clinic.toml"
    path.write_text(to_toml(doc), encoding="utf-8")
    return loader.load(path)


@dataclass(frozen=True)
class Format:
    schema: str  # the file in docs/schemas/
    parse: Callable[[Any, Knowledge, Path], object]
    holds: str = "json"  # or "text" (a CSV cell) or "toml" (no null)


FORMAT = {
    "procedure": Format("procedure.schema.json", _json(parse_procedure_text)),
    "diary": Format("diary-row.schema.json", _diary_row, holds="text"),
    "intake": Format("intake.schema.json", _json(parse_intake_text)),
    "report": Format("report.schema.json", _json(parse_report_text)),
    "history": Format("history.schema.json", _json(parse_history_text)),
    "plan": Format("plan.schema.json", _json(parse_plan_text)),
    "consent": Format("consent.schema.json", _consent),
    "clinic": Format(schemas.CLINIC_CONFIG, _clinic_config, holds="toml"),
}


def _format_of(name: str) -> str:
    """The format of an example file: the first word of its name (diary-therapeutic.csv)."""
    return re.split(r"[-.]", name)[0]


def _documents(path: Path) -> list[Any]:
    """The documents of an example file: its JSON object, or each DIARY.csv row."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        return [
            {k.strip().lower(): v for k, v in row.items()}
            for row in csv.DictReader(io.StringIO(text))
        ]
    if path.suffix == ".toml":
        return [tomllib.loads(text)]
    return [json.loads(text)]


def _consent_record() -> dict[str, Any]:
    plan, _ = parse_plan_text(
        (ROOT / "examples" / "plan.json").read_text(encoding="utf-8"),
        loader.load(),
        what="plan.json",
    )
    at = "2026-02-20T10:00:00-08:00"
    return {
        "plan_version": plan_version(plan),
        "confirmations": [{"question": q.value, "confirmed_at": at} for q in Question],
        "agreement": {"signed_by": "Maria Lopez", "signed_at": at, "witnessed_by": "Sam Lee"},
    }


def _shipped_config(k: Knowledge) -> dict[str, Any]:
    return {
        "clinic": {"name": "Example Pain Clinic"},
        "overrides": {key: rule.value for key, rule in k.rules.items()},
    }


# Documents that no example file holds, as name -> builder.
BUILT = {"consent": _consent_record, "clinic": lambda: _shipped_config(loader.load())}
SOURCES = [*(p.name for p in EXAMPLES), *BUILT]


def _source_document(source: str) -> Any:
    """A built document, or the first document of an example file."""
    fmt = _format_of(source)
    return BUILT[fmt]() if fmt in BUILT else _documents(ROOT / "examples" / source)[0]


@pytest.fixture(scope="module")
def documents(knowledge: Knowledge) -> dict[str, dict[str, Any]]:
    """The full schema document of each file, with the clinic configuration."""
    return {name: json.loads(text) for name, text in schemas.rendered(knowledge).items()}


def _validator(documents: dict[str, dict[str, Any]], fmt: str) -> Draft202012Validator:
    return Draft202012Validator(documents[FORMAT[fmt].schema], format_checker=FORMATS)


def _refused_by_parser(fmt: str, doc: Any, k: Knowledge, tmp: Path) -> bool:
    try:
        FORMAT[fmt].parse(doc, k, tmp)
    except InputError:
        return True
    return False


def test_schemas_are_valid_draft_2020_12(documents: dict[str, dict[str, Any]]) -> None:
    assert sorted(documents) == sorted({f.schema for f in FORMAT.values()})
    for doc in documents.values():
        Draft202012Validator.check_schema(doc)


def test_schema_files_are_fresh(knowledge: Knowledge) -> None:
    for name, text in schemas.rendered(knowledge).items():
        path = ROOT / "docs" / "schemas" / name
        assert path.read_text(encoding="utf-8") == text, f"{name}: run ./dev docs"


def test_cli_docs_are_fresh() -> None:
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render_cli_reference(cli), "run ./dev docs and commit the result"


def test_cli_docs_show_every_command() -> None:
    page = render_cli_reference(cli)
    for name, command in cli.commands.items():
        assert f"## `sijcare {name}`" in page
        for sub in getattr(command, "commands", {}):
            assert f"## `sijcare {name} {sub}`" in page


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_passes_schema_and_parser(
    path: Path, documents: dict[str, dict[str, Any]], knowledge: Knowledge, tmp_path: Path
) -> None:
    fmt = _format_of(path.name)
    assert fmt in FORMAT, f"{path.name}: no schema for this kind of file"
    validator = _validator(documents, fmt)
    for doc in _documents(path):
        assert [e.message for e in validator.iter_errors(doc)] == []
        FORMAT[fmt].parse(doc, knowledge, tmp_path)


def test_file_format_guide_examples_pass_schema_and_parser(
    documents: dict[str, dict[str, Any]], knowledge: Knowledge, tmp_path: Path
) -> None:
    guide = (ROOT / "docs" / "file-formats.md").read_text(encoding="utf-8")
    checked = []
    for section in guide.split("\n## ")[1:]:
        title = section.split("\n", 1)[0]
        fmt = "clinic" if "configuration" in title else _format_of(title.lower())
        for lang, block in re.findall(r"```(json|toml)\n(.*?)```", section, re.DOTALL):
            doc = tomllib.loads(block) if lang == "toml" else json.loads(block)
            assert [e.message for e in _validator(documents, fmt).iter_errors(doc)] == []
            FORMAT[fmt].parse(doc, knowledge, tmp_path)
            checked.append(fmt)
    assert sorted(checked) == sorted(set(FORMAT) - {"diary"})


@pytest.mark.parametrize("fmt", sorted(BUILT))
def test_built_document_passes_schema_and_parser(
    fmt: str, documents: dict[str, dict[str, Any]], knowledge: Knowledge, tmp_path: Path
) -> None:
    doc = BUILT[fmt]()
    assert [e.message for e in _validator(documents, fmt).iter_errors(doc)] == []
    FORMAT[fmt].parse(doc, knowledge, tmp_path)


@pytest.mark.parametrize("limit", ["min", "max", "choices"])
def test_every_override_at_its_limit_passes(
    limit: str, documents: dict[str, dict[str, Any]], knowledge: Knowledge, tmp_path: Path
) -> None:
    overrides = {}
    for key, rule in knowledge.rules.items():
        if limit in rule.limits:
            value = rule.limits[limit]
            overrides[key] = value[-1] if limit == "choices" else value
    doc = {"overrides": overrides}
    assert overrides
    assert [e.message for e in _validator(documents, "clinic").iter_errors(doc)] == []
    assert _clinic_config(doc, knowledge, tmp_path).overrides == overrides


BROKEN = [
    pytest.param("procedure-therapeutic.json", {"anesthetic": DELETE}, id="procedure-missing"),
    pytest.param("procedure-therapeutic.json", {"side": "middle"}, id="procedure-enum"),
    pytest.param("procedure-diagnostic.json", {"anesthetic/volume_ml": 25}, id="procedure-range"),
    pytest.param("procedure-diagnostic.json", {"baseline_pain": 11}, id="procedure-pain"),
    pytest.param("procedure-diagnostic.json", {"performed_at": NAIVE}, id="procedure-naive"),
    pytest.param("procedure-therapeutic.json", {"steroid": None}, id="therapeutic-no-steroid"),
    pytest.param(
        "procedure-diagnostic.json",
        {"steroid": {"agent": "triamcinolone", "dose_mg": 40}},
        id="diagnostic-with-steroid",
    ),
    pytest.param("procedure-diagnostic.json", {"contrast": {"used": False}}, id="no-contrast-why"),
    pytest.param(
        "procedure-diagnostic.json",
        {"discharged_at": "2026-03-02T11:00:00-08:00", "driver_present": False},
        id="discharge-without-driver",
    ),
    pytest.param("diary-diagnostic.csv", {"pain": DELETE}, id="diary-missing"),
    pytest.param("diary-diagnostic.csv", {"pain": "11"}, id="diary-range"),
    pytest.param("diary-diagnostic.csv", {"activity_done": "maybe"}, id="diary-enum"),
    pytest.param("diary-diagnostic.csv", {"mood": "good"}, id="diary-unknown"),
    pytest.param("diary-diagnostic.csv", {"recorded_at": NAIVE}, id="diary-naive"),
    pytest.param("intake-ready.json", {"driver_arranged": DELETE}, id="intake-missing"),
    pytest.param("intake-ready.json", {"smoker": False}, id="intake-unknown"),
    pytest.param("intake-ready.json", {"allergies/0/kind": "pollen"}, id="intake-enum"),
    pytest.param("intake-fever.json", {"fever_recent/unit": "K"}, id="intake-unit"),
    pytest.param(
        "intake-blood-thinner-confirmed.json",
        {"clinician_decisions/0/at": NAIVE},
        id="intake-naive",
    ),
    pytest.param(
        "intake-ready.json", {"procedure/steroid_agent": None}, id="intake-therapeutic-no-steroid"
    ),
    pytest.param(
        "intake-ready.json",
        {"diabetes": {"has": False, "uses_insulin": True}},
        id="intake-insulin-without-diabetes",
    ),
    pytest.param("intake-ready.json", {"medicines/0/name": "  "}, id="intake-blank"),
    pytest.param("report-call-now.json", {"reported_at": DELETE}, id="report-missing"),
    pytest.param("report-call-now.json", {"symptoms/dizzy": True}, id="report-unknown"),
    pytest.param("report-call-now.json", {"symptoms/pain": 11}, id="report-range"),
    pytest.param("report-call-now.json", {"symptoms/temperature_c": 38.3}, id="report-two-units"),
    pytest.param(
        "report-call-now.json", {"symptoms/leg_weakness": {"since": NAIVE}}, id="report-naive"
    ),
    pytest.param("report-call-now.json", {"procedure/kind": "both"}, id="report-procedure-enum"),
    pytest.param("history-positive-block.json", {"procedures": []}, id="history-empty"),
    pytest.param("history-positive-block.json", {"extra": 1}, id="history-unknown"),
    pytest.param(
        "history-positive-block.json", {"procedures/0/diary/0/pain": 11}, id="history-range"
    ),
    pytest.param(
        "history-positive-block.json", {"procedures/0/diary/0/mood": "ok"}, id="history-entry"
    ),
    pytest.param(
        "history-positive-block.json",
        {"procedures/0/diary/0/recorded_at": NAIVE},
        id="history-naive",
    ),
    pytest.param("history-positive-block.json", {"today": "2026-13-01"}, id="history-date"),
    pytest.param("plan.json", {"consent": DELETE}, id="plan-missing"),
    pytest.param("plan.json", {"room": "3"}, id="plan-unknown"),
    pytest.param("plan.json", {"sedation": "deep"}, id="plan-enum"),
    pytest.param("plan.json", {"scheduled_at": NAIVE}, id="plan-naive"),
    pytest.param("plan.json", {"consent/cost_note": " "}, id="plan-blank"),
    pytest.param("plan.json", {"steroid_agent": " "}, id="plan-therapeutic-blank-steroid"),
    pytest.param("consent", {"plan_version": DELETE}, id="consent-missing"),
    pytest.param("consent", {"confirmations/0/question": "price"}, id="consent-enum"),
    pytest.param("consent", {"agreement/signed_at": NAIVE}, id="consent-naive"),
    pytest.param("consent", {"agreement/signed": True}, id="consent-unknown"),
    pytest.param("consent", {"plan_version": "x" * 65}, id="consent-too-long"),
    pytest.param("clinic", {"overrides/triage.fever": 38}, id="clinic-unknown-rule"),
    pytest.param(
        "clinic", {"overrides/diagnostic.positive_threshold_percent": 101}, id="clinic-range"
    ),
    pytest.param("clinic", {"overrides/fasting.lowest_sedation_level": "deep"}, id="clinic-enum"),
    pytest.param("clinic", {"overrides/clinic.time_zone": 5}, id="clinic-kind"),
    pytest.param("clinic", {"overrides/triage.severe_pain_nrs": 9.5}, id="clinic-whole"),
]


@pytest.mark.parametrize(("source", "edits"), BROKEN)
def test_broken_document_fails_schema_and_parser(
    source: str,
    edits: dict[str, Any],
    documents: dict[str, dict[str, Any]],
    knowledge: Knowledge,
    tmp_path: Path,
) -> None:
    fmt = _format_of(source)
    doc = _source_document(source)
    for path, value in edits.items():
        doc = edited(doc, tuple(int(s) if s.isdigit() else s for s in path.split("/")), value)
    assert list(_validator(documents, fmt).iter_errors(doc)), "the schema accepts it"
    assert _refused_by_parser(fmt, doc, knowledge, tmp_path), "the parser accepts it"


@pytest.mark.parametrize("source", SOURCES)
def test_every_break_the_schema_describes_fails_the_parser(
    source: str, documents: dict[str, dict[str, Any]], knowledge: Knowledge, tmp_path: Path
) -> None:
    fmt = _format_of(source)
    doc = _source_document(source)
    schema = documents[FORMAT[fmt].schema]
    validator = _validator(documents, fmt)
    accepted = []
    tried = 0
    for path, value in breakages(schema, doc, schema):
        if not can_hold(FORMAT[fmt].holds, value):
            continue
        tried += 1
        broken = edited(doc, path, value)
        where = f"{'/'.join(map(str, path))} = {value!r}"[:80]
        if not list(validator.iter_errors(broken)):
            accepted.append(f"schema: {where}")
        if not _refused_by_parser(fmt, broken, knowledge, tmp_path):
            accepted.append(f"parser: {where}")
    assert tried
    assert accepted == []


# Fields the parser also checks against the knowledge base (agent and medicine names,
# the accepted temperature and sugar ranges) or against another field (a clinician
# decision names a listed medicine): a value the schema allows may be refused there.
CHECKED_BEYOND_SCHEMA = {
    "agent", "anesthetic_agent", "steroid_agent", "medicine", "regimen", "max_temperature",
    "unit", "temperature_c", "temperature_f", "blood_sugar_mg_dl", "blood_sugar_mmol_l",
    "medicines", "name",
}  # fmt: skip


@pytest.mark.parametrize("source", SOURCES)
def test_every_value_the_schema_allows_passes_the_parser(
    source: str, documents: dict[str, dict[str, Any]], knowledge: Knowledge, tmp_path: Path
) -> None:
    fmt = _format_of(source)
    doc = _source_document(source)
    schema = documents[FORMAT[fmt].schema]
    validator = _validator(documents, fmt)
    refused = []
    tried = 0
    for path, value in allowances(schema, doc, schema):
        if path[-1] in CHECKED_BEYOND_SCHEMA or not can_hold(FORMAT[fmt].holds, value):
            continue
        tried += 1
        changed = edited(doc, path, value)
        if not list(validator.iter_errors(changed)) and _refused_by_parser(
            fmt, changed, knowledge, tmp_path
        ):
            refused.append(f"{'/'.join(map(str, path))} = {value!r}"[:80])
    assert tried
    assert refused == []


def test_schema_bounds_match_the_shipped_plausibility_rules(knowledge: Knowledge) -> None:
    from sijcare.formats import schemas_procedure as sp

    assert sp._MAX_CONCENTRATION_PERCENT == knowledge.number(
        "procedure.anesthetic_concentration_max_percent"
    )
    assert sp._MAX_VOLUME_ML == knowledge.number("procedure.anesthetic_volume_max_ml")
    assert sp._MAX_STEROID_MG == knowledge.number("procedure.steroid_dose_max_mg")
