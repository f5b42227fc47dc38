"""Sparklines as plain SVG geometry: the template draws the polylines, so no inline style
or script is ever needed (the Content-Security-Policy forbids both)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from outcomes.selectors.metrics import WindowMetrics

WIDTH = 240
HEIGHT = 56
PAD = 5


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Sparkline:
    key: str
    title: str
    segments: list[str]  # "x,y x,y …" for each run of windows that have a value
    points: list[Point]
    last: Point | None
    rows: list[tuple[str, str]]  # the data table: (window, value)
    aria_label: str
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def has_data(self) -> bool:
        return bool(self.points)


def window_label(m: WindowMetrics) -> str:
    """Windows are consecutive and of equal length, so the last day names each one."""
    return f"{m.end.day} {m.end:%b %Y}"


def sparkline(
    *,
    key: str,
    title: str,
    series: Sequence[WindowMetrics],
    value: Callable[[WindowMetrics], float | None],
    fmt: Callable[[float], str],
    floor: float = 0.0,
) -> Sparkline:
    """``floor`` is the bottom of the scale (0 for counts and durations, 1 for 1–5 scores):
    a scale that starts at the lowest value would make small wobbles look dramatic."""
    values = [value(m) for m in series]
    known = [v for v in values if v is not None]
    lo, hi = (min(known), max(known)) if known else (0.0, 0.0)
    bottom = min(floor, lo)
    span = hi - bottom
    step = (WIDTH - 2 * PAD) / max(1, len(values) - 1)

    def y(v: float) -> float:
        if span == 0:
            return HEIGHT / 2
        return round(HEIGHT - PAD - (v - bottom) / span * (HEIGHT - 2 * PAD), 1)

    points: list[Point] = []
    segments: list[str] = []
    run: list[str] = []
    for i, (m, v) in enumerate(zip(series, values, strict=True)):
        if v is None:
            if len(run) > 1:
                segments.append(" ".join(run))
            run = []
            continue
        p = Point(round(PAD + i * step, 1), y(v), f"{window_label(m)}: {fmt(v)}")
        points.append(p)
        run.append(f"{p.x},{p.y}")
    if len(run) > 1:
        segments.append(" ".join(run))
    rows = [
        (window_label(m), "no data" if v is None else fmt(v))
        for m, v in zip(series, values, strict=True)
    ]
    if known:
        first = next(v for v in values if v is not None)
        summary = (
            f"{title} over the last {len(series)} periods: from {fmt(first)} to "
            f"{fmt(known[-1])}; lowest {fmt(lo)}, highest {fmt(hi)}."
        )
    else:
        summary = f"{title}: no data in the last {len(series)} periods."
    return Sparkline(
        key=key,
        title=title,
        segments=segments,
        points=points,
        last=points[-1] if points and values[-1] is not None else None,
        rows=rows,
        aria_label=summary,
    )


# --- Display formats (used by the charts, the tables and the template filters) ---------------
def fmt_frequency(per_day: float) -> str:
    if per_day >= 1:
        return f"{per_day:.1f} a day"
    if per_day * 7 >= 1:
        return f"{per_day * 7:.1f} a week"
    return f"{per_day * 30:.1f} a month"


def fmt_hours(hours: float) -> str:
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def fmt_percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def fmt_per_week(per_week: float) -> str:
    return f"{per_week:.1f} a week"


def fmt_score(score: float) -> str:
    return f"{score:.2f}"


def fmt_index(score: float) -> str:
    return f"{score:.2f} out of 5"


FORMATS: dict[str, Callable[[float], str]] = {
    "deployment_frequency_per_day": fmt_frequency,
    "lead_time_median_hours": fmt_hours,
    "change_failure_rate": fmt_percent,
    "time_to_restore_median_hours": fmt_hours,
    "incidents_per_week": fmt_per_week,
    "out_of_hours_pages_per_week": fmt_per_week,
    "health_index": fmt_index,
    "workload": fmt_score,
    "on_call_burden": fmt_score,
    "slos_met_share": fmt_percent,
}


def fmt_metric(key: str, value: float | None) -> str:
    return "no data" if value is None else FORMATS[key](value)
