"""A team's scorecard: its figures for a window, the trends and the flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from org.models import Team
from outcomes.selectors.dora import DORA_REPORT, DORA_REPORT_YEAR
from outcomes.selectors.flags import Flag, flags_for
from outcomes.selectors.metrics import WindowMetrics, window_metrics
from outcomes.selectors.trends import TREND_METRICS, Trend, trend_of
from outcomes.selectors.windows import SERIES_PERIODS, Window, windows_ending_with


@dataclass
class Scorecard:
    """A team's outcomes over a window, compared with the window of equal length before it."""

    team_id: int
    team_name: str
    team_slug: str
    current: WindowMetrics
    previous: WindowMetrics
    trends: dict[str, Trend]
    flags: list[Flag]
    dora_report: str = DORA_REPORT
    dora_report_year: int = DORA_REPORT_YEAR

    @property
    def trend_list(self) -> list[Trend]:
        return list(self.trends.values())


def _scorecard(team: Team, current: WindowMetrics, previous: WindowMetrics) -> Scorecard:
    trends = {
        m.key: trend_of(m, current.value(m.key), previous.value(m.key)) for m in TREND_METRICS
    }
    return Scorecard(
        team_id=team.pk,
        team_name=team.name,
        team_slug=team.slug,
        current=current,
        previous=previous,
        trends=trends,
        flags=flags_for(current, previous),
    )


def team_scorecard(*, team: Team, start: dt.date, end: dt.date) -> Scorecard:
    """The scorecard of one team for ``start``–``end`` (both included). Six queries."""
    window = Window(start, end)
    metrics = window_metrics(team_ids=[team.pk], windows=[window.previous(), window])
    return _scorecard(team, metrics[(team.pk, 1)], metrics[(team.pk, 0)])


def team_scorecards(*, teams: Sequence[Team], start: dt.date, end: dt.date) -> list[Scorecard]:
    """Scorecards of many teams for the same window, in the same six queries."""
    window = Window(start, end)
    metrics = window_metrics(team_ids=[t.pk for t in teams], windows=[window.previous(), window])
    return [_scorecard(t, metrics[(t.pk, 1)], metrics[(t.pk, 0)]) for t in teams]


def team_scorecard_with_history(
    *, team: Team, start: dt.date, end: dt.date, periods: int = SERIES_PERIODS
) -> tuple[Scorecard, list[WindowMetrics]]:
    """The scorecard plus the ``periods`` equal windows ending with it (for sparklines)."""
    windows = windows_ending_with(Window(start, end), periods)
    metrics = window_metrics(team_ids=[team.pk], windows=windows)
    series = [metrics[(team.pk, i)] for i in range(len(windows))]
    return _scorecard(team, series[-1], series[-2]), series
