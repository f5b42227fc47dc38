"""The organisation view, scorecards, team pages and event lists run the same number of SQL
queries however many teams or events they cover (SPEC §8)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.models import Team
from outcomes import services
from tests.outcomes.helpers import DEPLOYMENTS_URL, INCIDENTS_URL, at, scorecard_url

# These count what building a page costs: every request builds it (no kept pages).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]

TODAY = "2026-04-10T12:00:00+00:00"
MARCH = ("2026-03-01", "2026-03-31")


def _count(client, url, params=None) -> int:
    client.get(url, params)  # warm-up: per-user caches are filled alike in both cases
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def _same_count(client, url, expected, assert_num_queries, params=None):
    client.get(url, params)
    with assert_num_queries(expected):
        response = client.get(url, params)
    assert response.status_code == 200
    return response


def add_events(actor, team, n: int, prefix: str = "e") -> None:
    """``n`` events in March 2026: nine deployments for each incident."""
    deployments, incidents = [], []
    start = at("2026-03-01", "00:00")
    for i in range(n):
        moment = start + dt.timedelta(minutes=(i * 4001) % (31 * 24 * 60))
        if i % 10 == 9:
            incidents.append(
                {
                    "team": team.pk,
                    "external_id": f"{prefix}-i{i}",
                    "started_at": moment,
                    "resolved_at": moment + dt.timedelta(minutes=30 + i % 300),
                    "caused_by_deployment": f"{prefix}-d{i - 1}" if i % 20 == 19 else "",
                    "severity": "sev3",
                }
            )
        else:
            deployments.append(
                {
                    "team": team.pk,
                    "external_id": f"{prefix}-d{i}",
                    "deployed_at": moment,
                    "committed_at": None if i % 7 == 0 else moment - dt.timedelta(hours=1 + i % 50),
                    "failed": i % 13 == 0,
                }
            )
    for chunk in range(0, len(deployments), 1000):
        services.deployments_ingest(actor=actor, items=deployments[chunk : chunk + 1000])
    services.incidents_ingest(actor=actor, items=incidents)
    services.slo_reports_ingest(
        actor=actor,
        items=[
            {
                "team": team.pk,
                "service": f"{prefix}-svc",
                "period_start": dt.date(2026, 3, 1),
                "period_end": dt.date(2026, 3, 31),
                "objective": 0.99,
                "attained": 0.995,
            }
        ],
    )
    services.health_surveys_ingest(
        actor=actor,
        items=[
            {
                "team": team.pk,
                "period_start": dt.date(2026, 3, 2),
                "respondents": 6,
                "psychological_safety": 4,
                "workload": 3,
                "clarity": 4,
                "on_call_burden": 2,
                "decision_latency": 2,
            }
        ],
    )


def add_teams(world, n: int) -> list[Team]:
    teams = [
        Team.objects.create(name=f"Team {n}-{i:02d}", slug=f"team-{n}-{i:02d}", parent=world.eng)
        for i in range(n)
    ]
    for team in teams:
        add_events(world.hr.user, team, 20, prefix=team.slug)
    return teams


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("role", ["engineer", "hr"])
def test_the_organisation_view_costs_the_same_for_5_or_50_teams(
    world, client_for, role, django_assert_num_queries
):
    add_teams(world, 5)
    client = client_for(role)
    small = _count(client, "/outcomes/", {"sort": "-lead_time_median_hours"})
    add_teams(world, 50)  # 55 teams with data now

    response = _same_count(
        client, "/outcomes/", small, django_assert_num_queries, {"sort": "-lead_time_median_hours"}
    )

    assert len(response.context["rows"]) == 5 + 50


def test_a_scorecard_costs_the_same_for_100_or_10000_events(
    world, api_for, django_assert_num_queries
):
    add_events(world.hr.user, world.team_a, 100, prefix="small")
    add_events(world.hr.user, world.team_b, 10_000, prefix="large")
    client = api_for("engineer")
    small = _count(client, scorecard_url(world.team_a, *MARCH))

    response = _same_count(
        client, scorecard_url(world.team_b, *MARCH), small, django_assert_num_queries
    )

    assert response.json()["deployment_count"] == 9_000
    assert response.json()["incident_load"]["incidents"] == 1_000


@time_machine.travel(TODAY, tick=False)
def test_a_team_page_costs_the_same_for_100_or_10000_events(
    world, client_for, django_assert_num_queries
):
    add_events(world.hr.user, world.team_a, 100, prefix="small")
    add_events(world.hr.user, world.team_b, 10_000, prefix="large")
    client = client_for("engineer")
    small = _count(client, "/outcomes/teams/team-a/")

    response = _same_count(client, "/outcomes/teams/team-b/", small, django_assert_num_queries)

    assert response.context["scorecard"].current.deployment_count == 9_000


@pytest.mark.parametrize("url", [DEPLOYMENTS_URL, INCIDENTS_URL])
def test_event_lists_cost_the_same_for_few_or_many_rows(
    world, api_for, url, django_assert_num_queries
):
    add_events(world.hr.user, world.team_a, 20, prefix="few")
    client = api_for("engineer")
    small = _count(client, url, {"page_size": 200})
    add_events(world.hr.user, world.team_b, 2_000, prefix="many")

    response = _same_count(client, url, small, django_assert_num_queries, {"page_size": 200})

    assert len(response.json()["results"]) == 200
