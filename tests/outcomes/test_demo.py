"""seed_demo loads a year of team outcomes with three stories, the same way every time."""

from __future__ import annotations

import io

import pytest
import time_machine

from demo.outcomes import delivery_teams, seed_outcomes
from org.models import Team, User
from outcomes.models import Deployment, HealthSurvey, Incident, SLOReport
from outcomes.selectors.scorecard import team_scorecard
from outcomes.selectors.windows import period_window
from tests.factories import seed_demo
from tests.outcomes.helpers import d

pytestmark = pytest.mark.django_db

TODAY = "2026-04-10T12:00:00+00:00"


def _snapshot() -> list[tuple]:
    return [
        *Deployment.objects.order_by("team_id", "external_id").values_list(
            "team__slug", "external_id", "deployed_at", "committed_at", "failed"
        ),
        *Incident.objects.order_by("team_id", "external_id").values_list(
            "team__slug", "external_id", "started_at", "resolved_at", "caused_by_deployment"
        ),
        *SLOReport.objects.order_by("team_id", "service", "period_start").values_list(
            "team__slug", "service", "period_start", "attained"
        ),
        *HealthSurvey.objects.order_by("team_id", "period_start").values_list(
            "team__slug", "period_start", "respondents", "workload"
        ),
    ]


@pytest.fixture
def seeded(db):
    with time_machine.travel(TODAY, tick=False):
        seed_demo(stdout=io.StringIO())
        yield


def test_every_delivery_team_gets_a_year_of_every_kind_of_data(seeded):
    teams = delivery_teams()
    assert len(teams) == 12
    for team in teams:
        assert team.deployments.count() > 50, team.slug
        assert team.incidents.exists() and team.slo_reports.count() >= 12, team.slug
        assert team.health_surveys.count() == 26, team.slug
        assert not team.health_surveys.filter(respondents__lt=5).exists()
    first = Deployment.objects.order_by("deployed_at").first().deployed_at.date()
    last = Deployment.objects.order_by("deployed_at").last().deployed_at.date()
    assert (first, last) >= (d("2025-04-10"), d("2026-04-08"))
    assert last < d("2026-04-10")  # the year ends yesterday
    # Only delivery teams have outcome data.
    assert not Deployment.objects.exclude(team__in=teams).exists()


def test_the_demo_tells_its_three_stories_in_the_latest_month(seeded):
    window = period_window("month", None, d("2026-04-10"))

    def card(slug: str):
        return team_scorecard(team=Team.objects.get(slug=slug), start=window.start, end=window.end)

    elite = card("developer-experience").current
    assert {
        elite.deployment_frequency_cluster,
        elite.lead_time_cluster,
        elite.change_failure_rate_cluster,
    } == {"elite"}
    payments = [f.code for f in card("payments-platform").flags]
    assert "incidents_up_health_down" in payments and "error_budget_spent" in payments
    checkout = card("checkout")
    assert "lead_time_up_incidents_stable" in [f.code for f in checkout.flags]
    assert checkout.trends["lead_time_median_hours"].assessment == "worse"
    assert "slos_holding_strain_rising" in [f.code for f in card("reliability").flags]


def test_the_demo_data_is_the_same_every_time(seeded):
    before = _snapshot()
    for model in (Deployment, Incident, SLOReport, HealthSurvey):
        model.objects.all().delete()

    with time_machine.travel(TODAY, tick=False):
        seed_outcomes(actor=User.objects.get(username="admin"))

    assert _snapshot() == before
