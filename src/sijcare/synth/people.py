"""One synthetic patient: referral, pathways, and what each pathway leaves behind.

A patient is drawn from its own generator, seeded by the run's seed, the clinic and the
patient's number, so the population does not depend on how the work is split between
processes. The flow (parameter `synth.pathway_mix`):
- therapeutic only: one therapeutic injection;
- block then therapeutic: a diagnostic block; if the core reads it as positive, a
  therapeutic injection;
- comparative: a short- and a long-acting block in either order; if the core confirms
  them, a therapeutic injection;
- block only: one diagnostic block.
Each injection has its own pathway (one procedure per pathway); the previous pathway of
the joint is closed when the next opens, and the last one once its diary has ended.
Injections are on weekdays during the day, local time. What lies after `now` is not
done yet: the booked appointment, and the screening and consent if already given.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sijcare.domain.knowledge import Knowledge
from sijcare.synth import clinical
from sijcare.synth.clinical import Plan
from sijcare.synth.parameters import FLOWS, SIDES, SynthParameters
from sijcare.synth.prompts import prompt_times
from sijcare.synth.records import (
    ClinicPlan,
    Done,
    PathwayRecords,
    PatientRecords,
    Physician,
    Visit,
)
from sijcare.synth.trajectories import anesthetic_response, diary_scores, steroid_response

FIRST_NAMES = (
    "Avery", "Blake", "Carmen", "Dana", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jonah",
    "Keiko", "Luis", "Maya", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Samir", "Tara",
    "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito",
    "Jensen", "Kim", "Lopez", "Morgan", "Nguyen", "Okafor", "Patel", "Reyes", "Singh",
    "Turner", "Usman", "Vargas", "Walsh", "Young", "Zhang",
)  # fmt: skip
RELATIONSHIPS = ("spouse", "daughter", "son", "friend", "partner", "neighbour")
# Synthetic patients are adults of the ages SI joint pain is commonly treated at.
AGE_YEARS = (35, 85)
# Procedure appointments start on the half hour between these local times.
DAY_STARTS, DAY_ENDS = time(8, 0), time(15, 30)


@dataclass(frozen=True)
class Context:
    """What every patient of a run shares."""

    seed: int
    now: datetime
    zone: ZoneInfo
    knowledge: Knowledge
    params: SynthParameters


@dataclass(frozen=True)
class Patient:
    """The patient's traits that shape every pathway."""

    pain_source: bool
    side: str
    diabetic: bool
    insulin: bool
    thinner: str | None
    contrast_allergy: bool


def draw_patient(ctx: Context, clinic: ClinicPlan, number: int) -> PatientRecords:
    """Patient `number` (from 0) of `clinic`, with all their pathways."""
    rng = random.Random(f"sijcare-synth:{ctx.seed}:{clinic.index}:{number}")
    p = ctx.params
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    referred = ctx.now - timedelta(seconds=rng.uniform(0, p.period_days * 86400))
    records = PatientRecords(
        clinic_index=clinic.index,
        public_id="p" + f"{rng.getrandbits(64):016x}",
        name=f"{first} {last}",
        email=f"{first}.{last}.{ctx.seed}-{clinic.index}-{number}@synth.example.org".lower(),
        date_of_birth=_birth_date(rng, referred.date()),
        locale="es" if rng.random() < 0.15 else "en",
        created_at=referred,
    )
    traits = _traits(rng, p)
    physician = rng.choice(clinic.physicians)
    flow = rng.choices(FLOWS, weights=p.flow_weights)[0]
    _follow(ctx, rng, clinic, records, traits, physician, flow, referred)
    return records


def _traits(rng: random.Random, p: SynthParameters) -> Patient:
    diabetic = rng.random() < p.diabetes_share
    thinner = None
    if rng.random() < p.blood_thinner_share:
        thinner = rng.choices(p.blood_thinners, [c.weight for c in p.blood_thinners])[0].id
    return Patient(
        pain_source=rng.random() < p.sij_pain_share,
        side=rng.choices(SIDES, weights=p.side_weights)[0],
        diabetic=diabetic,
        insulin=diabetic and rng.random() < p.insulin_share,
        thinner=thinner,
        contrast_allergy=rng.random() < p.contrast_allergy_share,
    )


def _follow(
    ctx: Context,
    rng: random.Random,
    clinic: ClinicPlan,
    records: PatientRecords,
    traits: Patient,
    physician: Physician,
    flow: str,
    referred: datetime,
) -> None:
    p = ctx.params
    at = _slot(rng, ctx.zone, referred + timedelta(days=rng.randint(*p.referral_to_procedure_days)))
    if flow == "therapeutic_only":
        _pathway(
            ctx, rng, clinic, records, traits, physician, _therapeutic(rng, p, traits), referred, at
        )
        return
    blocks = [_block_plan(rng, p, traits)]
    if flow == "comparative":
        short, long = p.short_and_long()
        order = [short, long] if rng.random() < 0.5 else [long, short]
        blocks = [_block_plan(rng, p, traits, agent) for agent in order]
    opened, positive = referred, True
    for number, plan in enumerate(blocks):
        if number:
            opened, at = _next(rng, ctx.zone, at, p.comparative_gap_days)
        done = _pathway(ctx, rng, clinic, records, traits, physician, plan, opened, at)
        if done is None:
            return
        positive = positive and done.reading.classification == "positive"
    if flow == "block_only" or not positive:
        return
    opened, at = _next(rng, ctx.zone, at, p.therapeutic_after_block_days)
    _pathway(ctx, rng, clinic, records, traits, physician, _therapeutic(rng, p, traits), opened, at)


def _next(
    rng: random.Random, zone: ZoneInfo, last: datetime, gap: tuple[int, int]
) -> tuple[datetime, datetime]:
    """When the next pathway opens (the day after the last injection) and its injection."""
    return last + timedelta(days=1), _slot(rng, zone, last + timedelta(days=rng.randint(*gap)))


def _block_plan(
    rng: random.Random, p: SynthParameters, traits: Patient, agent: str | None = None
) -> Plan:
    choices = p.anesthetics
    anesthetic = (
        next(c for c in choices if c.id == agent)
        if agent
        else rng.choices(choices, [c.weight for c in choices])[0]
    )
    return Plan("diagnostic", traits.side, anesthetic, None, traits.contrast_allergy)


def _therapeutic(rng: random.Random, p: SynthParameters, traits: Patient) -> Plan:
    anesthetic = rng.choices(p.anesthetics, [c.weight for c in p.anesthetics])[0]
    steroid = rng.choices(p.steroids, [c.weight for c in p.steroids])[0]
    return Plan("therapeutic", traits.side, anesthetic, steroid, traits.contrast_allergy)


def _pathway(
    ctx: Context,
    rng: random.Random,
    clinic: ClinicPlan,
    records: PatientRecords,
    traits: Patient,
    physician: Physician,
    plan: Plan,
    opened: datetime,
    at: datetime,
) -> Done | None:
    """One pathway up to `now`; its documented injection, or None if not done yet."""
    if opened > ctx.now:
        return None
    if records.pathways:
        last = records.pathways[-1]
        if last.closed_at is None or last.closed_at > opened:
            last.closed_at, last.close_reason = opened, "The next step has its own pathway."
    p, k = ctx.params, ctx.knowledge
    minutes = p.procedure_minutes
    pathway = PathwayRecords(
        side=plan.side,
        kind=plan.kind,
        opened_at=opened,
        physician=physician,
        procedure_visit=Visit(at, minutes, booked=at > ctx.now, physician=physician),
    )
    records.pathways.append(pathway)
    answers = clinical.intake_answers(
        rng,
        p,
        plan,
        diabetic=traits.diabetic,
        insulin=traits.insulin,
        thinner=traits.thinner,
        contrast_allergy=traits.contrast_allergy,
    )
    submitted = opened + (at - opened) * rng.uniform(0.2, 0.8)
    if submitted <= ctx.now:
        pathway.screening = clinical.screening(answers, at, submitted, k)
    agreed = at - timedelta(hours=rng.uniform(1, 48))
    if agreed <= ctx.now and pathway.screening is not None:
        planned = clinical.planned(answers, at, physician, clinic.location_name, k)
        witnessed = min(at, agreed + timedelta(minutes=rng.uniform(5, 60)))
        pathway.consent = clinical.consent(
            planned, physician, clinic.location_name, agreed, witnessed, k
        )
        driver = f"{rng.choice(FIRST_NAMES)} {records.name.split()[-1]}"
        pathway.driver = (driver, rng.choice(RELATIONSHIPS), agreed)
    if at + timedelta(hours=1) > ctx.now or pathway.consent is None:
        return None
    pathway.done = _inject(ctx, rng, traits, physician, plan, at)
    if rng.random() < p.follow_up_share:
        when = _slot(rng, ctx.zone, at + timedelta(days=rng.randint(*p.follow_up_after_days)))
        pathway.follow_up = Visit(
            when, minutes, booked=when > ctx.now, physician=physician, follow_up=True
        )
    if pathway.done.diary_ends < ctx.now:
        pathway.closed_at, pathway.close_reason = pathway.done.diary_ends, "The diary has ended."
    return pathway.done


def _inject(
    ctx: Context,
    rng: random.Random,
    traits: Patient,
    physician: Physician,
    plan: Plan,
    at: datetime,
) -> Done:
    p, k = ctx.params, ctx.knowledge
    baseline = rng.randint(*p.baseline_pain)
    procedure = clinical.procedure_document(plan, at, baseline, physician, k)
    numb = anesthetic_response(rng, p, plan.anesthetic.id, pain_source=traits.pain_source)
    steroid = steroid_response(rng, p) if plan.steroid is not None else None
    prompts = prompt_times(k).of(procedure)
    entries = diary_scores(
        rng,
        p,
        performed_at=at,
        baseline=baseline,
        prompts=prompts.times,
        anesthetic=numb,
        steroid=steroid,
        now=ctx.now,
    )
    documented = at + timedelta(minutes=rng.uniform(20, 60))
    computed = max([documented, *(e[0] for e in entries)])
    stored = clinical.stored_document(procedure)
    return Done(
        data=stored,
        performed_at=at,
        documented_at=documented,
        entries=entries,
        reading=clinical.reading(procedure, entries, computed, k),
        diary_ends=prompts.diary_ends,
        reports=clinical.symptom_reports(rng, p, procedure, stored, ctx.now, k),
    )


def _slot(rng: random.Random, zone: ZoneInfo, around: datetime) -> datetime:
    """A half-hour start on the weekday on or after `around`, in the clinic's zone."""
    day = around.astimezone(zone).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    first = DAY_STARTS.hour * 2 + DAY_STARTS.minute // 30
    last = DAY_ENDS.hour * 2 + DAY_ENDS.minute // 30
    half_hours = rng.randint(first, last)
    local = datetime.combine(day, time(half_hours // 2, 30 * (half_hours % 2)), tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone)


def _birth_date(rng: random.Random, on: date) -> date:
    years = rng.randint(*AGE_YEARS)
    return date(on.year - years, rng.randint(1, 12), rng.randint(1, 28))


def next_slot(at: datetime, zone: ZoneInfo) -> datetime:
    """The half-hour start after `at`: later the same day, else the next weekday's first."""
    local = (at.astimezone(UTC) + timedelta(minutes=30)).astimezone(zone)
    if local.time() <= DAY_ENDS and local.weekday() < 5:
        return local
    day = local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, DAY_STARTS, tzinfo=zone).astimezone(UTC).astimezone(zone)
