"""Message catalogs, locale choice and locale-aware formatting of dates, times and numbers.

The catalogs are gettext `.po` files in `locale/<lang>/LC_MESSAGES/messages.po`, compiled
in memory when the app starts (no binary `.mo` files in the repository). English is the
source language. After adding or changing a user-facing string, refresh the catalogs:

    uv run python -m sijcare.web.i18n extract

then translate the new entries of every `.po` file (the tests fail on a missing or empty
translation).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import dates, numbers
from babel.core import negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations

from sijcare.domain.words import Clock, Day, DayStyle, Joined, Spell, Words
from sijcare.settings import LOCALES

SOURCE_LOCALE = "en"
DOMAIN = "messages"
# gettext keywords: `msg` marks service messages, `_`/`gettext`/`ngettext` the web layer's,
# `words` the core's sentences a patient reads (`domain.words`; only in the modules below);
# `plural_msg` and `plural_words` those with a count (a plural entry: the English for 1,
# then for other counts).
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "msg": None,
    "words": None,
    "plural_msg": (1, 2),
    "plural_words": (1, 2),
}
METHOD_MAP = [
    ("domain/consent_words.py", "python"),
    ("domain/contact.py", "python"),
    ("domain/diary_schedule.py", "python"),
    ("domain/education.py", "python"),
    ("domain/instruction_parts.py", "python"),
    ("domain/instruction_words.py", "python"),
    ("domain/instructions.py", "python"),
    ("domain/screening_rules/timeline.py", "python"),
    ("domain/screening_words.py", "python"),
    ("domain/triage.py", "python"),
    ("domain/triage_words.py", "python"),
    ("services/**.py", "python"),
    ("web/**.py", "python"),
    ("web/templates/**.html", "jinja2"),
]
OPTIONS_MAP = {"web/templates/**.html": {"trimmed": "true"}}
LOCALE_NAMES = {"en": "English", "es": "Español"}


def locale_dir() -> Path:
    return Path(str(resources.files("sijcare.web").joinpath("locale")))


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog for `locale`; English (the source language) needs none."""
    if locale == SOURCE_LOCALE:
        return NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(locale), use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


@cache
def _catalog(locale: str) -> Catalog:
    path = locale_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po:
        return read_po(po, locale=locale)


@cache
def _translated(locale: str) -> frozenset[str]:
    # A plural entry by its English for 1 (the `text` of its `Words`), with every form.
    return frozenset(
        m.id if isinstance(m.id, str) else m.id[0]
        for m in _catalog(locale)
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    )


def in_catalogue(said: Words, locale: str) -> bool:
    """Whether `locale` has `said` and the sentences in it (English always does).

    A sentence stored with a report keeps the English it had then: once that English
    changes, the catalogue no longer has it and a page shows it in English."""
    if locale == SOURCE_LOCALE:
        return True
    return _known(said, _translated(locale))


def _known(value: object, known: frozenset[str]) -> bool:
    if isinstance(value, Words):
        return value.text in known and all(_known(v, known) for v in value.params.values())
    if isinstance(value, Joined):
        return all(_known(part, known) for part in value.parts)
    return True


def choose_locale(preferred: str | None, accept_language: str, default: str) -> str:
    """The user's own locale, else the browser's best match, else the clinic's default."""
    if preferred in LOCALES:
        return preferred
    wanted = [part.split(";")[0].strip() for part in accept_language.split(",") if part.strip()]
    return negotiate_locale(wanted, list(LOCALES), sep="-") or default


def format_datetime(value: datetime, zone: str, locale: str) -> str:
    """Date and time in `zone`, with the zone's abbreviation (PST, PDT) so it is unambiguous."""
    local = value.astimezone(ZoneInfo(zone))
    return " ".join(
        (
            dates.format_date(local, "full", locale=locale),
            dates.format_time(local, "short", locale=locale),
            local.tzname() or zone,
        )
    )


def format_time(value: datetime, zone: str, locale: str) -> str:
    local = value.astimezone(ZoneInfo(zone))
    return f"{dates.format_time(local, 'short', locale=locale)} {local.tzname() or zone}"


def format_date(value: date, locale: str, style: str = "long") -> str:
    return dates.format_date(value, style, locale=locale)


# How the core's days are written in each language but English (`domain.words.Day`):
# the weekday, the day and the month, no year, as the English "Monday, March 2".
_DAY_PATTERNS = {
    "es": {
        DayStyle.FULL: "EEEE, d 'de' MMMM",
        DayStyle.WEEKDAY: "EEEE",
        DayStyle.MONTH_DAY: "d 'de' MMMM",
    },
}


def speller(locale: str) -> Spell | None:
    """How the core's days and times are written in `locale` (None: the core's English)."""
    if locale == SOURCE_LOCALE:
        return None
    patterns = _DAY_PATTERNS.get(locale, {})

    def spell(value: Day | Clock) -> str:
        if isinstance(value, Clock):
            return dates.format_time(value.at, "short", locale=locale)
        pattern = patterns.get(value.style)
        if pattern is None:
            return dates.format_date(value.day, "full", locale=locale)
        return dates.format_date(value.day, pattern, locale=locale)

    return spell


def format_number(value: float | int, locale: str) -> str:
    return numbers.format_decimal(value, locale=locale)


def extract(root: Path | None = None) -> Catalog:
    """All messages of the package (Python `msg`/`_` calls and templates) as a catalog."""
    base = root or Path(str(resources.files("sijcare")))
    catalog = Catalog(project="sijcare", domain=DOMAIN, charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(base),
        METHOD_MAP,
        OPTIONS_MAP,
        keywords=KEYWORDS,
        comment_tags=("i18n:",),
        directory_filter=_searched,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _searched(path: str) -> bool:
    # Babel skips folders starting with "_" by default; templates/_components holds messages.
    name = Path(path).name
    return not name.startswith(".") and name != "__pycache__"


def update_catalogs(locales: Sequence[str] = LOCALES) -> None:
    """Write `messages.pot` and merge it into every translated `.po` file."""
    template = extract()
    with (locale_dir() / f"{DOMAIN}.pot").open("wb") as out:
        write_po(out, template, omit_header=True, sort_output=True, width=100, include_lineno=False)
    for locale in locales:
        if locale == SOURCE_LOCALE:
            continue
        path = locale_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        with path.open("rb") as po:
            catalog = read_po(po, locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open("wb") as out:
            write_po(
                out, catalog, omit_header=True, sort_output=True, width=100, include_lineno=False
            )


if __name__ == "__main__":
    if sys.argv[1:] != ["extract"]:
        sys.exit("usage: python -m sijcare.web.i18n extract")
    update_catalogs()
