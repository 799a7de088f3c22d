"""`sijcare consent questions --plan PLAN.json` and `sijcare consent check`.

The commands run under a root group that sets up the context the way `sijcare.cli.cli`
does, so these tests do not depend on where the group is registered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest

from sijcare.cli.common import Context, run_guarded
from sijcare.cli.consent import consent

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "examples" / "plan.json"
QUESTIONS = [
    "name",
    "reason",
    "results",
    "risks_and_benefits",
    "side_effects",
    "when_and_where",
    "who",
    "without_it",
    "alternatives",
    "getting_results",
    "who_to_call",
    "cost",
]


@click.group()
@click.option("--clinic-config", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def root(ctx: click.Context, clinic_config: Path | None) -> None:
    ctx.obj = Context(clinic_config=clinic_config)


root.add_command(consent)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        run_guarded(root, argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def plan_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(PLAN.read_text("utf-8"))
    return doc


def write(tmp_path: Path, name: str, doc: Any) -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def test_questions_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["consent", "questions", "--plan", str(PLAN), "--json"], capsys)
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert [a["question"] for a in result["answers"]] == QUESTIONS
    assert all(a["answer"] for a in result["answers"])
    assert len(result["plan_version"]) == 16
    assert result["provenance"]["knowledge_version"]


def test_questions_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["consent", "questions", "--plan", str(PLAN)], capsys)
    assert code == 0
    assert "1. What is the procedure called?" in out
    assert "bupivacaine (a numbing medicine) and triamcinolone (a steroid)" in out
    assert "12. How much will you have to pay?" in out
    assert "Dr. Ana Ruiz will do the injection." in out


def _plan_with(key: str, value: Any) -> dict[str, Any]:
    doc = plan_doc()
    target = doc["consent"] if key.startswith("consent.") else doc
    name = key.removeprefix("consent.")
    if value is ...:
        del target[name]
    else:
        target[name] = value
    return doc


BAD_PLANS = [
    pytest.param("{", "plan.json:1", id="not-json"),
    pytest.param(_plan_with("scheduled_at", ...), "scheduled_at: is required", id="no-time"),
    pytest.param(_plan_with("scheduled_at", "2026-03-02T09:00:00"), "scheduled_at: '2026-03-02T09:00:00' has no UTC offset", id="naive-time"),
    pytest.param(_plan_with("kind", "both"), "kind: 'both' is not one of", id="bad-kind"),
    pytest.param(_plan_with("side", "middle"), "side: 'middle' is not one of", id="bad-side"),
    pytest.param(_plan_with("anesthetic_agent", "novocaine"), "anesthetic_agent: unknown", id="unknown-anesthetic"),
    pytest.param(_plan_with("steroid_agent", "cortisol"), "steroid_agent: unknown", id="unknown-steroid"),
    pytest.param(_plan_with("steroid_agent", None), "steroid_agent: a therapeutic injection needs a steroid", id="therapeutic-without-steroid"),
    pytest.param(_plan_with("contrast_planned", "yes"), "contrast_planned: 'yes' must be true or false", id="bad-contrast"),
    pytest.param(_plan_with("steriod_agent", "x"), "steriod_agent: is not a known field", id="misspelt-key"),
    pytest.param(_plan_with("consent", ...), "consent: is required", id="no-consent-context"),
    pytest.param(_plan_with("consent", "yes"), "consent: must be an object", id="consent-not-object"),
    pytest.param(_plan_with("consent.cost_note", " "), "consent.cost_note: is required", id="empty-cost"),
    pytest.param(_plan_with("consent.physician_qualifications", ...), "consent.physician_qualifications: is required", id="no-qualifications"),
    pytest.param(_plan_with("consent.price", 5), "consent.price: is not a known field", id="unknown-context-key"),
    pytest.param(_plan_with("physician", ...), "physician: must be known before consent", id="no-doctor"),
    pytest.param(_plan_with("location", 7), "location: must be text", id="location-not-text"),
]  # fmt: skip


@pytest.mark.parametrize(("doc", "message"), BAD_PLANS)
def test_bad_plan_exits_2_naming_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, doc: Any, message: str
) -> None:
    path = write(tmp_path, "plan.json", doc)
    code, out, err = run(["consent", "questions", "--plan", str(path)], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("error: ")
    assert message in err
    assert len(err.strip().splitlines()) == 1


def _record(version: str, *, skip: tuple[str, ...] = (), **agreement: str) -> dict[str, Any]:
    signed = {
        "signed_by": "Maria Lopez",
        "signed_at": "2026-02-20T10:30:00-08:00",
        "witnessed_by": "Nurse Kim",
        **agreement,
    }
    return {
        "plan_version": version,
        "confirmations": [
            {"question": q, "confirmed_at": "2026-02-20T10:00:00-08:00"}
            for q in QUESTIONS
            if q not in skip
        ],
        "agreement": signed,
    }


@pytest.fixture
def version(capsys: pytest.CaptureFixture[str]) -> str:
    _, out, _ = run(["consent", "questions", "--plan", str(PLAN), "--json"], capsys)
    return str(json.loads(out)["plan_version"])


def test_check_complete_consent(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, version: str
) -> None:
    record = write(tmp_path, "consent.json", _record(version))
    argv = ["consent", "check", "--plan", str(PLAN), "--record", str(record), "--json"]
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert json.loads(out) == {"complete": True, "plan_version": version}


def test_check_after_the_plan_changed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, version: str
) -> None:
    record = write(tmp_path, "consent.json", _record(version))
    plan = write(tmp_path, "plan.json", _plan_with("steroid_agent", "dexamethasone"))
    code, _, err = run(["consent", "check", "--plan", str(plan), "--record", str(record)], capsys)
    assert code == 2
    assert "consent: the plan changed after consent" in err


BAD_RECORDS = [
    pytest.param({"skip": ("cost", "who")}, "consent: not confirmed: who, cost", id="unconfirmed"),
    pytest.param({"witnessed_by": "Maria Lopez"}, "agreement.witnessed_by: the witness cannot be", id="self-witness"),
    pytest.param({"signed_at": "yesterday"}, "agreement.signed_at: 'yesterday' is not an ISO 8601", id="bad-signed-at"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), BAD_RECORDS)
def test_check_incomplete_or_bad_record_exits_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    version: str,
    change: dict[str, Any],
    message: str,
) -> None:
    record = write(tmp_path, "consent.json", _record(version, **change))
    code, _, err = run(["consent", "check", "--plan", str(PLAN), "--record", str(record)], capsys)
    assert code == 2
    assert message in err


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        pytest.param({"plan_version": "x", "confirmations": {}}, "confirmations: must be a list", id="not-list"),
        pytest.param({"plan_version": "x", "confirmations": [5]}, "confirmations[0]: must be an object", id="item-not-object"),
        pytest.param({"plan_version": "x", "confirmations": [{"question": "price", "confirmed_at": "2026-02-20T10:00:00Z"}]}, "confirmations[0].question: 'price' is not one of", id="unknown-question"),
        pytest.param({"plan_version": "x", "confirmations": [{"question": "cost"}]}, "confirmations[0].confirmed_at: is required", id="no-time"),
        pytest.param({"confirmations": []}, "plan_version: is required", id="no-version"),
        pytest.param({"plan_version": "x", "agreement": "signed"}, "agreement: must be null or", id="agreement-not-object"),
        pytest.param({"plan_version": "x", "signature": "x"}, "signature: is not a known field", id="unknown-key"),
    ],
)  # fmt: skip
def test_bad_record_file_exits_2_naming_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, doc: Any, message: str
) -> None:
    record = write(tmp_path, "consent.json", doc)
    code, _, err = run(["consent", "check", "--plan", str(PLAN), "--record", str(record)], capsys)
    assert code == 2
    assert f"{record}: {message}" in err
