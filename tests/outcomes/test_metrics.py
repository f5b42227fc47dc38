"""Each metric of SPEC §7 computed by hand on small event sets, compared with the selector
(and, at the end, with the API's answer)."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from outcomes.selectors.dora import DORA
from outcomes.selectors.scorecard import (
    team_scorecard,
    team_scorecard_with_history,
    team_scorecards,
)
from outcomes.selectors.windows import Window, period_window
from tests.outcomes.helpers import at, d, deploy, incident, scorecard_url, slo, survey

pytestmark = pytest.mark.django_db

MARCH = ("2026-03-01", "2026-03-31")


def card(world, team=None, start="2026-03-01", end="2026-03-31"):
    return team_scorecard(team=team or world.team_a, start=d(start), end=d(end))


# --- Windows --------------------------------------------------------------------------------------


def test_a_window_counts_both_days_and_its_previous_window_has_the_same_length():
    w = Window(d("2026-03-01"), d("2026-03-31"))
    assert w.days == 31
    assert w.previous() == Window(d("2026-01-29"), d("2026-02-28"))
    assert Window(d("2026-03-05"), d("2026-03-05")).days == 1


def test_periods_default_to_the_latest_complete_one_and_stop_at_today():
    today = d("2026-03-10")
    assert period_window("month", None, today) == Window(d("2026-02-01"), d("2026-02-28"))
    assert period_window("quarter", None, today) == Window(d("2025-10-01"), d("2025-12-31"))
    assert period_window("month", d("2026-03-02"), today) == Window(d("2026-03-01"), today)
    assert period_window("quarter", d("2024-05-20"), today) == Window(
        d("2024-04-01"), d("2024-06-30")
    )


# --- Empty windows --------------------------------------------------------------------------------


def test_an_empty_window_gives_null_metrics_and_null_clusters(world):
    c = card(world)
    m = c.current
    assert m.deployment_count == 0
    assert m.deployment_frequency_per_day is None
    assert m.lead_time_median_hours is None
    assert m.change_failure_rate is None
    assert m.time_to_restore_median_hours is None
    assert m.incidents is None and m.incidents_per_week is None
    assert m.out_of_hours_pages_per_week is None
    assert m.slos == [] and m.health is None and m.health_index is None
    assert (
        m.deployment_frequency_cluster,
        m.lead_time_cluster,
        m.change_failure_rate_cluster,
        m.time_to_restore_cluster,
    ) == (None, None, None, None)
    assert all(t.direction is None for t in c.trend_list)
    assert c.flags == []


def test_an_empty_window_answers_nulls_through_the_api(world, api_for):
    body = api_for("engineer").get(scorecard_url(world.team_a, *MARCH)).json()
    for key in (
        "deployment_frequency_per_day",
        "deployment_frequency_cluster",
        "lead_time_median_hours",
        "lead_time_cluster",
        "change_failure_rate",
        "change_failure_rate_cluster",
        "time_to_restore_median_hours",
        "time_to_restore_cluster",
        "health",
    ):
        assert body[key] is None, key
    assert body["incident_load"]["incidents_per_week"] is None
    assert body["slos"] == [] and body["flags"] == []


# --- Deployment frequency -------------------------------------------------------------------------


def test_deployment_frequency_is_deployments_divided_by_days_in_the_window(world):
    actor = world.hr.user
    deploy(actor, world.team_a, "d1", at("2026-03-01", "00:00"))  # first instant: inside
    deploy(actor, world.team_a, "d2", at("2026-03-15"))
    deploy(actor, world.team_a, "d3", at("2026-03-31", "23:59"))  # last minute: inside
    deploy(actor, world.team_a, "d4", at("2026-04-01", "00:00"))  # next day: outside
    deploy(actor, world.team_a, "d5", at("2026-02-28", "23:59"))  # day before: outside
    deploy(actor, world.team_b, "d6", at("2026-03-15"))  # another team

    m = card(world).current

    assert m.deployment_count == 3
    assert m.deployment_frequency_per_day == pytest.approx(3 / 31)
    # 3/31 a day is about 0.68 a week: less than weekly, at least monthly → medium.
    assert m.deployment_frequency_cluster == "medium"


def test_days_follow_the_organisation_time_zone(world, settings):
    settings.TIME_ZONE = "Europe/Paris"  # UTC+1 on 1 March
    deploy(world.hr.user, world.team_a, "late", at("2026-02-28", "23:30"))  # 00:30 in Paris
    # Summer time has begun by then (UTC+2): 21:30 UTC is 23:30 in Paris, 22:30 is April.
    deploy(world.hr.user, world.team_a, "edge", at("2026-03-31", "21:30"))
    deploy(world.hr.user, world.team_a, "april", at("2026-03-31", "22:30"))

    m = card(world).current

    assert m.deployment_count == 2


# --- Lead time ------------------------------------------------------------------------------------


def test_lead_time_is_the_median_over_deployments_with_a_commit_time(world):
    actor = world.hr.user
    # Lead times 2 h, 5 h and 30 h; one deployment has no commit time.
    deploy(actor, world.team_a, "a", at("2026-03-02", "12:00"), at("2026-03-02", "10:00"))
    deploy(actor, world.team_a, "b", at("2026-03-03", "12:00"), at("2026-03-03", "07:00"))
    deploy(actor, world.team_a, "c", at("2026-03-04", "12:00"), at("2026-03-03", "06:00"))
    deploy(actor, world.team_a, "no-commit", at("2026-03-05", "12:00"))

    m = card(world).current

    assert m.deployment_count == 4  # the deployment without a commit time still counts here
    assert m.lead_time_median_hours == pytest.approx(statistics.median([2, 5, 30]))
    assert m.lead_time_cluster == "elite"  # 5 h: under a day


def test_lead_time_median_of_an_even_count_is_the_mean_of_the_middle_two(world):
    actor = world.hr.user
    for i, hours in enumerate([1, 10, 30, 200]):
        deployed = at(f"2026-03-{10 + i:02d}", "18:00")
        deploy(actor, world.team_a, f"d{i}", deployed, deployed - dt.timedelta(hours=hours))

    m = card(world).current

    assert m.lead_time_median_hours == pytest.approx((10 + 30) / 2)
    assert m.lead_time_cluster == "elite"


def test_lead_time_is_null_when_no_deployment_reports_a_commit_time(world):
    deploy(world.hr.user, world.team_a, "x", at("2026-03-10"))

    m = card(world).current

    assert m.deployment_frequency_per_day == pytest.approx(1 / 31)
    assert m.lead_time_median_hours is None and m.lead_time_cluster is None


# --- Change failure rate --------------------------------------------------------------------------


def test_change_failure_rate_counts_failed_deployments_and_those_an_incident_names(world):
    actor = world.hr.user
    for i in range(1, 9):  # eight deployments in March
        deploy(actor, world.team_a, f"d{i}", at(f"2026-03-{i:02d}"), failed=(i == 1))
    # d2 is named by an incident that started in the window; d3 by one that started after
    # it (still a failed change); d1 is named as well but must not count twice.
    incident(actor, world.team_a, "i1", at("2026-03-02", "13:00"), caused_by="d2")
    incident(actor, world.team_a, "i2", at("2026-04-02"), caused_by="d3")
    incident(actor, world.team_a, "i3", at("2026-03-01", "13:00"), caused_by="d1")
    # Team B's incident names "d4", but d4 of team B does not exist: team A's d4 is fine.
    incident(actor, world.team_b, "i4", at("2026-03-05"), caused_by="d4")
    # An incident naming a deployment outside the window changes nothing here.
    deploy(actor, world.team_a, "feb", at("2026-02-20"))
    incident(actor, world.team_a, "i5", at("2026-02-21"), caused_by="feb")

    m = card(world).current

    assert m.deployment_count == 8
    assert m.failed_deployment_count == 3  # d1, d2, d3
    assert m.change_failure_rate == pytest.approx(3 / 8)
    assert m.change_failure_rate_cluster == "low"  # above 15%


def test_an_incident_that_arrives_before_its_deployment_still_counts(world):
    actor = world.hr.user
    incident(actor, world.team_a, "early", at("2026-03-10", "15:00"), caused_by="late-deploy")
    deploy(actor, world.team_a, "late-deploy", at("2026-03-10", "14:00"))
    for i in range(9):
        deploy(actor, world.team_a, f"ok{i}", at("2026-03-20"))

    m = card(world).current

    assert m.change_failure_rate == pytest.approx(1 / 10)
    assert m.change_failure_rate_cluster == "high"  # 10%: above 5%, up to 10%


# --- Time to restore ------------------------------------------------------------------------------


def test_time_to_restore_is_the_median_over_resolved_incidents_started_in_the_window(world):
    actor = world.hr.user
    team = world.team_a
    incident(actor, team, "a", at("2026-03-02", "10:00"), at("2026-03-02", "10:30"))  # 0.5 h
    incident(actor, team, "b", at("2026-03-05", "10:00"), at("2026-03-05", "14:00"))  # 4 h
    # Starts in the window, resolved after it ends: counted in full (38 h).
    incident(actor, team, "c", at("2026-03-31", "20:00"), at("2026-04-02", "10:00"))
    # Starts before the window, resolved in it: belongs to February.
    incident(actor, team, "d", at("2026-02-28", "20:00"), at("2026-03-01", "02:00"))
    # Still open: not restored, so not in the median (but it is an incident).
    incident(actor, team, "e", at("2026-03-20", "10:00"))

    m = card(world).current

    assert m.time_to_restore_median_hours == pytest.approx(4.0)
    assert m.time_to_restore_cluster == "high"  # from an hour up to a day
    assert m.incidents == 4  # a, b, c, e
    assert m.incidents_per_week == pytest.approx(4 / (31 / 7))
    feb = card(world, start="2026-02-01", end="2026-02-28").current
    assert feb.time_to_restore_median_hours == pytest.approx(6.0)


def test_time_to_restore_is_null_when_every_incident_is_still_open(world):
    incident(world.hr.user, world.team_a, "open", at("2026-03-03"))

    m = card(world).current

    assert m.time_to_restore_median_hours is None and m.time_to_restore_cluster is None
    assert m.incidents == 1
    assert m.deployment_frequency_per_day is None  # no deployments: unknown, not zero


def test_out_of_hours_pages_start_before_8_after_18_or_at_a_weekend(world):
    actor = world.hr.user
    team = world.team_a
    incident(actor, team, "0759", at("2026-03-04", "07:59"))  # Wednesday, early: out of hours
    incident(actor, team, "0800", at("2026-03-04", "08:00"))  # working hours
    incident(actor, team, "1759", at("2026-03-04", "17:59"))  # working hours
    incident(actor, team, "1800", at("2026-03-04", "18:00"))  # out of hours
    incident(actor, team, "sat", at("2026-03-07", "12:00"))  # Saturday: out of hours

    m = card(world).current

    assert (m.incidents, m.out_of_hours_pages) == (5, 3)
    assert m.out_of_hours_pages_per_week == pytest.approx(3 / (31 / 7))


# --- Clusters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "value", "cluster"),
    [
        ("deployment_frequency", 1.0, "elite"),
        ("deployment_frequency", 0.99, "high"),
        ("deployment_frequency", 1 / 7, "high"),
        ("deployment_frequency", 0.14, "medium"),
        ("deployment_frequency", 1 / 30, "medium"),
        ("deployment_frequency", 0.03, "low"),
        ("lead_time", 23.9, "elite"),
        ("lead_time", 24, "high"),
        ("lead_time", 168, "high"),
        ("lead_time", 169, "medium"),
        ("lead_time", 720, "medium"),
        ("lead_time", 721, "low"),
        ("change_failure_rate", 0.0, "elite"),
        ("change_failure_rate", 0.05, "elite"),
        ("change_failure_rate", 0.06, "high"),
        ("change_failure_rate", 0.15, "medium"),
        ("change_failure_rate", 0.16, "low"),
        ("time_to_restore", 0.99, "elite"),
        ("time_to_restore", 1, "high"),
        ("time_to_restore", 24, "medium"),
        ("time_to_restore", 168, "medium"),
        ("time_to_restore", 168.5, "low"),
        ("time_to_restore", None, None),
    ],
)
def test_dora_clusters_follow_the_thresholds_table(metric, value, cluster):
    assert DORA[metric].cluster(value) == cluster


# --- SLOs and health ------------------------------------------------------------------------------


def test_slo_reports_weigh_by_the_days_they_share_with_the_window(world):
    actor = world.hr.user
    # Window 2026-03-16..2026-04-15 (31 days): 16 days of March, 15 of April.
    slo(actor, world.team_a, "api", "2026-03-01", "2026-03-31", 0.99, 0.995)
    slo(actor, world.team_a, "api", "2026-04-01", "2026-04-30", 0.99, 0.98)
    slo(actor, world.team_a, "web", "2026-04-01", "2026-04-30", 1.0, 1.0)
    slo(actor, world.team_a, "old", "2026-01-01", "2026-01-31", 0.9, 0.95)  # outside

    m = card(world, start="2026-03-16", end="2026-04-15").current

    api, web = m.slos
    assert [s.service for s in m.slos] == ["api", "web"]
    attained = (16 * 0.995 + 15 * 0.98) / 31
    allowed = 16 * 0.01 + 15 * 0.01
    spent = 16 * 0.005 + 15 * 0.02
    assert api.objective == pytest.approx(0.99)
    assert api.attained == pytest.approx(attained)
    assert api.met is False  # 0.98774 < 0.99
    assert api.error_budget_remaining == pytest.approx(1 - spent / allowed)
    assert api.reports == 2
    assert web.met is True and web.error_budget_remaining is None  # a 100% objective
    assert m.slos_met == 1


def test_health_is_the_respondent_weighted_mean_of_surveys_starting_in_the_window(world):
    actor = world.hr.user
    survey(actor, world.team_a, "2026-03-02", respondents=5, psychological_safety=4.0, workload=3.0)
    survey(
        actor, world.team_a, "2026-03-16", respondents=10, psychological_safety=3.4, workload=4.0
    )
    survey(actor, world.team_a, "2026-04-01", respondents=8, psychological_safety=1.0)  # outside

    h = card(world).current.health

    assert h.surveys == 2 and h.respondents == 10
    assert h.psychological_safety == pytest.approx((5 * 4.0 + 10 * 3.4) / 15)
    assert h.workload == pytest.approx((5 * 3.0 + 10 * 4.0) / 15)
    # Index: strain scores turned around (6 − score), then the mean of all five.
    expected = (h.psychological_safety + 4.0 + (6 - h.workload) + (6 - 2.0) + (6 - 2.0)) / 5
    assert h.index == pytest.approx(expected)


# --- Trends and flags -----------------------------------------------------------------------------


def test_trends_compare_with_the_previous_window_and_say_whether_that_is_better(world):
    actor = world.hr.user
    # February window (2026-01-29..2026-02-28): 2 deployments; March: 4.
    deploy(actor, world.team_a, "f1", at("2026-02-10"))
    deploy(actor, world.team_a, "f2", at("2026-02-11"))
    for i in range(4):
        deploy(actor, world.team_a, f"m{i}", at(f"2026-03-1{i}"))

    trend = card(world).trends["deployment_frequency_per_day"]

    assert (trend.current, trend.previous) == (pytest.approx(4 / 31), pytest.approx(2 / 31))
    assert trend.direction == "up" and trend.assessment == "better"
    assert trend.relative_change == pytest.approx(1.0)
    assert trend.text == "Up 100% on the previous period (better)"


def _quiet_month(world, actor, month: str, incidents: int, lead_hours: float, prefix: str):
    for i in range(4):
        deployed = at(f"2026-{month}-{10 + i}", "12:00")
        deploy(
            actor,
            world.team_a,
            f"{prefix}-d{i}",
            deployed,
            deployed - dt.timedelta(hours=lead_hours),
        )
    for i in range(incidents):
        incident(actor, world.team_a, f"{prefix}-i{i}", at(f"2026-{month}-{10 + i}", "10:00"))


def test_flag_incidents_rising_while_health_falls(world):
    actor = world.hr.user
    _quiet_month(world, actor, "02", incidents=2, lead_hours=5, prefix="feb")
    _quiet_month(world, actor, "03", incidents=4, lead_hours=5, prefix="mar")
    survey(actor, world.team_a, "2026-02-02", psychological_safety=4.0)
    survey(actor, world.team_a, "2026-03-02", psychological_safety=2.5)  # index −0.3

    codes = [f.code for f in card(world).flags]

    assert codes == ["incidents_up_health_down"]


def test_flag_lead_time_rising_while_incident_load_is_stable(world):
    actor = world.hr.user
    _quiet_month(world, actor, "02", incidents=2, lead_hours=10, prefix="feb")
    _quiet_month(world, actor, "03", incidents=2, lead_hours=13, prefix="mar")  # +30%

    codes = [f.code for f in card(world).flags]

    assert codes == ["lead_time_up_incidents_stable"]


def test_no_lead_time_flag_when_incident_load_moves_too(world):
    actor = world.hr.user
    _quiet_month(world, actor, "02", incidents=2, lead_hours=10, prefix="feb")
    _quiet_month(world, actor, "03", incidents=6, lead_hours=13, prefix="mar")

    assert "lead_time_up_incidents_stable" not in [f.code for f in card(world).flags]


def test_flag_slos_holding_while_workload_strain_rises(world):
    actor = world.hr.user
    slo(actor, world.team_a, "api", "2026-03-01", "2026-03-31", 0.99, 0.995)
    survey(actor, world.team_a, "2026-02-02", workload=3.0)
    survey(actor, world.team_a, "2026-03-02", workload=3.4)

    codes = [f.code for f in card(world).flags]

    assert codes == ["slos_holding_strain_rising"]


def test_flag_error_budget_overspent(world):
    slo(world.hr.user, world.team_a, "api", "2026-03-01", "2026-03-31", 0.99, 0.97)

    flags = card(world).flags

    assert [f.code for f in flags] == ["error_budget_spent"]
    assert "api" in flags[0].message


# --- Many teams, history and the API --------------------------------------------------------------


def test_many_teams_at_once_give_the_same_figures_as_one_at_a_time(world):
    actor = world.hr.user
    deploy(actor, world.team_a, "a1", at("2026-03-02", "12:00"), at("2026-03-02", "09:00"))
    deploy(actor, world.team_a, "a2", at("2026-03-03", "12:00"), at("2026-03-02", "12:00"))
    deploy(actor, world.team_b, "b1", at("2026-03-04", "12:00"), at("2026-03-04", "11:00"))
    incident(actor, world.team_b, "i", at("2026-03-05"), at("2026-03-05", "14:00"), "b1")

    together = team_scorecards(
        teams=[world.team_a, world.team_b], start=d(MARCH[0]), end=d(MARCH[1])
    )
    alone = [card(world, world.team_a), card(world, world.team_b)]

    for a, b in zip(together, alone, strict=True):
        assert a.current == b.current and a.previous == b.previous
    assert together[0].current.lead_time_median_hours == pytest.approx(13.5)
    assert together[1].current.change_failure_rate == 1.0


def test_the_history_ends_with_the_scorecard_window(world):
    deploy(world.hr.user, world.team_a, "x", at("2026-03-10"))

    c, series = team_scorecard_with_history(team=world.team_a, start=d(MARCH[0]), end=d(MARCH[1]))

    assert len(series) == 12
    assert series[-1].window == Window(d(MARCH[0]), d(MARCH[1]))
    assert series[-2].window == series[-1].window.previous()
    assert c.current == series[-1] and c.previous == series[-2]
    assert [m.deployment_count for m in series] == [0] * 11 + [1]


def test_the_api_answers_the_hand_computed_figures(world, api_for):
    actor = world.hr.user
    deploy(actor, world.team_a, "a", at("2026-03-02", "12:00"), at("2026-03-02", "10:00"), True)
    deploy(actor, world.team_a, "b", at("2026-03-03", "12:00"), at("2026-03-03", "06:00"))
    incident(actor, world.team_a, "i", at("2026-03-03", "13:00"), at("2026-03-03", "13:30"), "b")
    slo(actor, world.team_a, "api", "2026-03-01", "2026-03-31", 0.99, 0.995)

    body = api_for("other_manager").get(scorecard_url(world.team_a, *MARCH)).json()

    assert body["team"] == world.team_a.pk and body["days"] == 31
    assert body["deployment_frequency_per_day"] == pytest.approx(2 / 31)
    assert body["lead_time_median_hours"] == pytest.approx(4.0)
    assert body["lead_time_cluster"] == "elite"
    assert body["change_failure_rate"] == pytest.approx(1.0)
    assert body["change_failure_rate_cluster"] == "low"
    assert body["time_to_restore_median_hours"] == pytest.approx(0.5)
    assert body["time_to_restore_cluster"] == "elite"
    assert body["incident_load"] == {
        "incidents": 1,
        "incidents_per_week": pytest.approx(7 / 31),
        "out_of_hours_pages": 0,
        "out_of_hours_pages_per_week": 0.0,
    }
    assert body["slos"][0]["error_budget_remaining"] == pytest.approx(0.5)
    assert body["previous"]["start"] == "2026-01-29" and body["previous"]["end"] == "2026-02-28"
    assert body["dora_report_year"] == 2023
    assert {t["key"] for t in body["trends"]} >= {"lead_time_median_hours", "health_index"}


@pytest.mark.parametrize(
    "query",
    [
        "",
        "start=2026-03-01",
        "end=2026-03-31",
        "start=2026-03-31&end=2026-03-01",
        "start=2020-01-01&end=2023-12-31",
        "start=nonsense&end=2026-03-31",
        "start=2026-02-30&end=2026-03-31",
        "start=0001-01-01&end=0001-01-02",
        "start=9999-12-30&end=9999-12-31",
        "start=2026-03-01&end=2026-03-31&team_member=4",
    ],
)
def test_bad_scorecard_windows_answer_400(world, api_for, query):
    response = api_for("engineer").get(f"/api/v1/teams/{world.team_a.pk}/scorecard/?{query}")

    assert response.status_code == 400, response.content


def test_a_three_year_window_is_the_longest_allowed(world, api_for):
    ok = api_for("engineer").get(scorecard_url(world.team_a, "2023-01-01", "2025-12-31"))
    assert ok.status_code == 200


def test_an_unknown_team_answers_404(world, api_for):
    response = api_for("engineer").get(
        "/api/v1/teams/999999/scorecard/?start=2026-03-01&end=2026-03-31"
    )
    assert response.status_code == 404
