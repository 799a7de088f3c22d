"""Jinja2 environments, one per locale, with the message catalogs and format filters.

Templates use `{{ _("Text") }}` or `{% trans %}...{% endtrans %}` for every user-facing
string, and the filters below for values: `datetime(zone)`, `time(zone)`, `date`,
`number`, `message` (a service `Message` or a core sentence, `Words`, translated),
`plural_count` (a number as `ngettext` counts it: 1.5 weeks are plural, not an error), and
`any_in_english` (whether some of the core's sentences given, `Words` or English text kept
without them, would show in English). Autoescaping is on and an undefined variable is an
error.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import jinja2
from jinja2 import pass_context
from jinja2.runtime import Context

from sijcare.domain.words import Words, plural_count
from sijcare.services.errors import Message
from sijcare.web import i18n


class Templates:
    """Renders the templates of `sijcare/web/templates` in a given locale."""

    def __init__(self) -> None:
        self._loader = jinja2.PackageLoader("sijcare.web", "templates")
        self._envs: dict[str, jinja2.Environment] = {}

    def environment(self, locale: str) -> jinja2.Environment:
        if locale not in self._envs:
            self._envs[locale] = self._build(locale)
        return self._envs[locale]

    def render(self, name: str, context: dict[str, Any], *, locale: str) -> str:
        return self.environment(locale).get_template(name).render(context)

    def _build(self, locale: str) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=self._loader,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.policies["ext.i18n.trimmed"] = True
        env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
        env.globals["locale"] = locale
        env.filters.update(
            datetime=_datetime_filter,
            time=_time_filter,
            date=_date_filter,
            number=_number_filter,
            message=_message_filter,
            plural_count=plural_count,
            any_in_english=_any_in_english_filter,
        )
        return env


@pass_context
def _datetime_filter(context: Context, value: datetime, zone: str) -> str:
    return i18n.format_datetime(value, zone, context["locale"])


@pass_context
def _time_filter(context: Context, value: datetime, zone: str) -> str:
    return i18n.format_time(value, zone, context["locale"])


@pass_context
def _date_filter(context: Context, value: date, style: str = "long") -> str:
    return i18n.format_date(value, context["locale"], style)


@pass_context
def _number_filter(context: Context, value: float | int) -> str:
    return i18n.format_number(value, context["locale"])


@pass_context
def _message_filter(context: Context, value: Message | Words) -> str:
    locale = context["locale"]
    translate = i18n.translations(locale)
    if isinstance(value, Words):
        return value.render(translate, i18n.speller(locale))
    return value.render(translate)


@pass_context
def _any_in_english_filter(context: Context, sentences: Iterable[Words | str]) -> bool:
    """Whether a page in the reader's language shows one of `sentences` in English: an
    English text kept without its words, or words the catalogue does not have."""
    locale = context["locale"]
    return any(isinstance(said, str) or not i18n.in_catalogue(said, locale) for said in sentences)
