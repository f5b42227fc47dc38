"""How a figure moved from one window to the next, and whether that is better."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrendMetric:
    key: str
    label: str
    higher_is_better: bool


TREND_METRICS: tuple[TrendMetric, ...] = (
    TrendMetric("deployment_frequency_per_day", "Deployment frequency", True),
    TrendMetric("lead_time_median_hours", "Lead time for changes", False),
    TrendMetric("change_failure_rate", "Change failure rate", False),
    TrendMetric("time_to_restore_median_hours", "Time to restore service", False),
    TrendMetric("incidents_per_week", "Incidents per week", False),
    TrendMetric("out_of_hours_pages_per_week", "Out-of-hours pages per week", False),
    TrendMetric("health_index", "Team health index", True),
)
# Relative changes smaller than this count as steady (noise, not a trend).
STEADY_WITHIN = 0.05


@dataclass
class Trend:
    key: str
    label: str
    current: float | None
    previous: float | None
    direction: str | None  # "up", "down", "steady"; None when there is nothing to compare
    relative_change: float | None  # (current − previous) / previous; None if previous is 0
    assessment: str | None  # "better", "worse", "steady"

    @property
    def text(self) -> str:
        if self.direction is None:
            return "No comparison: one of the two periods has no data"
        if self.direction == "steady":
            return "Steady compared with the previous period"
        verb = "Up" if self.direction == "up" else "Down"
        size = f" {abs(self.relative_change):.0%}" if self.relative_change is not None else ""
        return f"{verb}{size} on the previous period ({self.assessment})"


def trend_of(metric: TrendMetric, current: float | None, previous: float | None) -> Trend:
    if current is None or previous is None:
        return Trend(metric.key, metric.label, current, previous, None, None, None)
    relative = (current - previous) / abs(previous) if previous else None
    if current == previous or (relative is not None and abs(relative) < STEADY_WITHIN):
        return Trend(metric.key, metric.label, current, previous, "steady", relative, "steady")
    direction = "up" if current > previous else "down"
    better = (direction == "up") == metric.higher_is_better
    return Trend(
        metric.key,
        metric.label,
        current,
        previous,
        direction,
        relative,
        "better" if better else "worse",
    )


def trend_between(
    *, key: str, label: str, current: float | None, previous: float | None, higher_is_better: bool
) -> Trend:
    return trend_of(TrendMetric(key, label, higher_is_better), current, previous)
