"""`sijcare diary`: read a pain diary, compare two blocks, and plan when to record.

analyze   PROCEDURE.json + DIARY.csv -> the diagnostic or therapeutic reading
compare   two diagnostic blocks (one short-, one long-acting anesthetic) of one joint
schedule  the times the patient is asked for a score, in local time
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from sijcare import knowledge as knowledge_loader
from sijcare.cli.common import Context, emit, json_option, pass_context, read_text
from sijcare.domain.comparative import ComparativeResult, compare_blocks
from sijcare.domain.diagnostic import DiagnosticResult, interpret_diagnostic
from sijcare.domain.diary_schedule import DiaryPrompt, diary_schedule, schedule_prompts
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind, Procedure
from sijcare.domain.relief import (
    BoundedDuration,
    DiaryWarning,
    PainScore,
    ReliefPoint,
    percent_text,
)
from sijcare.domain.therapeutic import TherapeuticResult, interpret_therapeutic
from sijcare.formats.common import parse_datetime, parse_enum
from sijcare.formats.diary import parse_diary_text
from sijcare.formats.procedure import parse_procedure_text

THRESHOLD_RULE = "diagnostic.positive_threshold_percent"

FILE = click.Path(dir_okay=False, path_type=Path)

threshold_option = click.option(
    "--threshold",
    type=int,
    help=f"Positive threshold of a diagnostic block, % relief (default: rule {THRESHOLD_RULE}).",
)


@click.group()
def diary() -> None:
    """The pain diary: read it, compare two blocks, and plan when to record."""


@diary.command()
@click.option("--procedure", "procedure_path", type=FILE, required=True, help="PROCEDURE.json")
@click.option("--diary", "diary_path", type=FILE, required=True, help="DIARY.csv")
@threshold_option
@json_option
@pass_context
def analyze(
    ctx: Context, procedure_path: Path, diary_path: Path, threshold: int | None, as_json: bool
) -> None:
    """Read the diary of one block or injection."""
    knowledge = _with_threshold(ctx.knowledge, threshold)
    procedure, scores = _read_block(procedure_path, diary_path, knowledge)
    if procedure.kind is Kind.THERAPEUTIC and threshold is not None:
        raise InputError("--threshold", "applies to a diagnostic block; this one is therapeutic")
    try:
        if procedure.kind is Kind.DIAGNOSTIC:
            diagnostic = interpret_diagnostic(procedure, scores, knowledge)
            report = _diagnostic_report(diagnostic)
            emit(diagnostic, as_json=as_json, report="\n".join(report))
        else:
            therapeutic = interpret_therapeutic(procedure, scores, knowledge)
            report = _therapeutic_report(therapeutic)
            emit(therapeutic, as_json=as_json, report="\n".join(report))
    except InputError as exc:
        raise exc.within(str(procedure_path)) from None


@diary.command()
@click.option("--first", "first_path", type=FILE, required=True, help="PROCEDURE.json, block 1")
@click.option("--first-diary", type=FILE, required=True, help="DIARY.csv of block 1")
@click.option("--second", "second_path", type=FILE, required=True, help="PROCEDURE.json, block 2")
@click.option("--second-diary", type=FILE, required=True, help="DIARY.csv of block 2")
@threshold_option
@json_option
@pass_context
def compare(
    ctx: Context,
    first_path: Path,
    first_diary: Path,
    second_path: Path,
    second_diary: Path,
    threshold: int | None,
    as_json: bool,
) -> None:
    """Compare a short-acting and a long-acting diagnostic block of one joint."""
    knowledge = _with_threshold(ctx.knowledge, threshold)
    first = _read_block(first_path, first_diary, knowledge)
    second = _read_block(second_path, second_diary, knowledge)
    try:
        result = compare_blocks(first, second, knowledge)
    except InputError as exc:
        label, _, field = exc.where.partition(".")
        path = first_path if label == "first" else second_path
        raise InputError(f"--{label} {path}: {field}", exc.message) from None
    emit(result, as_json=as_json, report="\n".join(_comparative_report(result)))


@diary.command()
@click.option("--procedure", "procedure_path", type=FILE, help="PROCEDURE.json")
@click.option("--at", "planned_at", help="Planned injection time (ISO 8601 with offset).")
@click.option("--kind", help="Planned kind: diagnostic | therapeutic.")
@click.option("--anesthetic", help="Planned anesthetic, like lidocaine.")
@click.option("--time-zone", help="Local time zone (default: the clinic's).")
@json_option
@pass_context
def schedule(
    ctx: Context,
    procedure_path: Path | None,
    planned_at: str | None,
    kind: str | None,
    anesthetic: str | None,
    time_zone: str | None,
    as_json: bool,
) -> None:
    """When to record a score: after a PROCEDURE.json, or a planned --at/--kind/--anesthetic."""
    knowledge = ctx.knowledge
    zone_name = time_zone or knowledge.text("clinic.time_zone")
    try:
        if procedure_path is not None:
            procedure = _read_procedure(procedure_path, knowledge)
            at, kind_value = procedure.performed_at, procedure.kind
            agent = procedure.anesthetic.agent
            prompts = diary_schedule(procedure, knowledge, zone_name)
        else:
            at, kind_value, agent = _planned(planned_at, kind, anesthetic)
            prompts = schedule_prompts(
                injected_at=at,
                kind=kind_value,
                anesthetic_agent=agent,
                knowledge=knowledge,
                time_zone=zone_name,
            )
    except InputError as exc:
        option = {"time_zone": "--time-zone" if time_zone else "clinic.time_zone"}
        option |= {"anesthetic_agent": "--anesthetic"}
        raise InputError(option.get(exc.where, exc.where), exc.message) from None
    out = {
        "injected_at": at,
        "kind": kind_value,
        "anesthetic": knowledge.row("anesthetics", agent, where="--anesthetic")["id"],
        "time_zone": zone_name,
        "knowledge_version": knowledge.version,
        "prompts": prompts,
    }
    emit(out, as_json=as_json, report="\n".join(_schedule_report(out, prompts)))


# -- reading the inputs -----------------------------------------------------------------


def _with_threshold(knowledge: Knowledge, threshold: int | None) -> Knowledge:
    if threshold is None:
        return knowledge
    try:
        return knowledge_loader.apply_overrides(knowledge, {THRESHOLD_RULE: threshold})
    except InputError as exc:
        raise InputError("--threshold", exc.message) from None


def _read_procedure(path: Path, knowledge: Knowledge) -> Procedure:
    return parse_procedure_text(read_text(path), knowledge, what=str(path))


def _read_block(
    procedure_path: Path, diary_path: Path, knowledge: Knowledge
) -> tuple[Procedure, tuple[PainScore, ...]]:
    procedure = _read_procedure(procedure_path, knowledge)
    scores = parse_diary_text(
        read_text(diary_path), what=str(diary_path), performed_at=procedure.performed_at
    )
    return procedure, scores


def _planned(at: str | None, kind: str | None, agent: str | None) -> tuple[datetime, Kind, str]:
    if at is None or kind is None or agent is None:
        raise InputError(
            "--procedure", "give a PROCEDURE.json, or --at, --kind and --anesthetic of a plan"
        )
    return parse_datetime(at, where="--at"), parse_enum(Kind, kind, where="--kind"), agent


# -- readable reports -------------------------------------------------------------------


def _diagnostic_report(r: DiagnosticResult) -> list[str]:
    lines = [
        f"Diagnostic block, {r.side} SI joint, {_time(r.performed_at)}",
        "",
        *_pairs(
            [
                ("Result", str(r.classification).upper().replace("_", " ")),
                ("Peak relief", _peak(r)),
                (
                    "Threshold",
                    f"{r.threshold_percent:g}% (indeterminate from "
                    f"{r.indeterminate_floor_percent:g}%)",
                ),
                (
                    "Anesthetic",
                    f"{r.anesthetic} ({r.anesthetic_action}-acting), window "
                    f"{_elapsed(r.window)}, to {_time(r.window_end)}",
                ),
                ("Baseline pain", f"{r.baseline_pain}/10"),
                (f"Relief >= {r.threshold_percent:g}%", _span(r)),
                ("Knowledge", f"{r.provenance.knowledge_version} ({r.rule_version})"),
            ]
        ),
        "",
        r.rationale,
        "",
        "Scores in the window (used):",
        *_points(r.scores_used),
    ]
    if r.scores_after_window:
        lines += ["", "Scores after the window:", *_points(r.scores_after_window)]
    return lines + _overrides(r.provenance.overrides) + _warnings(r.warnings)


def _comparative_report(r: ComparativeResult) -> list[str]:
    lines = [
        f"Comparative blocks, {r.side} SI joint",
        "",
        *_pairs(
            [
                ("Result", str(r.status).upper().replace("_", " ")),
                ("Concordance", "not assessed" if r.concordance is None else str(r.concordance)),
                *(
                    (
                        f"{label} ({b.anesthetic})",
                        f"{b.classification}, peak {_percent(b.peak_relief_percent)}, "
                        f"{_time(b.performed_at)}; relief >= {b.threshold_percent:g}% {_span(b)}",
                    )
                    for label, b in (("Short", r.short_acting), ("Long", r.long_acting))
                ),
                ("Knowledge", f"{r.provenance.knowledge_version} ({r.rule_version})"),
            ]
        ),
        "",
        r.rationale,
        f"Caution: {r.caveat} ({r.caveat_source})",
    ]
    return lines + _overrides(r.provenance.overrides) + _warnings(r.warnings)


def _therapeutic_report(r: TherapeuticResult) -> list[str]:
    weeks = r.sustained_relief_weeks
    lines = [
        f"Therapeutic injection, {r.anesthetic} + {r.steroid}, {_time(r.performed_at)}",
        "",
        *_pairs(
            [
                *(
                    (
                        f"Milestone {m.name}",
                        "not recorded"
                        if m.relief_percent is None or m.day is None
                        else f"{_percent(m.relief_percent)} on day {m.day} "
                        f"({'responder' if m.responder else 'not a responder'}"
                        f"{', clinically meaningful' if m.clinically_meaningful else ''})",
                    )
                    for m in r.milestone_details
                ),
                ("Steroid flare", {None: "not known", True: "yes", False: "no"}[r.flare_detected]),
                ("Steroid onset", "not found" if r.onset_day is None else f"day {r.onset_day}"),
                (
                    f"Relief >= {r.provenance.rules['relief.sustained_percent']}%",
                    "never reached"
                    if weeks is None
                    else f"at least {weeks.at_least:g} weeks"
                    + ("" if weeks.less_than is None else f", less than {weeks.less_than:g} weeks"),
                ),
                ("Anesthetic peak", _percent(r.anesthetic_peak_relief_percent)),
                ("Baseline pain", f"{r.baseline_pain}/10"),
                ("Knowledge", f"{r.provenance.knowledge_version} ({r.rule_version})"),
            ]
        ),
        "",
        r.rationale,
        "",
        "Scores:",
        *_points(r.scores_used),
    ]
    return lines + _overrides(r.provenance.overrides) + _warnings(r.warnings)


def _schedule_report(out: dict[str, Any], prompts: Sequence[DiaryPrompt]) -> list[str]:
    head = (
        f"Diary schedule: {out['kind']} injection, {out['anesthetic']}, "
        f"{_time(out['injected_at'])} ({out['time_zone']})"
    )
    rows = [
        [p.due_at.strftime("%a %Y-%m-%d %H:%M %Z"), str(p.purpose).replace("_", " "), p.label]
        for p in prompts
    ]
    return [head, "", *_table(["when", "purpose", "what"], rows)]


def _pairs(pairs: Sequence[tuple[str, str]]) -> list[str]:
    width = max(len(k) for k, _ in pairs)
    return [f"{k.ljust(width)}  {v}" for k, v in pairs]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    if not rows:
        return ["  (none)"]
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    return [
        "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [headers, *rows]
    ]


def _points(points: Sequence[ReliefPoint]) -> list[str]:
    rows = [
        [
            _time(p.recorded_at),
            _elapsed(p.elapsed),
            str(p.pain),
            _percent(p.relief_percent),
            p.note or "",
        ]
        for p in points
    ]
    return _table(["time", "after", "pain", "relief", "note"], rows)


def _warnings(warnings: Sequence[DiaryWarning]) -> list[str]:
    if not warnings:
        return []
    return ["", "Warnings:", *(f"  - {w.message} [{w.code}]" for w in warnings)]


def _overrides(overrides: Any) -> list[str]:
    if not overrides:
        return []
    return ["", "Overrides: " + ", ".join(f"{k} = {v}" for k, v in overrides.items())]


def _peak(r: DiagnosticResult) -> str:
    if r.peak_relief_percent is None or r.peak_at is None or r.peak_elapsed is None:
        return "none (no score in the window)"
    after = _elapsed(r.peak_elapsed)
    return f"{_percent(r.peak_relief_percent)} at {_time(r.peak_at)} ({after} after)"


def _span(r: DiagnosticResult) -> str:
    if r.relief_duration is None:
        return "not reached"
    return _bounded(r.relief_duration.since_injection) + " after the injection"


def _bounded(d: BoundedDuration) -> str:
    if d.less_than is None:
        return f"at least {_elapsed(d.at_least)} (no later entry below)"
    return f"at least {_elapsed(d.at_least)}, less than {_elapsed(d.less_than)}"


def _percent(value: float | None) -> str:
    return "-" if value is None else percent_text(value)


def _time(at: datetime) -> str:
    return at.isoformat(sep=" ", timespec="minutes")


def _elapsed(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [
        f"{days} d" if days else "",
        f"{hours} h" if hours else "",
        f"{mins} min" if mins else "",
    ]
    return " ".join(p for p in parts if p) or "0 min"
