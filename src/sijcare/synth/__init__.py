"""The synthetic health system: a realistic, reproducible population for benchmarks and demos.

`sijcare synth --clinics C --patients N --seed S` writes clinics, physicians, referred
patients and everything their pathways leave behind (screening answers, consent, booked
and done procedures, pain diaries, the core's interpretations, symptom reports and
follow-up visits) into the configured database.

- `parameters`: the knowledge rules `synth.*` (data/synth.toml, each with its source).
- `trajectories`: how relief after an injection unfolds and becomes diary scores (pure).
- `people`: one patient's referral, pathways and records, drawn from a seeded generator
  and read by the real core (screening, diary interpretation, triage).
- `writer`: numbering the records and writing them in batches (bulk inserts).
- `run`: the whole run, with a progress bar on stderr.

The same seed, sizes, last day and knowledge give the same population.
"""
