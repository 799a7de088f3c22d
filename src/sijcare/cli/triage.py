"""`sijcare triage`: sort a patient's symptoms after the injection and say who to call."""

from __future__ import annotations

from pathlib import Path

import click

from sijcare.cli.common import Context, emit, json_option, pass_context, read_text
from sijcare.domain.contact import clock_text, day_text
from sijcare.domain.triage import Disposition, TriageResult
from sijcare.domain.triage import triage as triage_report
from sijcare.formats.report import parse_report_text

HEADLINE = {
    Disposition.EMERGENCY: "EMERGENCY: call emergency services now",
    Disposition.CALL_NOW: "Call the clinic now",
    Disposition.CALL_SOON: "Call the clinic today",
    Disposition.EXPECTED: "Expected after the injection",
}


@click.command()
@click.option(
    "--report",
    "report_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="REPORT.json: the injection, the time of the report and the symptoms.",
)
@json_option
@pass_context
def triage(ctx: Context, report_path: Path, as_json: bool) -> None:
    """Sort the symptoms in REPORT.json: emergency, call now, call today or expected."""
    knowledge = ctx.knowledge
    procedure, report = parse_report_text(read_text(report_path), knowledge, what=str(report_path))
    result = triage_report(procedure, report, knowledge)
    emit(result, as_json=as_json, report=render(result))


def render(result: TriageResult) -> str:
    """The readable report: the disposition, what to do, the reasons and the contact."""
    local = result.contact.local_time
    hours = result.elapsed.total_seconds() / 3600
    lines = [
        f"{HEADLINE[result.disposition]} ({result.disposition.value})",
        f"Reported {day_text(local)} at {clock_text(local)} ({local.tzinfo}), "
        f"{hours:.1f} h after the injection.",
        "",
        "What to do now:",
        *(f"  - {step}" for step in result.what_to_do),
        "",
        "Why:",
    ]
    for reason in result.reasons:
        lines += [
            f"  - [{reason.disposition.value}] {reason.code}: {reason.message}",
            f"    clinician: {reason.rationale} (source: {reason.source})",
        ]
    contact = result.contact
    overrides = ", ".join(f"{k} = {v!r}" for k, v in result.provenance.overrides.items())
    lines += [
        "",
        f"Contact: {contact.label}, {contact.number} ({contact.kind.value})",
        f"Knowledge {result.provenance.knowledge_version}; overrides: {overrides or 'none'}.",
    ]
    return "\n".join(lines)
