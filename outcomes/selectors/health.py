"""Team health surveys per team and window."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from outcomes.models import HEALTH_FIELDS, HealthSurvey
from outcomes.selectors.windows import Window


@dataclass
class HealthSummary:
    surveys: int
    respondents: int  # of the latest survey in the window
    psychological_safety: float
    workload: float
    clarity: float
    on_call_burden: float
    decision_latency: float

    @property
    def index(self) -> float:
        """1–5, higher is healthier: the strain scores are turned around (6 − score)."""
        return (
            self.psychological_safety
            + self.clarity
            + (6 - self.workload)
            + (6 - self.on_call_burden)
            + (6 - self.decision_latency)
        ) / 5


def health_summaries(
    *, team_ids: Sequence[int], windows: Sequence[Window]
) -> dict[tuple[int, int], HealthSummary]:
    """Per (team id, window index): the surveys whose period starts in the window. One
    query."""
    first, last = windows[0].start, windows[-1].end
    rows = (
        HealthSurvey.objects.filter(
            team_id__in=team_ids, period_start__gte=first, period_start__lte=last
        )
        .order_by("period_start")
        .values_list("team_id", "period_start", "respondents", *HEALTH_FIELDS)
    )
    return _summaries(windows, rows)


def _summaries(
    windows: Sequence[Window], rows: Iterable[tuple[Any, ...]]
) -> dict[tuple[int, int], HealthSummary]:
    """Per window: the means of the surveys that start in it, weighted by respondents."""
    grouped: dict[tuple[int, int], list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        team_id, period_start = row[0], row[1]
        for i, w in enumerate(windows):
            if w.start <= period_start <= w.end:
                grouped[(team_id, i)].append(row)
                break
    out: dict[tuple[int, int], HealthSummary] = {}
    for key, surveys in grouped.items():
        weight = sum(s[2] for s in surveys)
        means = [sum(s[2] * s[3 + j] for s in surveys) / weight for j in range(len(HEALTH_FIELDS))]
        out[key] = HealthSummary(
            surveys=len(surveys),
            respondents=surveys[-1][2],
            psychological_safety=means[0],
            workload=means[1],
            clarity=means[2],
            on_call_burden=means[3],
            decision_latency=means[4],
        )
    return out
