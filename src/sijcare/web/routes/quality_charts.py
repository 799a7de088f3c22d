"""Charts of the quality dashboard: rates by group as horizontal bars, inline SVG.

matplotlib without pyplot, drawn under a lock (its settings are process-wide), made safe
for the Content-Security-Policy by `charts.make_inline`. Every bar is labelled with its
value, so nothing is told by colour alone; the text alternative lists the same values.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Callable, Sequence

import matplotlib
from matplotlib.figure import Figure

from sijcare.services.outcomes import GroupOutcomes, Rate
from sijcare.web.charts import make_inline

Series = tuple[str, Callable[[GroupOutcomes], Rate]]
# The app's palette (static/app.css); hatching tells the series apart without colour.
COLOURS = ("#0b4f8a", "#1e6b34", "#6b3e8a")
HATCHES = ("", "//", "..")
_SETTINGS = {"svg.fonttype": "none", "svg.hashsalt": "sijcare-quality", "font.size": 11}
_DRAWING = threading.Lock()


def rates_chart(
    groups: Sequence[GroupOutcomes],
    series: Sequence[Series],
    *,
    element_id: str,
    title: str,
    axis_label: str,
    unknown: str,
) -> str:
    """One horizontal bar per group and series: the rate in percent, labelled. A rate
    with nothing to count (0 of 0) has no bar and is labelled `unknown`: drawn as 0 % it
    would read as a result."""
    labels = [g.label for g in groups]
    with _DRAWING, matplotlib.rc_context(_SETTINGS):
        height = 1.2 + 0.32 * len(groups) * len(series)
        figure = Figure(figsize=(6.4, height), layout="constrained")
        axes = figure.add_subplot()
        step = 1.0 / (len(series) + 1)
        for n, (name, rate_of) in enumerate(series):
            values = [_percent(rate_of(g)) for g in groups]
            positions = [i + n * step for i in range(len(groups))]
            bars = axes.barh(
                positions, [v or 0.0 for v in values], height=step, label=name,
                color=COLOURS[n % 3], hatch=HATCHES[n % 3], edgecolor="white",
            )  # fmt: skip
            axes.bar_label(bars, labels=[_label(v, unknown) for v in values], padding=2)
        axes.set_yticks([i + step * (len(series) - 1) / 2 for i in range(len(groups))], labels)
        axes.invert_yaxis()
        axes.set_xlim(0, 110)
        # Wrapped: a long label (and its translation) must not run past the figure's edge.
        axes.set_xlabel("\n".join(textwrap.wrap(axis_label, 45)))
        axes.legend(loc="lower right", frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
        out = io.StringIO()
        figure.savefig(out, format="svg")
    description = "; ".join(
        f"{g.label}: "
        + ", ".join(f"{name} {_label(_percent(rate_of(g)), unknown)}" for name, rate_of in series)
        for g in groups
    )
    return make_inline(out.getvalue(), element_id=element_id, title=title, description=description)


def _percent(rate: Rate) -> float | None:
    value = rate.value
    return None if value is None else value * 100


def _label(percent: float | None, unknown: str) -> str:
    return unknown if percent is None else f"{percent:.0f}%"
