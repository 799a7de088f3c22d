"""`sijcare plan`: the next step after the blocks and injections in HISTORY.json.

The core has no clock, so the plan is for a day: `--today`, else the file's `today`,
else the day of the latest diary entry or procedure (in the clinic's time zone). The
report says which one it used.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from sijcare.cli.common import Context, emit, json_option, pass_context, read_text
from sijcare.domain.contact import clinic_zone
from sijcare.domain.eligibility import Eligibility
from sijcare.domain.next_steps import NextStepPlan, Step, recommend_next_step
from sijcare.domain.referral import Status
from sijcare.formats.history import parse_day, parse_history_text

STEP_TEXT = {
    Step.COMPARATIVE_CONFIRMATORY_BLOCK: "a comparative (confirmatory) diagnostic block",
    Step.THERAPEUTIC_INJECTION: "a therapeutic injection (anesthetic and steroid)",
    Step.REPEAT_INJECTION: "a repeat therapeutic injection, when the pain comes back",
    Step.NO_REPEAT: "no repeat injection",
    Step.REFERRAL_FOR_OTHER_TREATMENT: "referral for other treatment",
    Step.LOOK_FOR_ANOTHER_PAIN_SOURCE: "look for another pain source",
    Step.INSUFFICIENT_DATA: "not enough diary data to decide",
}

TODAY_FROM = {
    "option": "given with --today",
    "file": "the history's `today`",
    "latest_record": "the day of the latest diary entry or procedure; pass --today to change it",
}


@click.command()
@click.option(
    "--history",
    "history_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="HISTORY.json: the procedures, each with its pain diary.",
)
@click.option(
    "--payer",
    default="medicare",
    show_default=True,
    help="The payer profile: medicare or evicore.",
)
@click.option("--today", "today_text", help="The day to plan for (YYYY-MM-DD).")
@json_option
@pass_context
def plan(
    ctx: Context, history_path: Path, payer: str, today_text: str | None, as_json: bool
) -> None:
    """Recommend the next step from HISTORY.json, with the payer's eligibility."""
    knowledge = ctx.knowledge
    doc = parse_history_text(read_text(history_path), knowledge, what=str(history_path))
    if today_text is not None:
        today, source = parse_day(today_text, where="--today"), "option"
    elif doc.today is not None:
        today, source = doc.today, "file"
    else:
        today, source = doc.history.latest_record_day(clinic_zone(knowledge)), "latest_record"
    result = recommend_next_step(doc.history, payer, today, knowledge)
    emit(
        {"today": today, "today_from": source, "plan": result},
        as_json=as_json,
        report=render(result, source),
    )


def render(result: NextStepPlan, today_from: str) -> str:
    """The readable report: the step, why, the procedures read, and the payer's eligibility."""
    lines = [
        f"Next step: {STEP_TEXT[result.step]} ({result.step.value}), {result.side.value} side",
        f"Planned for {_day(result.today)} ({TODAY_FROM[today_from]}).",
        _allowed(result),
    ]
    if result.alternatives:
        lines.append("Other options: " + ", ".join(s.value for s in result.alternatives) + ".")
    lines += ["", "Why:"]
    lines += [
        f"  - {r.code}: {r.text}" + (f" (source: {r.source})" if r.source else "")
        for r in result.reasons
    ]
    lines += ["", "Procedures read:"]
    lines += [
        f"  [{r.index}] {r.performed_on.isoformat()} {r.kind.value} {r.side.value}: "
        f"{r.outcome}. {r.rationale}"
        for r in result.readings
    ]
    lines += ["", *_eligibility(result.eligibility)]
    overrides = ", ".join(f"{k} = {v!r}" for k, v in result.provenance.overrides.items())
    lines += [
        "",
        f"Knowledge {result.provenance.knowledge_version}; overrides: {overrides or 'none'}; "
        f"rules {result.rule_version}.",
    ]
    return "\n".join(lines)


def _allowed(result: NextStepPlan) -> str:
    payer = result.eligibility.payer_title
    if result.payer_allows is None:
        return f"Payer: {payer}."
    if result.payer_allows:
        return f"Payer: {payer}: allowed from {_day(result.earliest_date)}."
    if result.earliest_date is not None:
        return f"Payer: {payer}: not yet; earliest {_day(result.earliest_date)}."
    return f"Payer: {payer}: not allowed now (see the criteria below)."


def _eligibility(e: Eligibility) -> list[str]:
    earliest = _day(e.earliest_therapeutic) if e.earliest_therapeutic else "not allowed (yet)"
    lines = [
        f"Eligibility under {e.payer_title} on {_day(e.today)}, {e.side.value} side:",
        f"  Diagnostic sessions: {e.diagnostic_sessions} of {e.max_diagnostic_sessions}.",
        f"  Therapeutic sessions from {_day(e.window_first_day)} to {_day(e.window_last_day)}: "
        f"{e.therapeutic_sessions_in_window} of {e.max_therapeutic_sessions}.",
        f"  A repeat needs {e.sustained_relief_needed}.",
        f"  Earliest next therapeutic injection: {earliest}.",
    ]
    marks = {Status.MET: "met", Status.UNMET: "NOT MET", Status.UNKNOWN: "unknown"}
    lines += [
        f"  - [{marks[c.status]}] {c.code}: {c.reason} (source: {c.source})" for c in e.criteria
    ]
    return lines


def _day(day: date | None) -> str:
    return "-" if day is None else day.isoformat()
