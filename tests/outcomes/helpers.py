"""Small builders for outcome tests: events go in through the real ingestion services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from outcomes import services

UTC = dt.UTC
DEPLOYMENTS_URL = "/api/v1/outcomes/deployments/"
INCIDENTS_URL = "/api/v1/outcomes/incidents/"
SLO_URL = "/api/v1/outcomes/slo-reports/"
HEALTH_URL = "/api/v1/outcomes/health-surveys/"
TOKENS_URL = "/api/v1/outcomes/tokens/"


def at(day: str, time: str = "12:00") -> dt.datetime:
    """An aware UTC datetime from '2026-03-02' and '14:30'."""
    return dt.datetime.fromisoformat(f"{day}T{time}:00+00:00")


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def scorecard_url(team: Any, start: str, end: str) -> str:
    return f"/api/v1/teams/{team.pk}/scorecard/?start={start}&end={end}"


def deploy(
    actor: Any,
    team: Any,
    external_id: str,
    deployed_at: dt.datetime,
    committed_at: dt.datetime | None = None,
    failed: bool = False,
) -> None:
    services.deployments_ingest(
        actor=actor,
        items=[
            {
                "team": team.pk,
                "external_id": external_id,
                "deployed_at": deployed_at,
                "committed_at": committed_at,
                "failed": failed,
            }
        ],
    )


def incident(
    actor: Any,
    team: Any,
    external_id: str,
    started_at: dt.datetime,
    resolved_at: dt.datetime | None = None,
    caused_by: str = "",
    severity: str = "sev2",
) -> None:
    services.incidents_ingest(
        actor=actor,
        items=[
            {
                "team": team.pk,
                "external_id": external_id,
                "started_at": started_at,
                "resolved_at": resolved_at,
                "caused_by_deployment": caused_by,
                "severity": severity,
            }
        ],
    )


def slo(
    actor: Any,
    team: Any,
    service: str,
    start: str,
    end: str,
    objective: float,
    attained: float,
) -> None:
    services.slo_reports_ingest(
        actor=actor,
        items=[
            {
                "team": team.pk,
                "service": service,
                "period_start": d(start),
                "period_end": d(end),
                "objective": objective,
                "attained": attained,
            }
        ],
    )


def survey(actor: Any, team: Any, start: str, respondents: int = 6, **scores: float) -> None:
    values = {
        "psychological_safety": 4.0,
        "workload": 3.0,
        "clarity": 4.0,
        "on_call_burden": 2.0,
        "decision_latency": 2.0,
        **scores,
    }
    services.health_surveys_ingest(
        actor=actor,
        items=[{"team": team.pk, "period_start": d(start), "respondents": respondents, **values}],
    )


def deployment_item(team: Any, n: int, **extra: Any) -> dict[str, Any]:
    """A JSON-ready deployment for API posts."""
    return {
        "team": team.pk,
        "external_id": f"deploy-{n}",
        "deployed_at": f"2026-03-{1 + n % 28:02d}T10:00:00Z",
        "committed_at": f"2026-03-{1 + n % 28:02d}T08:00:00Z",
        "failed": False,
        **extra,
    }
