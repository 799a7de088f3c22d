"""The pain chart: a patient's diary drawn with matplotlib, as inline SVG markup.

`pain_chart_svg` draws the scores over time after the injection, with the pain before it
(baseline, a dashed line). A diagnostic block adds the anesthetic window (shaded) and the
level of pain that means the positive threshold's relief (a dotted line); a therapeutic
injection adds its milestones (shaded day ranges with their target day). Every level and
window comes from the core's reading (`interpretation`) or, without one, from the same
knowledge rules the core reads. `describe_pain_chart` gives the chart's text alternative.

No database access here: the clinicians' diary review draws the same chart. The SVG is
made safe for the app's Content-Security-Policy (no `<style>` element, no `style`
attributes: matplotlib's inline styles become SVG presentation attributes), labelled for
assistive technology (`role="img"` with a title and a description) and scales to its
container. matplotlib is used without pyplot (no global figure state or GUI backend);
its settings are process-wide, so drawing is serialised by a lock.
"""

from __future__ import annotations

import io
import math
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sijcare.domain.diagnostic import DiagnosticResult
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind, Procedure, anesthetic_window
from sijcare.domain.relief import PainScore
from sijcare.domain.therapeutic import MILESTONES, DayRange, TherapeuticResult, milestone_days
from sijcare.web import i18n

Reading = DiagnosticResult | TherapeuticResult
Translate = Callable[[str], str]

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)

# Colours from the app's palette (contrast against white in static/app.css); every line
# also differs in style, so nothing is told by colour alone.
PAIN = "#0b4f8a"
BASELINE = "#4a4a4a"
THRESHOLD = "#1e6b34"
WINDOW = "#cfe0f1"
MILESTONE = "#e6e4e1"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
# (typed Any: matplotlib's stubs accept only its literal keys)
_SETTINGS: Any = {
    "svg.fonttype": "none",  # text stays text: smaller, and it follows the page's font
    "svg.hashsalt": "sijcare",  # the same chart gives the same markup
    "font.size": 14,
    "axes.titlesize": 14,
    "axes.labelsize": 14,
    "legend.fontsize": 13,
}
_DRAWING = threading.Lock()
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)


def pain_chart_svg(
    procedure: Procedure,
    scores: Sequence[PainScore],
    interpretation: Reading | None,
    knowledge: Knowledge,
    zone: str,
    locale: str,
    *,
    element_id: str = "pain-chart",
) -> str:
    """The chart as an `<svg>` element to put inside a page (ids start with `element_id`)."""
    _ = i18n.translations(locale).gettext
    ordered = sorted(scores, key=lambda s: s.recorded_at.astimezone(UTC))
    with _DRAWING, matplotlib.rc_context(_SETTINGS):
        figure = Figure(figsize=(4.8, 4.8), layout="constrained")
        axes = figure.add_subplot()
        if procedure.kind is Kind.DIAGNOSTIC:
            _diagnostic(axes, procedure, ordered, interpretation, knowledge, _)
        else:
            _therapeutic(axes, procedure, ordered, interpretation, knowledge, _)
        _frame(axes, procedure, ordered, _)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    title = _("Your pain after the injection")
    description = describe_pain_chart(procedure, ordered, interpretation, knowledge, zone, locale)
    return make_inline(out.getvalue(), element_id=element_id, title=title, description=description)


def describe_pain_chart(
    procedure: Procedure,
    scores: Sequence[PainScore],
    interpretation: Reading | None,
    knowledge: Knowledge,
    zone: str,
    locale: str,
) -> str:
    """The chart in words, for people who cannot see it (its text alternative)."""
    _ = i18n.translations(locale).gettext
    ordered = sorted(scores, key=lambda s: s.recorded_at.astimezone(UTC))
    parts = [
        _(
            "The chart shows your pain scores from 0 (no pain) to 10 (worst pain) after "
            "your injection on {when}."
        ).format(when=_when(procedure.performed_at, zone, locale)),
        _("Before the injection, your pain was {pain} out of 10 (the dashed line).").format(
            pain=procedure.baseline_pain
        ),
    ]
    if procedure.kind is Kind.DIAGNOSTIC:
        parts += _diagnostic_words(procedure, ordered, interpretation, knowledge, zone, locale)
    else:
        parts.append(_("The shaded bands mark the checks at about 2 weeks, 6 weeks and 3 months."))
    parts.append(_scores_words(ordered, zone, locale))
    return " ".join(parts)


# -- drawing ------------------------------------------------------------------------------


def _diagnostic(
    axes: Axes,
    procedure: Procedure,
    scores: Sequence[PainScore],
    reading: Reading | None,
    knowledge: Knowledge,
    _: Translate,
) -> None:
    window = _window(procedure, reading, knowledge) / _HOUR
    axes.axvspan(0, window, color=WINDOW, label=_("Numbing medicine works"), zorder=0)
    level = _threshold_pain(procedure, reading, knowledge)
    percent = _threshold_percent(reading, knowledge)
    axes.axhline(
        level,
        color=THRESHOLD,
        linestyle=":",
        linewidth=2.5,
        label=_("{percent}% less pain").format(percent=f"{percent:g}"),
    )
    hours = [_elapsed(procedure, s.recorded_at) / _HOUR for s in scores]
    _pain_line(axes, hours, scores, _)
    last = max([window * 1.25, *(h * 1.05 for h in hours)])
    axes.set_xlim(0, last)
    axes.set_xlabel(_("Hours after the injection"))


def _therapeutic(
    axes: Axes,
    procedure: Procedure,
    scores: Sequence[PainScore],
    reading: Reading | None,
    knowledge: Knowledge,
    _: Translate,
) -> None:
    ranges = _milestones(reading, knowledge)
    for i, (name, span) in enumerate(ranges):
        axes.axvspan(
            span.first,
            span.last,
            color=MILESTONE,
            zorder=0,
            label=_("Check-up times") if i == 0 else None,
        )
        axes.axvline(span.target, color=BASELINE, linewidth=0.8, zorder=1)
        axes.annotate(
            _milestone_label(name, _),
            (span.target, 10),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=12,
        )
    days = [_elapsed(procedure, s.recorded_at) / _DAY for s in scores]
    _pain_line(axes, days, scores, _)
    last = max([ranges[-1][1].last * 1.05, *(d * 1.05 for d in days)])
    axes.set_xlim(0, last)
    axes.set_xlabel(_("Days after the injection"))


def _pain_line(axes: Axes, x: Sequence[float], scores: Sequence[PainScore], _: Translate) -> None:
    if scores:
        axes.plot(
            x,
            [s.pain for s in scores],
            color=PAIN,
            marker="o",
            markersize=6,
            linewidth=2,
            label=_("Pain scores"),  # the patient's and the clinician's chart alike
            zorder=3,
        )
    else:
        axes.text(0.5, 0.5, _("No scores yet"), transform=axes.transAxes, ha="center", va="center")


def _frame(axes: Axes, procedure: Procedure, scores: Sequence[PainScore], _: Translate) -> None:
    axes.axhline(
        procedure.baseline_pain,
        color=BASELINE,
        linestyle="--",
        linewidth=1.5,
        label=_("Pain before the injection"),
    )
    axes.set_ylim(0, 10.5)
    axes.set_yticks(range(0, 11))
    axes.set_ylabel(_("Pain (0 none, 10 worst)"))
    axes.grid(axis="y", color=MILESTONE, linewidth=0.8)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=1, frameon=False)


# -- what the chart's levels come from ----------------------------------------------------


def _window(procedure: Procedure, reading: Reading | None, knowledge: Knowledge) -> timedelta:
    if isinstance(reading, DiagnosticResult):
        return reading.window
    return anesthetic_window(procedure, knowledge)


def _threshold_percent(reading: Reading | None, knowledge: Knowledge) -> float:
    if isinstance(reading, DiagnosticResult):
        return reading.threshold_percent
    return knowledge.number("diagnostic.positive_threshold_percent")


def _threshold_pain(procedure: Procedure, reading: Reading | None, knowledge: Knowledge) -> float:
    """The score at which relief from baseline reaches the threshold (relief % arithmetic)."""
    return procedure.baseline_pain * (1 - _threshold_percent(reading, knowledge) / 100)


def _milestones(reading: Reading | None, knowledge: Knowledge) -> list[tuple[str, DayRange]]:
    if isinstance(reading, TherapeuticResult):
        return [(m.name, m.days) for m in reading.milestone_details]
    return [(name, milestone_days(knowledge, name)) for name in MILESTONES]


def _milestone_label(name: str, _: Translate) -> str:
    labels = {"2w": _("2 weeks"), "6w": _("6 weeks"), "3m": _("3 months")}
    return labels.get(name, name)


def _elapsed(procedure: Procedure, at: datetime) -> timedelta:
    return procedure.elapsed(at)


# -- words --------------------------------------------------------------------------------


def _diagnostic_words(
    procedure: Procedure,
    scores: Sequence[PainScore],
    reading: Reading | None,
    knowledge: Knowledge,
    zone: str,
    locale: str,
) -> list[str]:
    _ = i18n.translations(locale).gettext
    window = _window(procedure, reading, knowledge)
    ends = procedure.performed_at + window
    level = _threshold_pain(procedure, reading, knowledge)
    words = [
        _("The shaded part is the time the numbing medicine works, until {when}.").format(
            when=i18n.format_time(ends, zone, locale)
        ),
        # Scores are whole numbers: the line's level (1.75 for a baseline of 7) is told as
        # the highest score on or below it.
        _(
            "The dotted line marks a drop in pain of {percent}% or more: a score of {score} "
            "or less."
        ).format(
            score=math.floor(level + 1e-9),
            percent=f"{_threshold_percent(reading, knowledge):g}",
        ),
    ]
    inside = [s for s in scores if timedelta(0) < procedure.elapsed(s.recorded_at) <= window]
    if inside:
        lowest = min(inside, key=lambda s: s.pain)
        words.append(
            _("While it worked, the lowest score was {pain} at {when}.").format(
                pain=lowest.pain, when=i18n.format_time(lowest.recorded_at, zone, locale)
            )
        )
    return words


def _scores_words(scores: Sequence[PainScore], zone: str, locale: str) -> str:
    catalogue = i18n.translations(locale)
    if not scores:
        return catalogue.gettext("You have not recorded any scores yet.")
    last = scores[-1]
    return catalogue.ngettext(
        "You recorded {count} score: {pain} out of 10, on {when}.",
        "You recorded {count} scores. The latest is {pain} out of 10, on {when}.",
        len(scores),
    ).format(count=len(scores), pain=last.pain, when=_when(last.recorded_at, zone, locale))


def _when(at: datetime, zone: str, locale: str) -> str:
    return i18n.format_datetime(at, zone, locale)


# -- making the SVG safe to put inline ----------------------------------------------------


def make_inline(svg: str, *, element_id: str, title: str, description: str) -> str:
    """matplotlib's SVG document as one `<svg>` element for an HTML page.

    Removes the XML prolog, metadata and `<style>`; turns every `style` attribute into
    presentation attributes; prefixes ids with `element_id`; adds a title and a
    description and `role="img"`; and lets the width follow the container.
    """
    root = ET.fromstring(svg.encode("utf-8"))
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG}}}metadata", f"{{{SVG}}}style"):
                parent.remove(child)
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            element.attrib.update(_declarations(style))
        if element.tag == f"{{{SVG}}}text":
            element.set("font-family", FONT)
    # What the removed `<style>` set on every element: inherited from the root instead.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    _prefix_ids(root, element_id)
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.set("width", "100%")
    root.set("id", element_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{element_id}-title {element_id}-desc")
    root.set("focusable", "false")
    title_element = ET.Element(f"{{{SVG}}}title", id=f"{element_id}-title")
    title_element.text = title
    desc_element = ET.Element(f"{{{SVG}}}desc", id=f"{element_id}-desc")
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    return ET.tostring(root, encoding="unicode")


def _declarations(style: str) -> dict[str, str]:
    out = {}
    for declaration in style.split(";"):
        name, _sep, value = declaration.partition(":")
        if name.strip() and value.strip():
            out[name.strip()] = value.strip()
    return out


def _prefix_ids(root: ET.Element, prefix: str) -> None:
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    for element in root.iter():
        old = element.get("id")
        if old:
            element.set("id", f"{prefix}-{old}")
        for name, value in list(element.attrib.items()):
            if name == f"{{{XLINK}}}href" and value.startswith("#") and value[1:] in ids:
                element.set(name, f"#{prefix}-{value[1:]}")
            elif "url(#" in value:
                for known in ids:
                    value = value.replace(f"url(#{known})", f"url(#{prefix}-{known})")
                element.set(name, value)
