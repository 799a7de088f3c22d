"""What a patient reads before an SI joint injection, in plain words.

Sections (title, paragraphs, bullets) the web app renders and a test checks for reading
level (grade 8 or below). The facts follow clinical-defaults.md and clinical-facts.md
§7; every figure comes from the knowledge base (`injection_risks` table, the
`education.*`, `triage.*` and `clinic.*` rules), each risk with its source. The
sentences are the product's own, kept as `Words` (English text and values), so that the
web layer can show them in the patient's language; `str()` of each is the English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijcare.domain.contact import help_line_clocks
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge, Provenance
from sijcare.domain.words import Words, clock_of, plural_words, words

RISK_TABLE = "injection_risks"
LEAFLET_RULES = (
    "education.observation_minutes",
    "education.steroid_onset_days",
    "education.steroid_relief_weeks",
    "triage.soreness_expected_days",
    "triage.flushing_expected_days",
    "diabetes.check_more_often_days",
    "therapeutic.flare_until_hours",
    "triage.fever_c",
    "clinic.help_line_opens",
    "clinic.help_line_closes",
    "clinic.help_line_phone",
    "clinic.after_hours_phone",
    "clinic.emergency_phone",
)


@dataclass(frozen=True)
class Bullet:
    text: Words
    source: str | None = None  # a source id, for a bullet that states a figure


@dataclass(frozen=True)
class Section:
    code: str
    title: Words
    paragraphs: tuple[Words, ...]
    bullets: tuple[Bullet, ...] = ()


@dataclass(frozen=True)
class Leaflet:
    sections: tuple[Section, ...]
    provenance: Provenance


@dataclass(frozen=True)
class RiskFigure:
    """One risk and how often it happens: `percent` of injections, or 1 in `one_in`."""

    id: str
    label: str
    percent: float | None
    one_in: int | None
    source: str
    evidence: str

    @property
    def in_words(self) -> str:
        """Like "about 2 in 100 people (2.1 %)" or "about 1 in 1,000 people"."""
        return str(self.how_often)

    @property
    def how_often(self) -> Words:
        if self.one_in is not None:
            return words("about 1 in {count:,} people", count=self.one_in)
        assert self.percent is not None
        if self.percent >= 1:
            return words(
                "about {count} in 100 people ({percent:g} %)",
                count=round(self.percent),
                percent=self.percent,
            )
        return words(
            "about 1 in {count:,} people ({percent:g} %)",
            count=round(100 / self.percent),
            percent=self.percent,
        )


def risk_words(risk: RiskFigure) -> Words:
    """Like "Soreness where the needle went in: about 13 in 100 people (12.9 %)." (the
    leaflet's and the consent answers'). The label comes from the knowledge base: the web
    layer lists the shipped ones for translation (`web.knowledge_text`)."""
    return words("{risk}: {how_often}.", risk=Words(risk.label), how_often=risk.how_often)


def risk_figures(knowledge: Knowledge) -> tuple[RiskFigure, ...]:
    """The rows of the `injection_risks` table; each needs `percent` or `one_in`."""
    return tuple(_risk(row) for row in knowledge.table(RISK_TABLE))


def _risk(row: Mapping[str, Any]) -> RiskFigure:
    percent, one_in = row.get("percent"), row.get("one_in")
    if (percent is None) == (one_in is None):
        raise InputError(f"{RISK_TABLE}.{row['id']}", "needs either percent or one_in")
    return RiskFigure(
        id=str(row["id"]),
        label=str(row["label"]),
        percent=None if percent is None else float(percent),
        one_in=None if one_in is None else int(one_in),
        source=str(row["source"]),
        evidence=str(row["evidence"]),
    )


def compose_leaflet(knowledge: Knowledge) -> Leaflet:
    """The patient leaflet about the SI joint injection, with its provenance."""
    sections = (
        _joint(),
        _injection(),
        _kinds(knowledge),
        _the_day(knowledge),
        _benefits(knowledge),
        _risks(knowledge),
        _side_effects(knowledge),
        _alternatives(),
        _when_to_get_help(knowledge),
    )
    return Leaflet(sections, knowledge.provenance(LEAFLET_RULES, {}))


def _joint() -> Section:
    return Section(
        "si_joint",
        words("Your SI joints"),
        (
            words(
                "Your SI joints sit low in your back, where your spine meets your hip bones. "
                "You have one on each side. They carry the weight of your upper body down "
                "to your legs."
            ),
            words(
                "SI is short for sacroiliac (say it sack-ro-ILL-ee-ack). Pain from these "
                "joints is often felt low in the back, in the buttock or in the hip."
            ),
        ),
    )


def _injection() -> Section:
    return Section(
        "injection",
        words("What the injection is"),
        (
            words(
                "A doctor puts a thin needle into the joint and gives medicine right there. "
                "X-rays help guide the needle. A little dye shows that the needle is in the "
                "joint."
            ),
            words(
                "The shot takes a few minutes. Most of your visit is getting ready and "
                "resting after."
            ),
        ),
    )


def onset_words(knowledge: Knowledge) -> Words:
    """When the steroid commonly starts to work, like "2 to 7 days" (the leaflet's and the
    consent answers')."""
    first, last = knowledge.numbers("education.steroid_onset_days")
    return words("{first:g} to {last:g} days", first=first, last=last)


def _kinds(knowledge: Knowledge) -> Section:
    return Section(
        "two_kinds",
        words("Two kinds of injection"),
        (
            words(
                "There are two kinds. Your doctor will tell you which one you are having. "
                "After either one, you may keep a pain diary. It shows how well it worked."
            ),
        ),
        (
            Bullet(
                words(
                    "A test injection (diagnostic) uses numbing medicine only. If your pain "
                    "eases for a few hours, the joint is likely the cause of your pain."
                )
            ),
            Bullet(
                words(
                    "A treatment injection (therapeutic) uses numbing medicine and a steroid. "
                    "The steroid calms swelling in the joint. It often starts to work in "
                    "{days}.",
                    days=onset_words(knowledge),
                ),
                knowledge.rule("education.steroid_onset_days").source,
            ),
        ),
    )


def _the_day(knowledge: Knowledge) -> Section:
    minutes = knowledge.integer("education.observation_minutes")
    return Section(
        "the_day",
        words("On the day"),
        (
            words(
                "If you will get medicine to help you relax, we will tell you when to stop "
                "eating and drinking."
            ),
        ),
        (
            Bullet(
                words(
                    "Bring someone to drive you home. Your leg may be weak or numb for a few hours."
                )
            ),
            Bullet(words("You lie face down on a table. The skin on your lower back is cleaned.")),
            Bullet(
                words(
                    "The doctor numbs your skin. Then X-rays help guide the needle into the joint."
                )
            ),
            Bullet(
                words("You may feel pressure. The medicine may sting or burn for a few seconds.")
            ),
            Bullet(words("A small bandage goes on the spot.")),
            Bullet(
                plural_words(
                    "We watch you for about {minutes} minute before you go home.",
                    "We watch you for about {minutes} minutes before you go home.",
                    "minutes",
                    minutes=minutes,
                )
            ),
        ),
    )


def _benefits(knowledge: Knowledge) -> Section:
    weeks = knowledge.integer("education.steroid_relief_weeks")
    return Section(
        "benefits",
        words("How it can help"),
        (
            words(
                "A test injection can show if your pain comes from the SI joint. This helps "
                "your doctor choose your next step."
            ),
            plural_words(
                "A treatment injection can ease pain from the joint. The relief often lasts "
                "{weeks} week or more. That can make it easier to move and to do your "
                "exercises.",
                "A treatment injection can ease pain from the joint. The relief often lasts "
                "{weeks} weeks or more. That can make it easier to move and to do your "
                "exercises.",
                "weeks",
                weeks=weeks,
            ),
            words("It does not help everyone, and the relief may not last."),
        ),
    )


def _risks(knowledge: Knowledge) -> Section:
    return Section(
        "risks",
        words("Risks"),
        (
            words("Most people have no problems. Here are the risks and how often they happen."),
            words(
                "Infections deep in the joint or near the spine are very rare. So are "
                "bleeding and nerve damage."
            ),
        ),
        tuple(Bullet(risk_words(r), r.source) for r in risk_figures(knowledge)),
    )


def _side_effects(knowledge: Knowledge) -> Section:
    soreness = knowledge.number("triage.soreness_expected_days")
    flushing = knowledge.number("triage.flushing_expected_days")
    sugar = knowledge.number("diabetes.check_more_often_days")
    flare = knowledge.number("therapeutic.flare_until_hours") / 24
    return Section(
        "side_effects",
        words("Side effects you may notice"),
        (words("These are common and go away by themselves."),),
        (
            Bullet(
                plural_words(
                    "Soreness where the needle went in, for up to {days:g} day.",
                    "Soreness where the needle went in, for up to {days:g} days.",
                    "days",
                    days=soreness,
                )
            ),
            Bullet(words("Your usual pain may come back as the numbing medicine wears off.")),
            Bullet(
                words("Your leg may feel numb or weak for a few hours. Do not walk alone or drive.")
            ),
            Bullet(
                plural_words(
                    "With a steroid, your face may be red and warm for up to {days:g} day.",
                    "With a steroid, your face may be red and warm for up to {days:g} days.",
                    "days",
                    days=flushing,
                )
            ),
            Bullet(
                plural_words(
                    "With a steroid, blood sugar may go up for about {days:g} day. "
                    "If you have diabetes, check it more often.",
                    "With a steroid, blood sugar may go up for about {days:g} days. "
                    "If you have diabetes, check it more often.",
                    "days",
                    days=sugar,
                )
            ),
            Bullet(
                plural_words(
                    "With a steroid, pain may flare up for up to {days:g} day before it eases.",
                    "With a steroid, pain may flare up for up to {days:g} days before it eases.",
                    "days",
                    days=flare,
                )
            ),
        ),
    )


_ALTERNATIVES = (
    words("Physical therapy. A therapist shows you how to move and stretch at home."),
    words("Pain pills, such as ones that also calm swelling."),
    words("Hands-on care that moves and stretches the joint."),
    words("A treatment that uses heat to quiet the small nerves of the joint."),
    words("Surgery to join the bones, for a few people whose pain does not get better."),
    words("Waiting to see how your pain goes, with no new treatment."),
)


def alternative_words() -> tuple[Words, ...]:
    """Other choices than the injection, in plain words (shared with the consent answers)."""
    return _ALTERNATIVES


def _alternatives() -> Section:
    return Section(
        "alternatives",
        words("Other choices"),
        (words("You do not have to have this injection. You can talk with your doctor about:"),),
        tuple(Bullet(text) for text in _ALTERNATIVES),
    )


def _when_to_get_help(knowledge: Knowledge) -> Section:
    fever = knowledge.number("triage.fever_c")
    opens, closes = help_line_clocks(knowledge)
    return Section(
        "when_to_get_help",
        words("When to get help"),
        (
            words(
                "Call {emergency} right away if you have trouble breathing or swelling of "
                "your face, lips or throat. Do the same for weakness in both legs, or a new "
                "problem with your bladder or bowels.",
                emergency=knowledge.text("clinic.emergency_phone"),
            ),
            words(
                "Call the clinic for a fever of {celsius:g} °C ({fahrenheit:g} °F) or higher. "
                "Call for redness or oozing where the needle went in. Call for severe pain, "
                "or leg weakness that does not go away.",
                celsius=fever,
                fahrenheit=fever * 9 / 5 + 32,
            ),
            words(
                "The help line is open every day from {opens} to {closes}. The number is "
                "{help_line}. At other times, call {after_hours}.",
                opens=clock_of(opens),
                closes=clock_of(closes),
                help_line=knowledge.text("clinic.help_line_phone"),
                after_hours=knowledge.text("clinic.after_hours_phone"),
            ),
        ),
    )
