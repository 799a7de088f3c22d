"""`sijcare screen`: is the patient ready for the injection? Findings and dated actions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from sijcare.cli.common import Context, emit, json_option, pass_context, read_text
from sijcare.domain.errors import InputError
from sijcare.domain.screening import ScreeningResult
from sijcare.domain.screening import screen as screen_intake
from sijcare.formats.common import parse_datetime
from sijcare.formats.intake import is_intake_field, parse_intake_text

HEADLINE = {
    "ready": "Ready for the procedure",
    "ready_with_actions": "Ready, with things the patient must do",
    "needs_review": "A clinician must review before the procedure",
    "postpone": "Postpone the procedure",
}


@click.command()
@click.option(
    "--intake",
    "intake_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="INTAKE.json: the planned injection and the screening answers.",
)
@click.option(
    "--procedure-time",
    required=True,
    help="The booked procedure time, ISO 8601 with a UTC offset (2026-03-10T08:00:00-07:00).",
)
@json_option
@pass_context
def screen(ctx: Context, intake_path: Path, procedure_time: str, as_json: bool) -> None:
    """Screen INTAKE.json before the procedure: ready, actions, review or postpone."""
    at = parse_datetime(procedure_time, where="--procedure-time")
    knowledge = ctx.knowledge
    intake = parse_intake_text(read_text(intake_path), knowledge, what=str(intake_path))
    try:
        result = screen_intake(intake, at, knowledge)
    except InputError as exc:  # an intake date after the procedure, or a clinic setting
        raise exc.within(str(intake_path)) if is_intake_field(exc.where) else exc from None
    emit(result, as_json=as_json, report=render(result))


def render(result: ScreeningResult) -> str:
    """The readable report: status, the patient's actions in the clinic's local time, and
    each finding with its plain-language message, rationale, source and options."""
    lines = [
        f"{HEADLINE[result.status.value]} ({result.status.value})",
        f"Procedure: {_local(result.procedure_time)} ({result.time_zone})",
        "",
        "Patient actions (clinic local time):",
        *(f"  {_local(a.at)}  {a.what} [{a.code}]" for a in result.actions),
    ]
    if not result.actions:
        lines.append("  none")
    lines += ["", "Findings:"]
    for f in result.findings:
        lines += [
            f"  - [{f.severity.value}] {f.code} about {f.about!r}",
            f"    patient: {f.patient_message}",
            f"    clinician: {f.clinician_rationale} (source: {f.source})",
            *(f"    option: {o.summary}" for o in f.options),
        ]
    if not result.findings:
        lines.append("  none")
    overrides = ", ".join(f"{k} = {v!r}" for k, v in result.provenance.overrides.items())
    lines += [
        "",
        f"Knowledge {result.provenance.knowledge_version}; overrides: {overrides or 'none'}.",
    ]
    return "\n".join(lines)


def _local(at: datetime) -> str:
    """Like "Tue 2026-03-10 08:00 PDT" (24-hour clock); `at` is in the clinic's zone."""
    return f"{at:%a %Y-%m-%d %H:%M} {at.tzname()}"
