"""Reading diaries on one core: 100,000 therapeutic diaries of 30 scores each.

Each diary is drawn by the synthetic trajectories (a seeded generator, so every run reads
the same diaries) and read the way the product stores a reading: the core's
interpretation (`services.diary.read`), its label (`classify`) and its JSON document
(`to_jsonable`, then the text the database stores, `db.engine.json_text`; until
2026-11-26 `json.dumps`, which the product no longer uses). Drawing is not timed. One
process, one core; wall and CPU seconds.
"""

from __future__ import annotations

import gc
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sijcare import knowledge as knowledge_loader
from sijcare.db.engine import json_text
from sijcare.domain.diary_schedule import diary_schedule
from sijcare.domain.procedure import Anesthetic, Kind, Procedure, Side, Steroid
from sijcare.domain.relief import PainScore
from sijcare.formats.jsonout import to_jsonable
from sijcare.services import diary
from sijcare.synth.parameters import parameters_from
from sijcare.synth.trajectories import anesthetic_response, score, steroid_response

SCORES = 30
START = datetime(2025, 1, 6, 17, 0, tzinfo=UTC)


def diaries(count: int, seed: int = 1) -> list[tuple[Procedure, tuple[PainScore, ...]]]:
    """`count` therapeutic injections with 30 scores each, at the schedule's first times."""
    knowledge = knowledge_loader.load()
    p = parameters_from(knowledge)
    rng = random.Random(seed)
    template = Procedure(
        performed_at=START, kind=Kind.THERAPEUTIC, side=Side.LEFT,
        anesthetic=Anesthetic("lidocaine", 1.0, 2.0), steroid=Steroid("triamcinolone", 40.0),
        baseline_pain=7,
    )  # fmt: skip
    offsets = [prompt.due_at - START for prompt in diary_schedule(template, knowledge)][:SCORES]
    out = []
    for n in range(count):
        at = START + timedelta(hours=n % 5000)
        baseline = rng.randint(*p.baseline_pain)
        procedure = Procedure(
            performed_at=at, kind=Kind.THERAPEUTIC, side=Side.LEFT,
            anesthetic=template.anesthetic, steroid=template.steroid, baseline_pain=baseline,
        )  # fmt: skip
        numb = anesthetic_response(rng, p, "lidocaine", pain_source=rng.random() < 0.5)
        steroid = steroid_response(rng, p)
        scores = tuple(
            PainScore(at + o, score(rng, o / timedelta(hours=1), baseline, numb, steroid, p))
            for o in offsets
        )
        out.append((procedure, scores))
    return out


def run(count: int) -> dict[str, Any]:
    """Seconds to read `count` diaries, and to read and serialise them as stored."""
    knowledge = knowledge_loader.load()
    drawn = diaries(count)
    # The 3 million drawn inputs live until the end: frozen, the garbage collector's full
    # passes skip them (they are the benchmark's, not the reading's, and a job reading
    # stored diaries holds one batch at a time).
    gc.collect()
    gc.freeze()
    started, cpu = time.perf_counter(), time.process_time()
    for procedure, scores in drawn:
        diary.classify(diary.read(procedure, scores, knowledge))
    read_only = time.perf_counter() - started
    read_cpu = time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    for procedure, scores in drawn:
        reading = diary.read(procedure, scores, knowledge)
        diary.classify(reading)
        json_text(to_jsonable(reading))
    stored = time.perf_counter() - started
    stored_cpu = time.process_time() - cpu
    gc.unfreeze()
    # CPU seconds too: on a shared machine they are what the code costs.
    return {
        "diaries": count,
        "scores_each": SCORES,
        "read_seconds": round(read_only, 2),
        "read_and_serialise_seconds": round(stored, 2),
        "read_cpu_seconds": round(read_cpu, 2),
        "read_and_serialise_cpu_seconds": round(stored_cpu, 2),
    }
