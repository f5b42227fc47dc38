"""Reads for team outcomes: raw event lists and the team scorecard (SPEC §7).

Every figure here describes a team over a window of days. Nothing is computed, filtered
or grouped per person (SPEC §1.4): the models have no link to people to begin with.

Query budget: a scorecard, a team page with its twelve-period history and the whole
organisation table each cost the same six queries (deployment counts, lead-time medians,
incident counts, restore-time medians, SLO reports, health surveys), however many events
or teams there are. Medians are computed by the database with window functions, so only
the one or two middle values of each window travel to Python.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Window as SQLWindow
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, RowNumber
from django.http import Http404
from django.utils import timezone

from org.models import Team
from org.selectors import team_list
from outcomes.models import (
    HEALTH_FIELDS,
    Deployment,
    HealthSurvey,
    Incident,
    IngestionToken,
    SLOReport,
)

# --- DORA performance clusters ------------------------------------------------------------
# Source: Accelerate State of DevOps Report 2023 (DORA, Google Cloud), the four software
# delivery performance clusters (elite, high, medium, low). The report gives each cluster
# as a typical range; we turn the ranges into cut-offs, described below in our own words.
# Two readings of ours, written down so nobody has to guess:
# - In that report the low cluster's deployment frequency and lead time overlap the medium
#   cluster's ranges; we call anything slower than the medium range "low".
# - The report lists one change-failure percentage per cluster; we use each as the upper
#   limit of its cluster.
# - The report's "failed deployment recovery time" is what SPEC §7 calls time to restore.
DORA_REPORT = "Accelerate State of DevOps Report 2023"
DORA_REPORT_YEAR = 2023
CLUSTERS = ("elite", "high", "medium", "low")


@dataclass(frozen=True)
class Band:
    cluster: str
    op: str  # how the value compares with the limit: ">=", "<" or "<="
    limit: float
    text: str

    def holds(self, value: float) -> bool:
        if self.op == ">=":
            return value >= self.limit
        if self.op == "<":
            return value < self.limit
        return value <= self.limit


@dataclass(frozen=True)
class DoraMetric:
    key: str
    label: str
    unit: str
    higher_is_better: bool
    bands: tuple[Band, ...]  # elite, high, medium; anything else is low
    low_text: str

    def cluster(self, value: float | None) -> str | None:
        if value is None:
            return None
        return next((b.cluster for b in self.bands if b.holds(value)), "low")

    @property
    def texts(self) -> list[tuple[str, str]]:
        return [(b.cluster, b.text) for b in self.bands] + [("low", self.low_text)]


DORA_THRESHOLDS: tuple[DoraMetric, ...] = (
    DoraMetric(
        key="deployment_frequency",
        label="Deployment frequency",
        unit="deployments per day",
        higher_is_better=True,
        bands=(
            Band("elite", ">=", 1.0, "On demand: one or more deployments a day on average"),
            Band("high", ">=", 1 / 7, "At least weekly, but less than daily"),
            Band("medium", ">=", 1 / 30, "At least monthly (every 30 days), but less than weekly"),
        ),
        low_text="Less often than once a month",
    ),
    DoraMetric(
        key="lead_time",
        label="Lead time for changes",
        unit="hours (median)",
        higher_is_better=False,
        bands=(
            Band("elite", "<", 24, "Under a day"),
            Band("high", "<=", 24 * 7, "From a day up to a week"),
            Band("medium", "<=", 24 * 30, "From a week up to a month (30 days)"),
        ),
        low_text="More than a month",
    ),
    DoraMetric(
        key="change_failure_rate",
        label="Change failure rate",
        unit="share of deployments",
        higher_is_better=False,
        bands=(
            Band("elite", "<=", 0.05, "5% or less"),
            Band("high", "<=", 0.10, "Above 5%, up to 10%"),
            Band("medium", "<=", 0.15, "Above 10%, up to 15%"),
        ),
        low_text="Above 15%",
    ),
    DoraMetric(
        key="time_to_restore",
        label="Time to restore service",
        unit="hours (median)",
        higher_is_better=False,
        bands=(
            Band("elite", "<", 1, "Under an hour"),
            Band("high", "<", 24, "From an hour up to a day"),
            Band("medium", "<=", 24 * 7, "From a day up to a week"),
        ),
        low_text="More than a week",
    ),
)
DORA = {m.key: m for m in DORA_THRESHOLDS}

# --- Windows ---------------------------------------------------------------------------------
MAX_WINDOW_DAYS = 3 * 366  # longer windows answer 400
EARLIEST_DATE = dt.date(1970, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
SERIES_PERIODS = 12  # sparklines: the window and the eleven equal windows before it
# Incidents that start outside 08:00–18:00 on weekdays (organisation time zone) count as
# out-of-hours pages.
WORKDAY_START_HOUR = 8
WORKDAY_END_HOUR = 18


@dataclass(frozen=True)
class Window:
    """Whole days, both ends included, in the organisation's time zone (TIME_ZONE)."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> float:
        return self.days / 7

    def previous(self) -> Window:
        """The window of equal length that ends the day before this one starts."""
        return Window(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        lo = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        hi = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return lo, hi

    def overlap_days(self, start: dt.date, end: dt.date) -> int:
        return max(0, (min(end, self.end) - max(start, self.start)).days + 1)


def windows_ending_with(window: Window, count: int) -> list[Window]:
    """``count`` consecutive windows of equal length, oldest first, the last being ``window``."""
    out = [window]
    while len(out) < count:
        out.append(out[-1].previous())
    return out[::-1]


# --- Results -----------------------------------------------------------------------------------
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


@dataclass
class WindowMetrics:
    window: Window
    deployment_count: int = 0
    failed_deployment_count: int = 0
    deployment_frequency_per_day: float | None = None
    lead_time_median_hours: float | None = None
    change_failure_rate: float | None = None
    time_to_restore_median_hours: float | None = None
    incidents: int | None = None
    out_of_hours_pages: int | None = None
    slos: list[SLOSummary] = field(default_factory=list)
    health: HealthSummary | None = None

    @property
    def start(self) -> dt.date:
        return self.window.start

    @property
    def end(self) -> dt.date:
        return self.window.end

    @property
    def days(self) -> int:
        return self.window.days

    @property
    def deployment_frequency_cluster(self) -> str | None:
        return DORA["deployment_frequency"].cluster(self.deployment_frequency_per_day)

    @property
    def lead_time_cluster(self) -> str | None:
        return DORA["lead_time"].cluster(self.lead_time_median_hours)

    @property
    def change_failure_rate_cluster(self) -> str | None:
        return DORA["change_failure_rate"].cluster(self.change_failure_rate)

    @property
    def time_to_restore_cluster(self) -> str | None:
        return DORA["time_to_restore"].cluster(self.time_to_restore_median_hours)

    @property
    def incidents_per_week(self) -> float | None:
        return None if self.incidents is None else self.incidents / self.window.weeks

    @property
    def out_of_hours_pages_per_week(self) -> float | None:
        if self.out_of_hours_pages is None:
            return None
        return self.out_of_hours_pages / self.window.weeks

    @property
    def health_index(self) -> float | None:
        return None if self.health is None else self.health.index

    @property
    def slos_met(self) -> int:
        return sum(1 for s in self.slos if s.met)

    @property
    def has_data(self) -> bool:
        return bool(self.deployment_count or self.incidents or self.slos or self.health)

    def value(self, key: str) -> float | None:
        """A metric by the key used for trends, sorting and charts."""
        if key == "health_index":
            return self.health_index
        if key in ("workload", "on_call_burden"):
            return None if self.health is None else float(getattr(self.health, key))
        if key == "slos_met_share":
            return self.slos_met / len(self.slos) if self.slos else None
        value = getattr(self, key)
        return None if value is None else float(value)


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


def _trend(metric: TrendMetric, current: float | None, previous: float | None) -> Trend:
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
    return _trend(TrendMetric(key, label, higher_is_better), current, previous)


# --- Flags ----------------------------------------------------------------------------------
# Thresholds for the stories the scorecard tells; each compares the window with the one
# before it. They are deliberately coarse: flags start a conversation, they judge nothing.
FLAG_INCIDENTS_RISING = 0.10  # incidents per week up by at least 10%…
FLAG_HEALTH_FALLING = 0.20  # …while the health index falls by at least 0.2 points
FLAG_LEAD_TIME_RISING = 0.20  # lead time up by at least 20%…
FLAG_INCIDENTS_STABLE = 0.10  # …while incidents per week move by less than 10%…
FLAG_INCIDENTS_STABLE_ABSOLUTE = 0.5  # …or by less than half an incident a week
FLAG_STRAIN_RISING = 0.30  # workload or on-call burden up by at least 0.3 points


@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    message: str


def _rose(cur: float | None, prev: float | None, relative: float) -> bool:
    return cur is not None and prev is not None and cur > prev and cur - prev >= relative * prev


def flags_for(current: WindowMetrics, previous: WindowMetrics) -> list[Flag]:
    flags: list[Flag] = []
    inc, inc_prev = current.incidents_per_week, previous.incidents_per_week
    health, health_prev = current.health_index, previous.health_index
    if (
        _rose(inc, inc_prev, FLAG_INCIDENTS_RISING)
        and inc_prev
        and health is not None
        and health_prev is not None
        and health_prev - health >= FLAG_HEALTH_FALLING
    ):
        flags.append(
            Flag(
                "incidents_up_health_down",
                "Incident load is rising while team health falls",
                "More incidents than in the previous window and a lower health score: the "
                "team may be heading for burnout. Look at on-call load, staffing and the "
                "causes behind the incidents before asking for more delivery.",
            )
        )
    lead, lead_prev = current.lead_time_median_hours, previous.lead_time_median_hours
    if _rose(lead, lead_prev, FLAG_LEAD_TIME_RISING) and inc is not None and inc_prev is not None:
        change = abs(inc - inc_prev)
        if change < FLAG_INCIDENTS_STABLE_ABSOLUTE or change < FLAG_INCIDENTS_STABLE * inc_prev:
            flags.append(
                Flag(
                    "lead_time_up_incidents_stable",
                    "Lead time is creeping up while incident load is stable",
                    "Changes take longer to reach production although firefighting has not "
                    "grown. That usually points at batch size or slow verification: invest "
                    "in smaller changes and in test automation.",
                )
            )
    strain_up = any(
        current.health is not None
        and previous.health is not None
        and getattr(current.health, f) - getattr(previous.health, f) >= FLAG_STRAIN_RISING
        for f in ("workload", "on_call_burden")
    )
    if current.slos and all(s.met for s in current.slos) and strain_up:
        flags.append(
            Flag(
                "slos_holding_strain_rising",
                "SLOs are holding while workload strain rises",
                "Every service met its objective, but the team reports a heavier workload or "
                "on-call burden than before. Reliability may be held up by extra effort that "
                "cannot last.",
            )
        )
    spent = [s.service for s in current.slos if (s.error_budget_remaining or 0) < 0]
    if spent:
        flags.append(
            Flag(
                "error_budget_spent",
                "Error budget overspent",
                f"{', '.join(spent)} used more than its error budget in this window: "
                "reliability work should come before new features there.",
            )
        )
    return flags


# --- The scorecard -------------------------------------------------------------------------------
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
    trends = {m.key: _trend(m, current.value(m.key), previous.value(m.key)) for m in TREND_METRICS}
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


# --- The six queries ----------------------------------------------------------------------------
class SecondsBetween(Func):
    """``later − earlier`` in seconds, computed natively by the database."""

    output_field = FloatField()

    def __init__(self, later: str, earlier: str) -> None:
        super().__init__(F(later), F(earlier))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::float",
            arg_joiner=" - ",
            **extra,
        )


def _bucket(field_name: str, windows: Sequence[Window]) -> Case:
    """The index of the window a timestamp falls in (-1 outside every window)."""
    whens = []
    for i, w in enumerate(windows):
        lo, hi = w.bounds()
        whens.append(When(**{f"{field_name}__gte": lo, f"{field_name}__lt": hi}, then=Value(i)))
    return Case(*whens, default=Value(-1), output_field=IntegerField())


def _medians(qs: QuerySet[Any], duration: SecondsBetween) -> dict[tuple[int, int], float]:
    """Median of ``duration`` per (team, window) in hours, from the middle rows only."""
    part = [F("team_id"), F("bucket")]
    rows = (
        qs.annotate(seconds=duration)
        .annotate(
            rn=SQLWindow(RowNumber(), partition_by=part, order_by=F("seconds").asc()),
            n=SQLWindow(Count("id"), partition_by=part),
        )
        # The middle row (odd n) or the two middle rows (even n): integer division.
        .filter(rn__gte=(F("n") + 1) / 2, rn__lte=(F("n") + 2) / 2)
        .values_list("team_id", "bucket", "seconds")
    )
    middle: dict[tuple[int, int], list[float]] = defaultdict(list)
    for team_id, bucket, seconds in rows:
        middle[(team_id, bucket)].append(float(seconds))
    return {key: sum(vals) / len(vals) / 3600 for key, vals in middle.items()}


def window_metrics(
    *, team_ids: Sequence[int], windows: Sequence[Window]
) -> dict[tuple[int, int], WindowMetrics]:
    """Metrics per (team id, window index) for consecutive windows. Six queries in all."""
    out = {(t, i): WindowMetrics(window=w) for t in team_ids for i, w in enumerate(windows)}
    if not team_ids or not windows:
        return out
    lo, hi = windows[0].bounds()[0], windows[-1].bounds()[1]

    # 1. Deployments and failures. A deployment failed if the CI/CD system said so, or if
    # any incident of the team names it as its cause (whenever that incident started).
    named = Incident.objects.filter(
        team_id=OuterRef("team_id"), caused_by_deployment=OuterRef("external_id")
    )
    deployments = Deployment.objects.filter(
        team_id__in=team_ids, deployed_at__gte=lo, deployed_at__lt=hi
    ).annotate(bucket=_bucket("deployed_at", windows))
    for row in (
        deployments.values("team_id", "bucket")
        .annotate(total=Count("id"), failures=Count("id", filter=Q(failed=True) | Q(Exists(named))))
        .order_by()
    ):
        m = out.get((row["team_id"], row["bucket"]))
        if m is None:
            continue
        m.deployment_count = row["total"]
        m.failed_deployment_count = row["failures"]
        m.deployment_frequency_per_day = row["total"] / m.window.days
        m.change_failure_rate = row["failures"] / row["total"]

    # 2. Lead time: deployed_at − committed_at over deployments that carry a commit time.
    leads = _medians(
        deployments.filter(committed_at__isnull=False),
        SecondsBetween("deployed_at", "committed_at"),
    )

    # 3. Incidents started in each window, and how many of them paged out of hours.
    tz = timezone.get_current_timezone()
    incidents = Incident.objects.filter(
        team_id__in=team_ids, started_at__gte=lo, started_at__lt=hi
    ).annotate(bucket=_bucket("started_at", windows))
    out_of_hours = (
        Q(hour__lt=WORKDAY_START_HOUR) | Q(hour__gte=WORKDAY_END_HOUR) | Q(weekday__gte=6)
    )
    incident_rows = (
        incidents.annotate(
            hour=ExtractHour("started_at", tzinfo=tz),
            weekday=ExtractIsoWeekDay("started_at", tzinfo=tz),
        )
        .values("team_id", "bucket")
        .annotate(total=Count("id"), ooh=Count("id", filter=out_of_hours))
        .order_by()
    )
    incident_counts = {(r["team_id"], r["bucket"]): (r["total"], r["ooh"]) for r in incident_rows}

    # 4. Time to restore: resolved_at − started_at over resolved incidents.
    restores = _medians(
        incidents.filter(resolved_at__isnull=False), SecondsBetween("resolved_at", "started_at")
    )

    for key, m in out.items():
        m.lead_time_median_hours = leads.get(key)
        m.time_to_restore_median_hours = restores.get(key)
        total, ooh = incident_counts.get(key, (0, 0))
        # No deployments and no incidents: nothing is known about the incident load either.
        if total or m.deployment_count:
            m.incidents, m.out_of_hours_pages = total, ooh

    # 5. SLO reports overlapping the windows.
    first, last = windows[0].start, windows[-1].end
    slo_rows = SLOReport.objects.filter(
        team_id__in=team_ids, period_start__lte=last, period_end__gte=first
    ).values_list("team_id", "service", "period_start", "period_end", "objective", "attained")
    _add_slos(out, windows, slo_rows)

    # 6. Health surveys whose period starts in the windows.
    survey_rows = (
        HealthSurvey.objects.filter(
            team_id__in=team_ids, period_start__gte=first, period_start__lte=last
        )
        .order_by("period_start")
        .values_list("team_id", "period_start", "respondents", *HEALTH_FIELDS)
    )
    _add_health(out, windows, survey_rows)
    return out


def _add_slos(
    out: dict[tuple[int, int], WindowMetrics],
    windows: Sequence[Window],
    rows: Iterable[tuple[int, str, dt.date, dt.date, float, float]],
) -> None:
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
        out[key].slos = summaries


def _add_health(
    out: dict[tuple[int, int], WindowMetrics],
    windows: Sequence[Window],
    rows: Iterable[tuple[Any, ...]],
) -> None:
    """Per window: the means of the surveys that start in it, weighted by respondents."""
    grouped: dict[tuple[int, int], list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        team_id, period_start = row[0], row[1]
        for i, w in enumerate(windows):
            if w.start <= period_start <= w.end:
                grouped[(team_id, i)].append(row)
                break
    for key, surveys in grouped.items():
        weight = sum(s[2] for s in surveys)
        means = [sum(s[2] * s[3 + j] for s in surveys) / weight for j in range(len(HEALTH_FIELDS))]
        out[key].health = HealthSummary(
            surveys=len(surveys),
            respondents=surveys[-1][2],
            psychological_safety=means[0],
            workload=means[1],
            clarity=means[2],
            on_call_burden=means[3],
            decision_latency=means[4],
        )


# --- Raw events, tokens ----------------------------------------------------------------------
def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def team_for_slug(*, user: Any, slug: str) -> Team:
    """A team by slug, from the same scoped list as the team API (404 if not visible)."""
    team = team_list(user=user).filter(slug=slug).first()
    if team is None:
        raise Http404("No such team.")
    return team


def deployment_list(*, user: Any) -> QuerySet[Deployment]:
    """Team-level data: every signed-in person may read every team's events (SPEC §3)."""
    if not _signed_in(user):
        return Deployment.objects.none()
    return Deployment.objects.select_related("team").order_by("-deployed_at", "-id")


def incident_list(*, user: Any) -> QuerySet[Incident]:
    if not _signed_in(user):
        return Incident.objects.none()
    return Incident.objects.select_related("team").order_by("-started_at", "-id")


def slo_report_list(*, user: Any) -> QuerySet[SLOReport]:
    if not _signed_in(user):
        return SLOReport.objects.none()
    return SLOReport.objects.select_related("team").order_by("-period_start", "service", "id")


def health_survey_list(*, user: Any) -> QuerySet[HealthSurvey]:
    if not _signed_in(user):
        return HealthSurvey.objects.none()
    return HealthSurvey.objects.select_related("team").order_by("-period_start", "id")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def ingestion_token_for_secret(secret: str) -> IngestionToken | None:
    """The active token with this secret (compared by hash; the secret is never stored)."""
    if not secret or len(secret) > 200:
        return None
    return (
        IngestionToken.objects.select_related("user")
        .filter(key_hash=hash_secret(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def ingestion_token_list() -> QuerySet[IngestionToken]:
    return IngestionToken.objects.select_related("created_by").order_by("-created_at", "-id")


def active_ingestion_token(user: Any) -> IngestionToken | None:
    """The token a request authenticated with, if its user is a token's service account."""
    token = getattr(user, "_levelhead_ingestion_token", None)
    if token is not None:
        return token if token.revoked_at is None else None
    if not _signed_in(user):
        return None
    return IngestionToken.objects.filter(user=user, revoked_at__isnull=True).first()


# --- Periods for the pages ------------------------------------------------------------------
def month_window(anchor: dt.date) -> Window:
    """The calendar month that contains ``anchor``."""
    start = anchor.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return Window(start, following - dt.timedelta(days=1))


def quarter_window(anchor: dt.date) -> Window:
    """The calendar quarter that contains ``anchor``."""
    first_month = 3 * ((anchor.month - 1) // 3) + 1
    start = anchor.replace(month=first_month, day=1)
    following = (start + dt.timedelta(days=95)).replace(day=1)
    return Window(start, following - dt.timedelta(days=1))


def period_window(period: str, anchor: dt.date | None, today: dt.date) -> Window:
    """A month or quarter window. Without an anchor: the latest complete one (whole
    periods compare fairly). A period that is still running ends today, so per-day and
    per-week figures are not diluted by days that have not happened yet."""
    make = quarter_window if period == "quarter" else month_window
    if anchor is None:
        anchor = make(today).start - dt.timedelta(days=1)
    window = make(anchor)
    return Window(window.start, min(window.end, today)) if window.end > today else window
