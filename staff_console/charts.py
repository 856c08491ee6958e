"""Charts drawn on the server as SVG (issue 29): no script, nothing from
elsewhere, so the console's Content-Security-Policy stays as it is. Colours
come from console.css by class. Each chart is an image with a name (its
`<title>`, the chart's summary in words); the page puts a table of the same
numbers beside it, which is what a screen reader reads (templates/home.html)."""

from __future__ import annotations

from typing import List, Sequence, Tuple

from markupsafe import Markup, escape

WIDTH = 600
ROW = 40  # a bar's row: its label above, the bar below
BAR = 16
LABEL = 15  # the label's baseline in its row
VALUE_ROOM = 70  # room after the longest bar for its number


def _svg(name: str, summary: str, height: int, body: List[str]) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" aria-labelledby="{escape(name)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(name)}">{escape(summary)}</title>{"".join(body)}</svg>'
    )


def bars(name: str, summary: str, rows: Sequence[Tuple[str, Sequence[int]]], series: Sequence[str] = ("",)) -> Markup:
    """Horizontal bars, one row per (label, values): the values side by side
    in one bar, each with the class `series[i]` (say "yes" and "no"), and
    their numbers after it. The longest bar fills the width."""
    most = max((sum(values) for _, values in rows), default=0) or 1
    room = WIDTH - VALUE_ROOM
    body: List[str] = []
    for i, (label, values) in enumerate(rows):
        top = i * ROW
        body.append(f'<text class="label" x="0" y="{top + LABEL}">{escape(label)}</text>')
        x = 0.0
        for value, kind in zip(values, series, strict=True):
            width = room * value / most
            if value:
                body.append(
                    f'<rect class="bar {escape(kind)}" x="{x:.1f}" y="{top + LABEL + 5}" '
                    f'width="{max(width, 1.5):.1f}" height="{BAR}"/>'
                )
            x += width
        numbers = " / ".join(str(v) for v in values)
        body.append(f'<text class="value" x="{x + 6:.1f}" y="{top + LABEL + 5 + BAR - 3}">{escape(numbers)}</text>')
    return _svg(name, summary, max(len(rows), 1) * ROW + 4, body)


def day_rates(name: str, summary: str, days: Sequence[Tuple[str, int, int]]) -> Markup:
    """One column per day: the share of that day's questions (the second of
    each row) that the third counts, from 0 to 100%; a day with no questions
    has no column. Dates are written every 7 days."""
    left, top, height = 40, 8, 160
    column = (WIDTH - left) / max(len(days), 1)
    body = []
    for share in (0, 50, 100):
        y = top + height * (1 - share / 100)
        body.append(f'<line class="grid" x1="{left}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}"/>')
        body.append(f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{share}%</text>')
    for i, (day, asked, counted) in enumerate(days):
        x = left + i * column
        if asked:
            bar = height * counted / asked
            body.append(
                f'<rect class="bar" x="{x + 2:.1f}" y="{top + height - bar:.1f}" '
                f'width="{column - 4:.1f}" height="{max(bar, 1):.1f}"/>'
            )
        if i % 7 == 0:
            body.append(f'<text class="axis" x="{x + 2:.1f}" y="{top + height + 18}">{escape(day[5:])}</text>')
    return _svg(name, summary, top + height + 26, body)
