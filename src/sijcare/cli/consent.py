"""`sijcare consent`: the consent questions answered for a plan, and a consent check."""

from __future__ import annotations

from pathlib import Path

import click

from sijcare.cli.common import Context, emit, json_option, pass_context, read_text
from sijcare.domain.consent import (
    AnsweredQuestions,
    answer_questions,
    plan_version,
    require_complete_consent,
)
from sijcare.formats.consent import parse_plan_text, parse_record_text

plan_option = click.option(
    "--plan",
    "plan_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="PLAN.json: the planned injection and the consent context.",
)


@click.group()
def consent() -> None:
    """Informed consent: the questions answered for a plan, and whether consent is complete."""


@consent.command()
@plan_option
@json_option
@pass_context
def questions(ctx: Context, plan_path: Path, as_json: bool) -> None:
    """Answer each consent question for the injection planned in PLAN.json."""
    plan, context = parse_plan_text(read_text(plan_path), ctx.knowledge, what=str(plan_path))
    answered = answer_questions(plan, context, ctx.knowledge)
    emit(answered, as_json=as_json, report=render(answered))


@consent.command()
@plan_option
@click.option(
    "--record",
    "record_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CONSENT.json: the questions confirmed, the agreement and the plan version.",
)
@json_option
@pass_context
def check(ctx: Context, plan_path: Path, record_path: Path, as_json: bool) -> None:
    """Check that consent in CONSENT.json is complete for PLAN.json (exit 2 naming what is missing)."""
    plan, _ = parse_plan_text(read_text(plan_path), ctx.knowledge, what=str(plan_path))
    record = parse_record_text(read_text(record_path), what=str(record_path))
    require_complete_consent(record, plan)
    result = {"complete": True, "plan_version": plan_version(plan)}
    emit(result, as_json=as_json, report=f"Consent is complete for plan {plan_version(plan)}.")


def render(answered: AnsweredQuestions) -> str:
    """The readable list: each question, then its answer."""
    lines = [f"Consent questions, answered for plan {answered.plan_version}", ""]
    for number, answer in enumerate(answered.answers, 1):
        lines.append(f"{number}. {answer.text}")
        lines += [f"   {paragraph}" for paragraph in answer.answer]
        lines.append("")
    lines.append(f"Knowledge {answered.provenance.knowledge_version}.")
    return "\n".join(lines)
