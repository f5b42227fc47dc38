"""A team's figures per window of days, for any number of teams and windows at once.

Query budget: a scorecard, a team page with its twelve-period history and the whole
organisation table each cost the same six queries (deployment counts, lead-time medians,
incident counts, restore-time medians, SLO reports, health surveys), however many events
or teams there are. Medians are computed by the database with window functions, so only
the one or two middle values of each window travel to Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
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
from django.utils import timezone

from outcomes.models import Deployment, Incident
from outcomes.selectors.dora import DORA
from outcomes.selectors.health import HealthSummary, health_summaries
from outcomes.selectors.slo import SLOSummary, slo_summaries
from outcomes.selectors.windows import Window

# Incidents that start outside 08:00–18:00 on weekdays (organisation time zone) count as
# out-of-hours pages.
WORKDAY_START_HOUR = 8
WORKDAY_END_HOUR = 18


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

    # 5. SLO reports overlapping the windows; 6. health surveys starting in them.
    for key, slos in slo_summaries(team_ids=team_ids, windows=windows).items():
        out[key].slos = slos
    for key, health in health_summaries(team_ids=team_ids, windows=windows).items():
        out[key].health = health
    return out
