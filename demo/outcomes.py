"""A year of believable team outcomes for the twelve demo delivery teams.

Deterministic for a given day (fixed random seed; the year ends yesterday so the pages
always have recent data). Each team follows a profile; three tell a story:

- Developer Experience is an elite team: many small deployments, quick restores.
- Payments Platform slides into incident overload while its health survey falls and one
  of its services overspends its error budget.
- Checkout's lead time creeps up month after month while its incident load stays flat.
- Reliability keeps every SLO while its workload and on-call burden climb.

Event counts come from accumulators rather than coin flips, so monthly trends are smooth
enough for the flags to show the story; times of day, durations and failures are random.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from org.models import Team
from org.types import User
from outcomes import services

SEED = 2026
DAYS = 365


@dataclass
class Profile:
    deploys_per_weekday: float
    lead_hours: float  # median at the start of the year
    lead_growth: float = 1.0  # factor per month
    lead_spread: float = 0.4  # sigma of the log-normal lead time
    failure_rate: float = 0.08
    incidents_per_week: float = 1.0
    incident_growth: float = 1.0  # factor per month
    restore_hours: float = 4.0
    services: list[tuple[str, float]] = field(default_factory=lambda: [("api", 0.995)])
    slo_miss_after_month: int | None = None  # from this month on, the first service misses
    health: tuple[float, float, float, float, float] = (4.0, 3.0, 3.9, 2.6, 2.7)
    health_decline: float = 0.0  # index points lost by the end of the year (accelerating)
    strain_rise: float = 0.0  # workload and on-call points gained by the end of the year


STORIES: dict[str, Profile] = {
    "developer-experience": Profile(
        deploys_per_weekday=4.0,
        lead_hours=3.0,
        failure_rate=0.025,
        incidents_per_week=0.4,
        restore_hours=0.5,
        services=[("ci-runners", 0.995), ("artifact-registry", 0.999)],
        health=(4.5, 2.6, 4.4, 2.0, 2.1),
    ),
    "payments-platform": Profile(
        deploys_per_weekday=1.2,
        lead_hours=30.0,
        failure_rate=0.12,
        incidents_per_week=0.8,
        incident_growth=1.2,
        restore_hours=6.0,
        services=[("payments-api", 0.999), ("ledger", 0.9995)],
        slo_miss_after_month=8,
        health=(4.1, 3.0, 3.8, 2.8, 2.9),
        health_decline=2.0,
    ),
    "checkout": Profile(
        deploys_per_weekday=1.5,
        lead_hours=10.0,
        lead_growth=1.35,
        lead_spread=0.2,
        failure_rate=0.07,
        incidents_per_week=1.0,
        restore_hours=3.0,
        services=[("checkout-web", 0.995), ("checkout-api", 0.999)],
    ),
    "reliability": Profile(
        deploys_per_weekday=0.8,
        lead_hours=20.0,
        failure_rate=0.05,
        incidents_per_week=1.5,
        restore_hours=1.5,
        services=[("paging", 0.9995), ("observability", 0.999)],
        health=(4.1, 2.6, 3.9, 2.3, 2.6),
        strain_rise=2.0,
    ),
}
SEVERITIES = (["sev1", "sev2", "sev3", "sev4"], [1, 3, 8, 6])


def _generic(rng: random.Random, slug: str) -> Profile:
    return Profile(
        deploys_per_weekday=rng.uniform(0.3, 2.0),
        lead_hours=rng.uniform(20, 120),
        failure_rate=rng.uniform(0.06, 0.14),
        incidents_per_week=rng.uniform(0.5, 2.0),
        restore_hours=rng.uniform(2, 30),
        services=[(f"{slug}-api", rng.choice([0.99, 0.995, 0.999]))],
        health=(
            rng.uniform(3.4, 4.3),
            rng.uniform(2.6, 3.4),
            rng.uniform(3.3, 4.2),
            rng.uniform(2.2, 3.2),
            rng.uniform(2.4, 3.3),
        ),
    )


def _clip(score: float) -> float:
    return round(min(5.0, max(1.0, score)), 2)


def _team_events(
    rng: random.Random, team: Team, profile: Profile, first: dt.date, tz: Any
) -> dict[str, list[dict[str, Any]]]:
    deployments: list[dict[str, Any]] = []
    incidents: list[dict[str, Any]] = []
    now = timezone.now()
    deploy_acc = incident_acc = 0.0
    for day_index in range(DAYS):
        day = first + dt.timedelta(days=day_index)
        month = day_index / 30.4
        weekday = day.weekday() < 5
        deploy_acc += profile.deploys_per_weekday * (1.0 if weekday else 0.05)
        while deploy_acc >= 1:
            deploy_acc -= 1
            at = dt.datetime.combine(day, dt.time(9), tzinfo=tz) + dt.timedelta(
                minutes=rng.randrange(0, 9 * 60)
            )
            median_lead = profile.lead_hours * profile.lead_growth**month
            lead = rng.lognormvariate(math.log(median_lead), profile.lead_spread)
            deployments.append(
                {
                    "team": team.pk,
                    "external_id": f"{team.slug}-deploy-{len(deployments) + 1}",
                    "deployed_at": at,
                    # One deployment in ten comes from a pipeline that reports no commit time.
                    "committed_at": None if rng.random() < 0.1 else at - dt.timedelta(hours=lead),
                    "failed": rng.random() < profile.failure_rate * 0.6,
                }
            )
        incidents_per_week = profile.incidents_per_week * profile.incident_growth**month
        incident_acc += incidents_per_week / 7
        # Incidents blamed on a deployment make up the rest of the change-failure rate.
        blame = 0.4 * profile.failure_rate * profile.deploys_per_weekday * 5 / incidents_per_week
        while incident_acc >= 1:
            incident_acc -= 1
            started = dt.datetime.combine(day, dt.time(0), tzinfo=tz) + dt.timedelta(
                minutes=rng.randrange(0, 24 * 60)
            )
            restore = rng.lognormvariate(math.log(profile.restore_hours), 0.7)
            resolved = started + dt.timedelta(hours=restore)
            recent = [d for d in deployments[-6:] if d["deployed_at"] <= started]
            cause = ""
            if recent and rng.random() < blame:
                cause = rng.choice(recent)["external_id"]
            incidents.append(
                {
                    "team": team.pk,
                    "external_id": f"INC-{team.pk}-{len(incidents) + 1}",
                    "started_at": started,
                    "resolved_at": resolved if resolved < now else None,
                    "caused_by_deployment": cause,
                    "severity": rng.choices(*SEVERITIES)[0],
                }
            )
    return {"deployments": deployments, "incidents": incidents}


def _team_reports(
    rng: random.Random, team: Team, profile: Profile, first: dt.date, last: dt.date
) -> dict[str, list[dict[str, Any]]]:
    slo_reports: list[dict[str, Any]] = []
    month_start = first.replace(day=1)
    month_index = 0
    while month_start <= last:
        month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        for i, (service, objective) in enumerate(profile.services):
            budget = 1 - objective
            missing = (
                i == 0
                and profile.slo_miss_after_month is not None
                and month_index >= profile.slo_miss_after_month
            )
            used = budget * (rng.uniform(1.2, 2.5) if missing else rng.uniform(0.1, 0.9))
            slo_reports.append(
                {
                    "team": team.pk,
                    "service": service,
                    "period_start": month_start,
                    "period_end": min(month_end, last),
                    "objective": objective,
                    "attained": round(1 - used, 6),
                }
            )
        month_start, month_index = month_end + dt.timedelta(days=1), month_index + 1

    # Fortnightly pulse surveys starting on Mondays.
    surveys: list[dict[str, Any]] = []
    day = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    while day <= last:
        progress = (day - first).days / DAYS
        # Cubic: slow at first, then faster, so the latest months show the story.
        decline = profile.health_decline * progress**3
        strain = profile.strain_rise * progress**3 + 0.7 * decline
        ps, work, clarity, on_call, latency = profile.health
        surveys.append(
            {
                "team": team.pk,
                "period_start": day,
                "respondents": rng.randint(5, 8),
                "psychological_safety": _clip(ps - decline + rng.uniform(-0.1, 0.1)),
                "workload": _clip(work + strain + rng.uniform(-0.1, 0.1)),
                "clarity": _clip(clarity - decline / 2 + rng.uniform(-0.1, 0.1)),
                "on_call_burden": _clip(on_call + strain + rng.uniform(-0.1, 0.1)),
                "decision_latency": _clip(latency + decline / 2 + rng.uniform(-0.1, 0.1)),
            }
        )
        day += dt.timedelta(days=14)
    return {"slo_reports": slo_reports, "health_surveys": surveys}


def delivery_teams() -> list[Team]:
    """The demo's delivery teams: the ones under a group under Engineering."""
    return list(Team.objects.filter(parent__parent__slug="engineering").order_by("slug"))


def seed_outcomes(*, actor: User, today: dt.date | None = None) -> dict[str, int]:
    """Load a year (ending yesterday) of outcome data for each delivery team."""
    rng = random.Random(SEED)
    tz = timezone.get_current_timezone()
    last = (today or timezone.localdate()) - dt.timedelta(days=1)
    first = last - dt.timedelta(days=DAYS - 1)
    totals = {"deployments": 0, "incidents": 0, "slo_reports": 0, "health_surveys": 0}
    batches: dict[str, list[dict[str, Any]]] = {k: [] for k in totals}
    for team in delivery_teams():
        profile = STORIES.get(team.slug) or _generic(rng, team.slug)
        for kind, items in {
            **_team_events(rng, team, profile, first, tz),
            **_team_reports(rng, team, profile, first, last),
        }.items():
            batches[kind].extend(items)
    ingest = {
        "deployments": services.deployments_ingest,
        "incidents": services.incidents_ingest,
        "slo_reports": services.slo_reports_ingest,
        "health_surveys": services.health_surveys_ingest,
    }
    for kind, items in batches.items():
        totals[kind] = ingest[kind](actor=actor, items=items).created
    return totals
