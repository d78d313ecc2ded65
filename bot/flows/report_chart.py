"""The report's chart: cases opened per day (or per week), stacked by sentiment, as a PNG.

A pure function of the numbers and the words it is given (already translated): no Slack, no
database, so the use case, the handler and the scheduler's digest all render the same chart.
It draws with matplotlib's ``Figure`` and its Agg canvas directly (never ``pyplot``, whose global
state is not safe in a server with threads) and with the DejaVu Sans font that matplotlib ships,
so the machine needs no fonts installed.
"""

from __future__ import annotations

import io
from typing import Mapping, Sequence

from bot.flows.report import SENTIMENTS, Bucket

WIDTH, HEIGHT, DPI = 1000, 500, 100  # pixels of the PNG
FONT = "DejaVu Sans"  # bundled with matplotlib
MAX_TICKS = 16
# Colour-blind-safe (Okabe-Ito), and the order of SENTIMENTS.
COLOURS = {
    "negative": "#D55E00",
    "neutral": "#0072B2",
    "positive": "#009E73",
    "external": "#CC79A7",
    "unclassified": "#999999",
}


def render_chart(buckets: Sequence[Bucket], *, title: str, labels: Mapping[str, str],
                 axis_label: str, weekly: bool) -> bytes:
    """A WIDTH x HEIGHT PNG. ``labels`` names each sentiment in the reader's language."""
    import matplotlib  # imported here: only a report pays for matplotlib's start-up
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context({"font.family": FONT, "font.size": 10, "svg.fonttype": "none"}):
        figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = range(len(buckets))
        bottom = [0] * len(buckets)
        for sentiment in SENTIMENTS:
            heights = [b.counts.get(sentiment, 0) for b in buckets]
            if not any(heights):
                continue
            axes.bar(positions, heights, bottom=bottom, width=0.8, color=COLOURS[sentiment],
                     label=labels.get(sentiment, sentiment))
            bottom = [low + h for low, h in zip(bottom, heights)]
        _axes_text(axes, buckets, title=title, axis_label=axis_label, weekly=weekly)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(0, max([*bottom, 1]) * 1.1)
        if any(bottom):
            axes.legend(loc="upper left", frameon=False)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _axes_text(axes, buckets: Sequence[Bucket], *, title: str, axis_label: str, weekly: bool) -> None:
    axes.set_title(title)
    axes.set_ylabel(axis_label)
    step = max(1, -(-len(buckets) // MAX_TICKS))
    ticks = list(range(0, len(buckets), step))
    axes.set_xticks(ticks)
    axes.set_xticklabels([_day(buckets[i].first_day, weekly) for i in ticks], rotation=45,
                         ha="right")
    axes.set_xlim(-0.6, max(len(buckets), 1) - 0.4)
    axes.spines[["top", "right"]].set_visible(False)


def _day(day, weekly: bool) -> str:
    # Numeric, so the chart reads the same in every language: 03/11 (a day), 03/11/26 (a week).
    return f"{day:%d/%m/%y}" if weekly else f"{day:%d/%m}"
