"""The patient leaflet: its sections, and the figures it quotes with their sources.

Rules (clinical-facts.md §7, knowledge education.toml): skin infection about 1 in 1,000;
a serious allergy about 1 in 40,000; fainting 2.1 %; soreness 12.9 %; more pain 5.3 %;
flushing 2.3 %; leg numbness or weakness for a few hours about 6.3 %. A figure at or
above 1 % reads "about N in 100 people (x %)", below it "about 1 in N people".
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import pytest

from sijcare import knowledge as loader
from sijcare.domain.education import RiskFigure, compose_leaflet, risk_figures
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge, Table

SECTIONS = [
    "si_joint",
    "injection",
    "two_kinds",
    "the_day",
    "benefits",
    "risks",
    "side_effects",
    "alternatives",
    "when_to_get_help",
]

FIGURES = [
    pytest.param("infection", "about 1 in 1,000 people", "uk-sij-leaflet", id="infection"),
    pytest.param("allergy", "about 1 in 40,000 people", "uk-sij-leaflet", id="allergy"),
    pytest.param("fainting", "about 2 in 100 people (2.1 %)", "plastaras-2012", id="vasovagal"),
    pytest.param("soreness", "about 13 in 100 people (12.9 %)", "plastaras-2012", id="soreness"),
    pytest.param("more_pain", "about 5 in 100 people (5.3 %)", "plastaras-2012", id="more-pain"),
    pytest.param("flushing", "about 2 in 100 people (2.3 %)", "plastaras-2012", id="flushing"),
    pytest.param(
        "leg_numbness", "about 6 in 100 people (6.3 %)", "sciatic-spread-secondary", id="leg"
    ),
]


def test_sections_in_order_each_with_a_title_and_text(knowledge: Knowledge) -> None:
    leaflet = compose_leaflet(knowledge)
    assert [s.code for s in leaflet.sections] == SECTIONS
    for section in leaflet.sections:
        assert str(section.title).strip()
        assert section.paragraphs or section.bullets


@pytest.mark.parametrize(("risk", "words", "source"), FIGURES)
def test_each_risk_figure_is_quoted_with_its_source(
    knowledge: Knowledge, risk: str, words: str, source: str
) -> None:
    figure = next(f for f in risk_figures(knowledge) if f.id == risk)
    assert figure.in_words == words
    assert figure.source == source
    risks = next(s for s in compose_leaflet(knowledge).sections if s.code == "risks")
    bullet = next(b for b in risks.bullets if words in str(b.text))
    assert bullet.source == source
    assert source in knowledge.sources


@pytest.mark.parametrize(
    ("percent", "one_in", "words"),
    [
        pytest.param(1.0, None, "about 1 in 100 people (1 %)", id="1-percent"),
        pytest.param(0.5, None, "about 1 in 200 people (0.5 %)", id="half-percent"),
        pytest.param(None, 40000, "about 1 in 40,000 people", id="one-in"),
    ],
)
def test_figures_in_words(percent: float | None, one_in: int | None, words: str) -> None:
    figure = RiskFigure("x", "X", percent, one_in, "product-default", "clinic_default")
    assert figure.in_words == words


def test_the_leaflet_distinguishes_the_two_kinds(knowledge: Knowledge) -> None:
    kinds = next(s for s in compose_leaflet(knowledge).sections if s.code == "two_kinds")
    diagnostic, therapeutic = (str(b.text) for b in kinds.bullets)
    assert "numbing medicine only" in diagnostic
    assert "steroid" in therapeutic and "2 to 7 days" in therapeutic


def test_clinic_settings_flow_into_the_text(knowledge: Knowledge) -> None:
    clinic = loader.apply_overrides(
        knowledge,
        {"education.observation_minutes": 45, "clinic.help_line_phone": "+1 206-555-0142"},
    )
    text = " ".join(
        str(part)
        for section in compose_leaflet(clinic).sections
        for part in (*section.paragraphs, *(b.text for b in section.bullets))
    )
    assert "about 45 minutes" in text
    assert "+1 206-555-0142" in text
    assert "100.4 °F" in text


def test_provenance_records_the_rules_quoted(knowledge: Knowledge) -> None:
    provenance = compose_leaflet(knowledge).provenance
    assert provenance.rules["education.steroid_onset_days"] == [2, 7]
    assert provenance.knowledge_version == knowledge.version


def test_a_risk_row_needs_one_figure(knowledge: Knowledge) -> None:
    bad = Table(
        "injection_risks",
        "",
        "t",
        ({"id": "odd", "label": "Odd", "source": "x", "evidence": "secondary"},),
    )
    broken = replace(
        knowledge, tables=MappingProxyType({**knowledge.tables, "injection_risks": bad})
    )
    with pytest.raises(InputError, match=r"injection_risks\.odd"):
        risk_figures(broken)
