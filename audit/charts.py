"""Server-side SVG for the fairness audit: each group's rate with its 95% interval, and
the four-fifths line relative to the reference group.

Hand-written elements with presentation attributes only (no style attribute, no <style>,
no script), so the markup works inline under the CSP. Every number is also written on
the chart, and the page puts the same numbers in a table beside it. Suppressed groups
are drawn as a label with "not shown" and no bar, so nothing about their size leaks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
ROW_H = 30
MARGIN_LEFT = 150
MARGIN_RIGHT = 70
MARGIN_TOP = 34
MARGIN_BOTTOM = 30
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

BAR_FILL = "#0d5c63"
BELOW_FILL = "#8a4b00"
TEXT_FILL = "#1c1f23"
MUTED_FILL = "#4f555c"
AXIS_STROKE = "#8a9098"
GRID_STROKE = "#d6d9dc"
LINE_STROKE = "#a1262d"


def _label(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rates_svg(
    groups: Sequence[Mapping[str, Any]],
    *,
    reference_rate: float | None,
    title: str,
    desc: str,
    ident: str,
    font: str | None = None,
) -> SafeString:
    """A horizontal bar per group (rate 0–100%), a whisker for its Wilson interval and a
    dashed vertical line at four fifths of the reference group's rate."""
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    height = MARGIN_TOP + ROW_H * max(len(groups), 1) + MARGIN_BOTTOM
    base_y = height - MARGIN_BOTTOM

    def x_of(rate: float) -> float:
        return MARGIN_LEFT + plot_w * max(0.0, min(1.0, rate))

    parts: list[SafeString] = []
    for tick in (0, 25, 50, 75, 100):
        x = x_of(tick / 100)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}%</text>',
                f"{x:.1f}",
                MARGIN_TOP - 4,
                f"{x:.1f}",
                base_y,
                AXIS_STROKE if tick == 0 else GRID_STROKE,
                f"{x:.1f}",
                base_y + 18,
                MUTED_FILL,
                tick,
            )
        )
    for i, g in enumerate(groups):
        top = MARGIN_TOP + ROW_H * i
        mid = top + ROW_H / 2
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="{}">{}</text>',
                MARGIN_LEFT - 8,
                f"{mid + 4:.1f}",
                TEXT_FILL,
                _label(str(g["group"])),
            )
        )
        if g.get("suppressed") or g.get("rate") is None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="12" fill="{}">not shown (small group)</text>',
                    MARGIN_LEFT + 6,
                    f"{mid + 4:.1f}",
                    MUTED_FILL,
                )
            )
            continue
        rate = float(g["rate"])
        fill = BELOW_FILL if g.get("below_four_fifths") else BAR_FILL
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{}: {}%</title></rect>",
                MARGIN_LEFT,
                f"{top + 7:.1f}",
                f"{x_of(rate) - MARGIN_LEFT:.1f}",
                ROW_H - 14,
                fill,
                g["group"],
                f"{rate * 100:.1f}",
            )
        )
        ci = g.get("ci95")
        end = x_of(rate)
        if ci and ci[0] is not None and ci[1] is not None:
            lo, hi = x_of(float(ci[0])), x_of(float(ci[1]))
            end = hi
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"/>'
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"/>'
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"/>',
                    f"{lo:.1f}",
                    f"{mid:.1f}",
                    f"{hi:.1f}",
                    f"{mid:.1f}",
                    TEXT_FILL,
                    f"{lo:.1f}",
                    f"{mid - 6:.1f}",
                    f"{lo:.1f}",
                    f"{mid + 6:.1f}",
                    TEXT_FILL,
                    f"{hi:.1f}",
                    f"{mid - 6:.1f}",
                    f"{hi:.1f}",
                    f"{mid + 6:.1f}",
                    TEXT_FILL,
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" fill="{}">{}%</text>',
                f"{end + 6:.1f}",
                f"{mid + 4:.1f}",
                TEXT_FILL,
                f"{rate * 100:.0f}",
            )
        )
    if reference_rate:
        x = x_of(0.8 * reference_rate)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" '
                'stroke-dasharray="5 3"/>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">'
                "four fifths of reference</text>",
                f"{x:.1f}",
                MARGIN_TOP - 2,
                f"{x:.1f}",
                base_y,
                LINE_STROKE,
                f"{min(max(x, MARGIN_LEFT + 80), WIDTH - 90):.1f}",
                MARGIN_TOP - 10,
                LINE_STROKE,
            )
        )
    return _svg(height=height, title=title, desc=desc, ident=ident, font=font, parts=parts)


# Oldest cycle lightest, newest darkest; each cycle also has its own marker shape, so the
# chart does not rely on colour alone.
CYCLE_FILLS = ("#9cc3c6", "#5e9ea3", "#2f7d84", "#0d5c63", "#0a464c", "#062f33")
CYCLE_SHAPES = ("circle", "square", "triangle", "diamond", "circle", "square")
LEGEND_H = 24


def _marker(shape: str, x: float, y: float, fill: str, label: str) -> SafeString:
    title = format_html("<title>{}</title>", label)
    if shape == "circle":
        return format_html(
            '<circle cx="{}" cy="{}" r="5.5" fill="{}" stroke="{}">{}</circle>',
            f"{x:.1f}",
            f"{y:.1f}",
            fill,
            TEXT_FILL,
            title,
        )
    if shape == "square":
        return format_html(
            '<rect x="{}" y="{}" width="10" height="10" fill="{}" stroke="{}">{}</rect>',
            f"{x - 5:.1f}",
            f"{y - 5:.1f}",
            fill,
            TEXT_FILL,
            title,
        )
    if shape == "triangle":
        corners = [(x, y - 6), (x + 6, y + 5), (x - 6, y + 5)]
    else:
        corners = [(x, y - 6.5), (x + 6.5, y), (x, y + 6.5), (x - 6.5, y)]
    points = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in corners)
    return format_html(
        '<polygon points="{}" fill="{}" stroke="{}">{}</polygon>', points, fill, TEXT_FILL, title
    )


def trend_svg(
    rows: Sequence[Mapping[str, Any]],
    *,
    cycles: Sequence[str],
    title: str,
    desc: str,
    ident: str,
    font: str | None = None,
) -> SafeString:
    """One row per group, one marker per cycle at its rate (oldest to newest joined by a
    thin line), and a legend of the cycles. ``rows``: ``{group, rates[one per cycle,
    None when not shown]}``. A group with no rate shown in any cycle is left out."""
    rows = [r for r in rows if any(v is not None for v in r["rates"])]
    # The legend: one entry per cycle, wrapping onto further lines when it must.
    legend: list[SafeString] = []
    x, line = 10.0, 0
    for i, name in enumerate(cycles):
        text = _label(name, 28)
        width = 30 + 7.2 * len(text)
        if x > 10 and x + width > WIDTH:
            x, line = 10.0, line + 1
        y = 16 + LEGEND_H * line
        fill, shape = CYCLE_FILLS[i % len(CYCLE_FILLS)], CYCLE_SHAPES[i % len(CYCLE_SHAPES)]
        legend.append(_marker(shape, x + 6, y, fill, name))
        legend.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" fill="{}">{}</text>',
                f"{x + 16:.1f}",
                y + 4,
                TEXT_FILL,
                text,
            )
        )
        x += width
    top_margin = MARGIN_TOP + LEGEND_H * (line + 1)
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    height = top_margin + ROW_H * max(len(rows), 1) + MARGIN_BOTTOM
    base_y = height - MARGIN_BOTTOM

    def x_of(rate: float) -> float:
        return MARGIN_LEFT + plot_w * max(0.0, min(1.0, rate))

    parts: list[SafeString] = list(legend)
    for tick in (0, 25, 50, 75, 100):
        tx = x_of(tick / 100)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}%</text>',
                f"{tx:.1f}",
                top_margin - 4,
                f"{tx:.1f}",
                base_y,
                AXIS_STROKE if tick == 0 else GRID_STROKE,
                f"{tx:.1f}",
                base_y + 18,
                MUTED_FILL,
                tick,
            )
        )
    for i, row in enumerate(rows):
        mid = top_margin + ROW_H * i + ROW_H / 2
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="{}">{}</text>',
                MARGIN_LEFT - 8,
                f"{mid + 4:.1f}",
                TEXT_FILL,
                _label(str(row["group"])),
            )
        )
        shown = [(j, float(v)) for j, v in enumerate(row["rates"]) if v is not None]
        if len(shown) > 1:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="1"/>',
                    " ".join(f"{x_of(v):.1f},{mid:.1f}" for _, v in shown),
                    AXIS_STROKE,
                )
            )
        for j, v in shown:
            parts.append(
                _marker(
                    CYCLE_SHAPES[j % len(CYCLE_SHAPES)],
                    x_of(v),
                    mid,
                    CYCLE_FILLS[j % len(CYCLE_FILLS)],
                    f"{row['group']}, {cycles[j]}: {v * 100:.1f}%",
                )
            )
    return _svg(height=height, title=title, desc=desc, ident=ident, font=font, parts=parts)


def _svg(
    *, height: float, title: str, desc: str, ident: str, font: str | None, parts: list[SafeString]
) -> SafeString:
    """The chart's outer element: an image with a title and a description that screen
    readers announce (WCAG 1.1.1), drawn in the page's font unless a PDF names its own."""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}" aria-labelledby="{}-title {}-desc" font-family="{}">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        height,
        title,
        ident,
        ident,
        font or FONT,
        ident,
        title,
        ident,
        desc,
        format_html_join("", "{}", ((p,) for p in parts)),
    )
