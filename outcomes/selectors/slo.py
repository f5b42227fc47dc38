"""SLO attainment and error budgets per team and window."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from outcomes.models import SLOReport
from outcomes.selectors.windows import Window


@dataclass
class SLOSummary:
    service: str
    objective: float
    attained: float
    met: bool
    # Share of the window's error budget left: 1 = untouched, 0 = spent, below 0 = overspent.
    # None when the objective is 100% (there is no budget to speak of).
    error_budget_remaining: float | None
    reports: int


def slo_summaries(
    *, team_ids: Sequence[int], windows: Sequence[Window]
) -> dict[tuple[int, int], list[SLOSummary]]:
    """Per (team id, window index): each service's attainment over the reports that overlap
    the window. One query."""
    first, last = windows[0].start, windows[-1].end
    rows = SLOReport.objects.filter(
        team_id__in=team_ids, period_start__lte=last, period_end__gte=first
    ).values_list("team_id", "service", "period_start", "period_end", "objective", "attained")
    return _summaries(windows, rows)


def _summaries(
    windows: Sequence[Window],
    rows: Iterable[tuple[int, str, dt.date, dt.date, float, float]],
) -> dict[tuple[int, int], list[SLOSummary]]:
    """Per service and window, each report weighs by the days it shares with the window.

    Budget allowed = Σ days × (1 − objective); budget spent = Σ days × (1 − attained);
    remaining = 1 − spent / allowed. Attained and objective are the weighted means.
    """
    acc: dict[tuple[int, int], dict[str, list[float]]] = defaultdict(dict)
    for team_id, service, p_start, p_end, objective, attained in rows:
        for i, w in enumerate(windows):
            days = w.overlap_days(p_start, p_end)
            if not days:
                continue
            sums = acc[(team_id, i)].setdefault(service, [0.0, 0.0, 0.0, 0.0])
            sums[0] += days
            sums[1] += days * objective
            sums[2] += days * attained
            sums[3] += 1
    out: dict[tuple[int, int], list[SLOSummary]] = {}
    for key, services in acc.items():
        summaries = []
        for service, (total_days, obj_sum, att_sum, reports) in sorted(services.items()):
            objective, attained = obj_sum / total_days, att_sum / total_days
            allowed = total_days - obj_sum
            spent = total_days - att_sum
            summaries.append(
                SLOSummary(
                    service=service,
                    objective=objective,
                    attained=attained,
                    met=attained >= objective - 1e-12,
                    error_budget_remaining=(1 - spent / allowed) if allowed > 1e-12 else None,
                    reports=int(reports),
                )
            )
        out[key] = summaries
    return out
