"""Lints of the Spanish catalogue's wording (ADR 0007)."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from sijcare.web import i18n

# "la"/"las" just before a value: a clock time can be 1:00 ("a la 1:00", "a las 2:00").
_ARTICLE_BEFORE_VALUE = re.compile(r"\b(la|las)\s+(\{|%\()", re.IGNORECASE)


def spanish_entries() -> list[tuple[object, tuple[str, ...]]]:
    with (i18n.locale_dir() / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="es")
    return [
        (m.id, m.string if isinstance(m.string, tuple) else (m.string,)) for m in catalog if m.id
    ]


def test_no_spanish_text_puts_an_article_before_a_value() -> None:
    # The time goes after a colon ("a esta hora: {clock}") or as a label ("Hora: {time}").
    found = [
        (msgid, text)
        for msgid, texts in spanish_entries()
        for text in texts
        if _ARTICLE_BEFORE_VALUE.search(text or "")
    ]
    assert found == []


def test_the_lint_finds_the_article_it_looks_for() -> None:
    for bad in ("llegue antes de las {time}.", "hacia las {clock}", "a la %(when)s"):
        assert _ARTICLE_BEFORE_VALUE.search(bad), bad
    for good in ("llegue a esta hora: {time}, o antes.", "Hora: {clock}", "la clínica {name}"):
        assert not _ARTICLE_BEFORE_VALUE.search(good), good
