"""Matching medicine names: generic and brand names, any case, dose text around them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sijcare.domain.knowledge import Knowledge
from sijcare.domain.medicines import (
    Category,
    MedicineIndex,
    choose_regimen,
    closest_names,
    identify,
    index_medicines,
    unrecognised_words,
    words,
)


@pytest.fixture(scope="module")
def index(knowledge: Knowledge) -> MedicineIndex:
    return index_medicines(knowledge)


def generics(text: str, index: MedicineIndex) -> list[tuple[str, str]]:
    return [(m.category.value, m.generic) for m in identify(text, index)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Eliquis 5 mg", [("blood_thinners", "apixaban")], id="brand-with-dose"),
        pytest.param("ELIQUIS", [("blood_thinners", "apixaban")], id="upper-case"),
        pytest.param("eliquis-5mg BID", [("blood_thinners", "apixaban")], id="punctuation"),
        pytest.param(
            "Coumadin (warfarin) 2.5mg", [("blood_thinners", "warfarin")], id="brand-and-generic"
        ),
        pytest.param("Jantoven", [("blood_thinners", "warfarin")], id="second-brand"),
        pytest.param("Tylenol Extra Strength", [("known_medicines", "acetaminophen")], id="known"),
        pytest.param(
            "insulin glargine 20 units",
            [("diabetes_medicines", "insulin-glargine")],
            id="longest-name-wins",
        ),
        pytest.param("Humulin N", [("diabetes_medicines", "insulin-nph")], id="two-word-brand"),
        pytest.param(
            "aspirin and Plavix",
            [("no_hold_antiplatelets", "aspirin"), ("blood_thinners", "clopidogrel")],
            id="two-in-one",
        ),
        pytest.param("Frobnazol", [], id="unknown"),
        pytest.param("", [], id="empty"),
        pytest.param(
            "Naïve café Celebrex", [("no_hold_antiplatelets", "celecoxib")], id="accents-ignored"
        ),
    ],
)
def test_identify(index: MedicineIndex, text: str, expected: list[tuple[str, str]]) -> None:
    assert generics(text, index) == expected


@pytest.mark.parametrize(
    ("text", "left_over"),
    [
        pytest.param("Eliquis 5 mg twice a day", (), id="dose-and-timing"),
        pytest.param("Metformin ER 500mg BID", (), id="abbreviations"),
        pytest.param("1 tab Tylenol PM at bedtime as needed", (), id="around-the-name"),
        pytest.param("fish oil with vitamin D3", ("fish", "oil"), id="unknown-beside-known"),
        pytest.param("Frobnazol 10 mg", ("frobnazol",), id="unknown"),
    ],
)
def test_unrecognised_words(index: MedicineIndex, text: str, left_over: tuple[str, ...]) -> None:
    assert unrecognised_words(text, index) == left_over


@pytest.mark.parametrize(
    ("text", "regimens"),
    [
        pytest.param("Ozempic", ["weekly"], id="brand-decides"),
        pytest.param("semaglutide", ["weekly", "daily"], id="generic-open"),
        pytest.param("Ozempic (semaglutide)", ["weekly"], id="mentions-agree"),
        pytest.param("Lovenox", ["prophylactic", "treatment"], id="enoxaparin-open"),
    ],
)
def test_regimens_a_name_leaves_open(index: MedicineIndex, text: str, regimens: list[str]) -> None:
    (medicine,) = identify(text, index)
    assert [r["regimen"] for r in medicine.rows] == regimens


def test_choose_regimen(index: MedicineIndex) -> None:
    (medicine,) = identify("semaglutide", index)
    assert [r["id"] for r in choose_regimen(medicine, None, "semaglutide 14 mg daily")] == [
        "semaglutide-daily"
    ]
    assert [r["id"] for r in choose_regimen(medicine, "WEEKLY", "")] == ["semaglutide-weekly"]
    assert choose_regimen(medicine, "monthly", "") == ()
    assert len(choose_regimen(medicine, None, "semaglutide")) == 2


def test_every_name_means_one_medicine(knowledge: Knowledge) -> None:
    seen: dict[tuple[str, ...], tuple[str, str]] = {}
    for category in Category:
        for row in knowledge.table(category.value):
            owner = (category.value, str(row.get("medicine", row["id"])))
            for name in (row["id"], *row.get("names", ())):
                phrase = words(str(name))
                assert seen.setdefault(phrase, owner) == owner, (name, seen[phrase], owner)


def test_there_are_enough_known_medicines(knowledge: Knowledge) -> None:
    assert len(knowledge.table("known_medicines")) >= 80


def test_closest_names_suggest_misspellings(index: MedicineIndex) -> None:
    assert "Eliquis" in closest_names("Eliquiss", index)
    assert closest_names("zzzz", index) == ()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes(index: MedicineIndex, text: str) -> None:
    for medicine in identify(text, index):
        assert medicine.rows
    assert set(unrecognised_words(text, index)) <= set(words(text))
    closest_names(text, index)


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    before=st.sampled_from(["", "take ", "Rx: ", "1 tab "]),
    after=st.sampled_from(["", " 5 mg", " 20mg twice a day", " (as needed)", ", daily"]),
)
def test_a_known_name_is_found_in_any_case_with_dose_text(
    index: MedicineIndex, data: st.DataObject, before: str, after: str
) -> None:
    names = sorted(index.display.values())
    name = data.draw(st.sampled_from(names))
    cased = data.draw(st.sampled_from([name, name.upper(), name.lower(), name.title()]))
    wanted = {(category, row["id"]) for category, row in index.phrases[words(name)]}
    found = {
        (m.category, row["id"]) for m in identify(before + cased + after, index) for row in m.rows
    }
    assert wanted & found, (name, found)
