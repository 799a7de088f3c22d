"""`sijcare instructions`: the patient's preparation or aftercare instructions for PLAN.json.

PLAN.json is the planned injection of `sijcare consent` (its `consent` object is not
needed here). With `--intake INTAKE.json` (the screening answers of `sijcare screen`),
the patient is screened for the plan's time and the dated actions screening gives (a
confirmed blood-thinner hold and restart, contrast premedication) join the
instructions; a diabetes answer there adds the blood sugar instructions. Aftercare from
a plan assumes the injection starts on time, and says so.
"""

from __future__ import annotations

from pathlib import Path

import click

from sijcare.cli.common import Context, emit, json_option, pass_context, read_text
from sijcare.domain.contact import clock_text, day_text
from sijcare.domain.errors import InputError
from sijcare.domain.instructions import (
    Instructions,
    aftercare_instructions,
    preparation_instructions,
)
from sijcare.domain.screening import Action, screen
from sijcare.formats.common import load_json_object
from sijcare.formats.consent import plan_from_dict
from sijcare.formats.intake import is_intake_field, parse_intake_text

HEADINGS = {
    "preparation": "Getting ready for your SI joint injection",
    "aftercare": "After your SI joint injection",
}


@click.command()
@click.option(
    "--plan",
    "plan_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="PLAN.json: the planned injection.",
)
@click.option(
    "--kind",
    required=True,
    type=click.Choice(["preparation", "aftercare"]),
    help="Which instructions: before (preparation) or after (aftercare) the injection.",
)
@click.option(
    "--diabetes",
    "has_diabetes",
    is_flag=True,
    help="The patient has diabetes: add the blood sugar instructions (aftercare).",
)
@click.option(
    "--intake",
    "intake_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="INTAKE.json: the screening answers, for the dated actions they give.",
)
@click.option(
    "--time-zone",
    "time_zone",
    help="Show times in this IANA time zone (default: the clinic's).",
)
@json_option
@pass_context
def instructions(
    ctx: Context,
    plan_path: Path,
    kind: str,
    has_diabetes: bool,
    intake_path: Path | None,
    time_zone: str | None,
    as_json: bool,
) -> None:
    """Print the preparation or aftercare instructions for the injection in PLAN.json."""
    knowledge = ctx.knowledge
    what = str(plan_path)
    doc = load_json_object(read_text(plan_path), what=what)
    try:
        plan = plan_from_dict(doc, knowledge)
    except InputError as exc:
        raise exc.within(what) from None
    actions: tuple[Action, ...] = ()
    if intake_path is not None:
        intake = parse_intake_text(read_text(intake_path), knowledge, what=str(intake_path))
        try:
            actions = screen(intake, plan.scheduled_at, knowledge).actions
        except InputError as exc:
            raise exc.within(str(intake_path)) if is_intake_field(exc.where) else exc from None
        has_diabetes = has_diabetes or intake.diabetes.has
    try:
        if kind == "preparation":
            result = preparation_instructions(plan, actions, knowledge, time_zone)
        else:
            result = aftercare_instructions(
                plan, knowledge, has_diabetes, screening_actions=actions, time_zone=time_zone
            )
    except InputError as exc:
        if exc.where == "time_zone":
            raise InputError("--time-zone", exc.message) from None
        raise
    emit(result, as_json=as_json, report=render(result))


def render(result: Instructions) -> str:
    """The readable instructions: a heading, then each section with its items."""
    at = result.procedure_at
    lines = [
        HEADINGS[result.kind],
        f"Injection: {day_text(at)} at {clock_text(at)} ({result.time_zone})",
    ]
    for section in result.sections:
        lines += ["", f"{section.title}:"]
        lines += [f"  - {item.text}" for item in section.items]
    return "\n".join(lines)
