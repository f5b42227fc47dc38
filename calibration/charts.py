"""Server-side SVG for the calibration board: proposed and calibrated counts per rating.

Hand-written <rect>/<text> elements with presentation attributes (fill, font-size), so the
same markup works inline in HTML under the CSP (no style attribute, no <style>, no
script) and in a WeasyPrint PDF without the site stylesheet. Every number is also written
on the chart, and the page puts the same numbers in a table beside it.

Deliberately information only (SPEC §1.1): no target, quota, "expected" curve or reference
line is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
HEIGHT = 280
MARGIN_LEFT = 40
MARGIN_RIGHT = 16
MARGIN_TOP = 40
MARGIN_BOTTOM = 48
BAR_GAP = 4
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

# Both colours reach 3:1 against white (WCAG non-text contrast); the numbers on the bars
# and the table carry the meaning for anyone who cannot tell them apart.
PROPOSED_FILL = "#6c727a"
CALIBRATED_FILL = "#0d5c63"
TEXT_FILL = "#1c1f23"
MUTED_FILL = "#4f555c"
AXIS_STROKE = "#8a9098"


class RatingCounts(Protocol):
    label: str
    proposed: int
    calibrated: int


def _ticks(top: int) -> list[int]:
    """Whole-number gridlines from 0 to ``top``, at most five of them."""
    step = max(1, -(-top // 4))
    return list(range(0, top + 1, step))


def _wrap(text: str, width: int) -> list[str]:
    """Words on lines of at most ``width`` characters (a long word keeps its own line),
    at most two lines: the table beside the chart has the full label."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
        if len(lines[1]) > width:
            lines[1] = lines[1][: max(1, width - 1)] + "…"
    return lines or [""]


def distribution_svg(rows: Sequence[RatingCounts], *, title: str, desc: str) -> SafeString:
    """A grouped bar chart: for each rating, the proposed count (grey) beside the
    calibrated count (teal)."""
    top = max([1, *(r.proposed for r in rows), *(r.calibrated for r in rows)])
    ticks = _ticks(top)
    top = max(top, ticks[-1])
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    base_y = MARGIN_TOP + plot_h
    group_w = plot_w / max(len(rows), 1)
    bar_w = min(56.0, (group_w - 24) / 2)

    def y_of(value: int) -> float:
        return base_y - plot_h * value / top

    parts: list[SafeString] = []
    for t in ticks:
        y = y_of(t)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="{}">{}</text>',
                MARGIN_LEFT,
                f"{y:.1f}",
                WIDTH - MARGIN_RIGHT,
                f"{y:.1f}",
                AXIS_STROKE if t == 0 else "#d6d9dc",
                1,
                MARGIN_LEFT - 6,
                f"{y + 4:.1f}",
                MUTED_FILL,
                t,
            )
        )
    for i, row in enumerate(rows):
        centre = MARGIN_LEFT + group_w * i + group_w / 2
        for value, fill, x, what in (
            (row.proposed, PROPOSED_FILL, centre - BAR_GAP / 2 - bar_w, "proposed"),
            (row.calibrated, CALIBRATED_FILL, centre + BAR_GAP / 2, "calibrated"),
        ):
            y = y_of(value)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {} {}</title></rect>"
                    '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}</text>',
                    f"{x:.1f}",
                    f"{y:.1f}",
                    f"{bar_w:.1f}",
                    f"{base_y - y:.1f}",
                    fill,
                    row.label,
                    value,
                    what,
                    f"{x + bar_w / 2:.1f}",
                    f"{y - 5:.1f}",
                    TEXT_FILL,
                    value,
                )
            )
        lines = _wrap(row.label, max(6, int(group_w / 7)))
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}</text>',
                f"{centre:.1f}",
                base_y + 18,
                TEXT_FILL,
                format_html_join(
                    "",
                    '<tspan x="{}" dy="{}">{}</tspan>',
                    ((f"{centre:.1f}", 0 if n == 0 else 14, line) for n, line in enumerate(lines)),
                ),
            )
        )
    legend = format_html(
        '<rect x="{}" y="12" width="12" height="12" fill="{}"/>'
        '<text x="{}" y="22" font-size="12" fill="{}">Proposed by the author</text>'
        '<rect x="{}" y="12" width="12" height="12" fill="{}"/>'
        '<text x="{}" y="22" font-size="12" fill="{}">Calibrated by the committee</text>',
        MARGIN_LEFT,
        PROPOSED_FILL,
        MARGIN_LEFT + 18,
        TEXT_FILL,
        MARGIN_LEFT + 200,
        CALIBRATED_FILL,
        MARGIN_LEFT + 218,
        TEXT_FILL,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="dist-chart-title dist-chart-desc" font-family="{}">'
        '<title id="dist-chart-title">{}</title><desc id="dist-chart-desc">{}</desc>'
        "{}{}</svg>",
        WIDTH,
        HEIGHT,
        FONT,
        title,
        desc,
        legend,
        format_html_join("", "{}", ((p,) for p in parts)),
    )
