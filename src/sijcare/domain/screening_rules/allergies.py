"""Allergies and past reactions: contrast dye, local anesthetics, steroids and others.

A prior allergic-like reaction to iodinated contrast, with contrast planned, is reviewed
with the options computed from the procedure time: the ACR premedication regimens
(table `contrast_premedication`, doses at hours before the contrast, which is given at
the procedure time) or guidance without contrast (`contrast.alternative_guidance`).
Gadolinium is never offered. A shellfish allergy alone is not a contrast allergy. An
allergy to a local anesthetic is always reviewed (the skin is numbed too); one to a
steroid is reviewed when a steroid is planned. Latex and skin-antiseptic allergies are
reviewed (table `allergy_substances`). Substances are recognised by name, so an
allergy the patient filed under "medicine" or "other" still counts when its name is a
contrast agent, an anesthetic or a steroid (tables `anesthetics`, `steroids` too).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sijcare.domain.intake import Allergy, AllergyKind, PastReaction, ReactionTo
from sijcare.domain.knowledge import Knowledge, per_knowledge
from sijcare.domain.medicines import Phrase, find_phrases, words
from sijcare.domain.screening_rules import timeline
from sijcare.domain.screening_rules.findings import Action, Case, Finding, Option, Severity
from sijcare.domain.screening_words import finding_words

ALTERNATIVE = "contrast.alternative_guidance"
CONTRAST = "contrast dye"
SHELLFISH_ROW = "shellfish"  # the row of `allergy_substances` that is not a contrast allergy
_REACTION_KIND = {
    ReactionTo.CONTRAST: AllergyKind.CONTRAST,
    ReactionTo.ANESTHETIC: AllergyKind.ANESTHETIC,
    ReactionTo.STEROID: AllergyKind.STEROID,
}

Substances = Mapping[Phrase, tuple[tuple[AllergyKind, Mapping[str, Any] | None], ...]]


def screen_allergies(case: Case) -> list[Finding]:
    """Findings for the allergies and past reactions; the contrast ones give one finding."""
    substances = _substances(case)
    contrast: list[str] = []
    findings: list[Finding] = []
    steroid_allergy = False
    for allergy in case.intake.allergies:
        kinds, rows = classify(allergy, substances)
        steroid_allergy |= AllergyKind.STEROID in kinds
        if AllergyKind.CONTRAST in kinds:
            contrast.append(f"allergy to {allergy.substance!r}{_reaction(allergy)}")
        findings += _allergy_findings(case, allergy, kinds, rows)
    for reaction in case.intake.past_reactions:
        if reaction.to is ReactionTo.CONTRAST:
            contrast.append(f"past reaction: {reaction.description!r}")
        else:
            findings.append(_reaction_finding(case, reaction))
    if contrast:
        findings.insert(0, _contrast(case, contrast, steroid_allergy=steroid_allergy))
    return findings


def classify(
    allergy: Allergy, substances: Substances
) -> tuple[set[AllergyKind], list[Mapping[str, Any]]]:
    """The kinds an allergy counts as (its own and its substance's), and the matched rows."""
    kinds = {allergy.kind}
    rows: list[Mapping[str, Any]] = []
    for _, _, hits in find_phrases(words(allergy.substance), substances):
        for kind, row in hits:
            kinds.add(kind)
            if row is not None and row not in rows:
                rows.append(row)
    return kinds, rows


def _substances(case: Case) -> Substances:
    return _substance_index(case.knowledge)


@per_knowledge  # every name of three tables, normalised: once per Knowledge
def _substance_index(k: Knowledge) -> Substances:
    index: dict[Phrase, list[tuple[AllergyKind, Mapping[str, Any] | None]]] = {}
    named: list[tuple[AllergyKind, Mapping[str, Any], Mapping[str, Any] | None]] = [
        (AllergyKind.ANESTHETIC, row, None) for row in k.table("anesthetics")
    ]
    named += [(AllergyKind.STEROID, row, None) for row in k.table("steroids")]
    named += [(AllergyKind(r["kind"]), r, r) for r in k.table("allergy_substances")]
    for kind, row, kept in named:
        for name in (row["id"], *row.get("names", ())):
            index.setdefault(words(str(name)), []).append((kind, kept))
    return {phrase: tuple(hits) for phrase, hits in index.items()}


def _reaction(allergy: Allergy) -> str:
    return f" ({allergy.reaction})" if allergy.reaction else ""


def _allergy_findings(
    case: Case, allergy: Allergy, kinds: set[AllergyKind], rows: list[Mapping[str, Any]]
) -> list[Finding]:
    findings = []
    if AllergyKind.ANESTHETIC in kinds:
        findings.append(_anesthetic(allergy.substance, f"Allergy{_reaction(allergy)}"))
    if AllergyKind.STEROID in kinds:
        findings.append(_steroid(case, allergy.substance, f"Allergy{_reaction(allergy)}"))
    findings += [_named_review(allergy, row) for row in rows if row.get("screening") == "review"]
    if findings or AllergyKind.CONTRAST in kinds:
        return findings
    shellfish = next((row for row in rows if row["id"] == SHELLFISH_ROW), None)
    return [_recorded(allergy, shellfish)]


def _anesthetic(about: str, what: str) -> Finding:
    return Finding.of(
        finding_words("allergy.anesthetic"),
        code="allergy.anesthetic",
        about=about,
        severity=Severity.REVIEW,
        clinician_rationale=f"{what} to a local anesthetic: the planned agent and the skin "
        "infiltration need review (true local-anesthetic allergy is rare; clarify the "
        "agent and the reaction).",
        source="product-default",
    )


def _steroid(case: Case, about: str, what: str) -> Finding:
    planned = case.intake.procedure.steroid_agent
    if planned is None:
        return Finding.of(
            finding_words("allergy.steroid_not_planned"),
            code="allergy.steroid_not_planned",
            about=about,
            severity=Severity.INFO,
            clinician_rationale=f"{what} to a steroid; no steroid is planned (diagnostic block).",
            source="product-default",
        )
    return Finding.of(
        finding_words("allergy.steroid"),
        code="allergy.steroid",
        about=about,
        severity=Severity.REVIEW,
        clinician_rationale=f"{what} to a steroid with {planned} planned: review the "
        "agent (or plan an anesthetic-only injection).",
        source="product-default",
    )


def _named_review(allergy: Allergy, row: Mapping[str, Any]) -> Finding:
    return Finding.of(
        finding_words("allergy.prepare_room"),
        code=f"allergy.{row['id']}",
        about=allergy.substance,
        severity=Severity.REVIEW,
        clinician_rationale=f"Allergy to {allergy.substance!r}{_reaction(allergy)}. "
        + str(row.get("note", "")),
        source=str(row["source"]),
    )


def _recorded(allergy: Allergy, shellfish: Mapping[str, Any] | None) -> Finding:
    if shellfish is not None:
        return Finding.of(
            finding_words("allergy.shellfish_not_contrast"),
            code="allergy.shellfish_not_contrast",
            about=allergy.substance,
            severity=Severity.INFO,
            clinician_rationale=f"Allergy to {allergy.substance!r}: " + str(shellfish["note"]),
            source=str(shellfish["source"]),
        )
    return Finding.of(
        finding_words("allergy.recorded"),
        code="allergy.recorded",
        about=allergy.substance,
        severity=Severity.INFO,
        clinician_rationale=f"Allergy to {allergy.substance!r} ({allergy.kind.value})"
        f"{_reaction(allergy)}: not used in this procedure as far as the screening knows.",
        source="product-default",
    )


def _reaction_finding(case: Case, reaction: PastReaction) -> Finding:
    what = f"Past reaction ({reaction.description!r})"
    about = f"past reaction ({reaction.to.value})"
    kind = _REACTION_KIND.get(reaction.to)
    if kind is AllergyKind.ANESTHETIC:
        return _anesthetic(about, what)
    if kind is AllergyKind.STEROID:
        return _steroid(case, about, what)
    return Finding.of(
        finding_words("reaction.other"),
        code=f"reaction.{reaction.to.value}",
        about=about,
        severity=Severity.REVIEW,
        clinician_rationale=f"{what} to {reaction.to.value}: review before the procedure.",
        source="product-default",
    )


def _contrast(case: Case, what: list[str], *, steroid_allergy: bool) -> Finding:
    alternative = case.knowledge.text(ALTERNATIVE)
    if not case.intake.procedure.contrast_planned:
        return Finding.of(
            finding_words("contrast.not_planned"),
            code="contrast.not_planned",
            about=CONTRAST,
            severity=Severity.INFO,
            clinician_rationale=f"Prior contrast reaction ({'; '.join(what)}); no contrast planned "
            f"({case.intake.procedure.guidance.value} guidance).",
            source="acr-contrast-2021",
        )
    notes = [
        f"Prior allergic-like reaction to iodinated contrast ({'; '.join(what)}): about "
        "5-fold risk of another. Options: ACR premedication timed from the procedure, or "
        f"{alternative} guidance without contrast. Gadolinium is not offered as a "
        "substitute (Benzon 2021 warnings)."
    ]
    if steroid_allergy:
        notes.append(
            "The patient also reports a steroid allergy: weigh it before steroid premedication."
        )
    if case.intake.diabetes.has:
        notes.append("Premedication steroids raise blood sugar in diabetes.")
    return Finding.of(
        finding_words("contrast.prior_reaction"),
        code="contrast.prior_reaction",
        about=CONTRAST,
        severity=Severity.REVIEW,
        clinician_rationale=" ".join(notes),
        source="acr-contrast-2021",
        rule_keys=(ALTERNATIVE,),
        options=(*_premedication(case), _without_contrast(alternative)),
    )


def _premedication(case: Case) -> list[Option]:
    options = []
    for row in case.knowledge.table("contrast_premedication"):
        steps = sorted(
            (
                Action(
                    case.before(timedelta(hours=float(hours))),
                    f"{dose['drug']} {float(dose['dose_mg']):g} mg {dose['route']}",
                    f"contrast.premedication.{row['id']}",
                    CONTRAST,
                )
                for dose in row["doses"]
                for hours in dose["hours_before"]
            ),
            key=lambda a: a.at,
        )
        timed = "; ".join(f"{s.what}: {timeline.spoken(s.at)}" for s in steps)
        options.append(
            Option(
                code=f"contrast.premedication.{row['id']}",
                summary=f"ACR premedication, {row['title']}: {timed}. {row.get('note', '')}".strip(),
                steps=tuple(steps),
            )
        )
    return options


def _without_contrast(alternative: str) -> Option:
    return Option(
        code=f"contrast.{alternative}_without_contrast",
        summary=f"Guide the needle with {alternative} and no contrast dye (the Medicare LCD "
        "accepts this with a contrast allergy).",
    )
