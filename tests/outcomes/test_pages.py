"""The outcome pages people read: the organisation table and a team's scorecard."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.template.loader import render_to_string

from outcomes.selectors.dora import DORA_REPORT
from outcomes.selectors.scorecard import team_scorecard
from tests.outcomes.helpers import at, d, deploy, incident, slo, survey

# These count what building a page costs: every request builds it (no kept pages).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]

TODAY = "2026-04-10T12:00:00+00:00"  # the latest complete month is March 2026


@pytest.fixture
def events(world):
    actor = world.hr.user
    for i in range(6):  # team A: 6 deployments in March, lead 2 h
        deployed = at(f"2026-03-{10 + i}", "12:00")
        deploy(actor, world.team_a, f"a{i}", deployed, at(f"2026-03-{10 + i}", "10:00"))
    deploy(actor, world.team_b, "b1", at("2026-03-12"), at("2026-03-02"), failed=True)
    incident(actor, world.team_b, "i1", at("2026-03-12", "22:00"), at("2026-03-13", "01:00"))
    slo(actor, world.team_a, "checkout-api", "2026-03-01", "2026-03-31", 0.999, 0.9995)
    survey(actor, world.team_a, "2026-02-02", workload=3.0)
    survey(actor, world.team_a, "2026-03-02", workload=3.5)
    return world


@pytest.fixture
def engineer(client_for):
    return client_for("engineer")


def _html(response) -> str:
    return response.content.decode()


# --- The organisation table -----------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_the_organisation_table_shows_every_team_with_data_for_the_latest_month(events, engineer):
    response = engineer.get("/outcomes/")

    assert response.status_code == 200
    assert response.context["window"].start == d("2026-03-01")
    assert response.context["window"].end == d("2026-03-31")
    names = [row["card"].team_name for row in response.context["rows"]]
    assert names == ["Team A", "Team B"]
    html = _html(response)
    assert 'href="/outcomes/teams/team-a/?period=month&amp;start=2026-03-01"' in html
    # Teams without data are named once, not given empty rows.
    assert "No outcome data for this period: Engineering, People." in html
    # One unit per column: deployments a week, lead time in days.
    team_a = response.context["rows"][0]["cells"]
    assert team_a[0]["text"] == f"{6 / 31 * 7:.1f}" and team_a[0]["cluster"] == "high"
    assert team_a[1]["text"] == f"{2 / 24:.1f}" and team_a[1]["cluster"] == "elite"


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("team", ["Team A", "Team B"]),
        ("-team", ["Team B", "Team A"]),
        ("-deployment_frequency_per_day", ["Team A", "Team B"]),
        ("deployment_frequency_per_day", ["Team B", "Team A"]),
        ("change_failure_rate", ["Team A", "Team B"]),
        ("-change_failure_rate", ["Team B", "Team A"]),
        ("time_to_restore_median_hours", ["Team B", "Team A"]),  # A has none: last
        ("-time_to_restore_median_hours", ["Team B", "Team A"]),  # still last
        ("-health_index", ["Team A", "Team B"]),
        ("nonsense", ["Team A", "Team B"]),
    ],
)
def test_the_table_sorts_by_any_metric_with_missing_values_last(events, engineer, sort, order):
    response = engineer.get("/outcomes/", {"sort": sort})

    assert [row["card"].team_name for row in response.context["rows"]] == order


@time_machine.travel(TODAY, tick=False)
def test_the_sorted_column_is_announced_and_its_link_reverses_the_order(events, engineer):
    html = _html(engineer.get("/outcomes/", {"sort": "-lead_time_median_hours"}))

    assert 'aria-sort="descending"' in html
    assert "sort=lead_time_median_hours" in html  # the next click sorts ascending
    assert html.count("aria-sort=") == 1


@time_machine.travel(TODAY, tick=False)
def test_the_organisation_table_takes_a_quarter(events, engineer):
    response = engineer.get("/outcomes/", {"period": "quarter"})

    assert response.context["window"].start == d("2026-01-01")
    assert response.context["window"].end == d("2026-03-31")


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "start": "2026-03-10"},
        {"period": "custom", "start": "2026-03-10", "end": "2026-03-01"},
        {"period": "custom", "start": "2020-01-01", "end": "2026-03-01"},
        {"period": "month", "start": "2026-05-01"},
        {"period": "month", "start": "not a date"},
        {"period": "month", "start": "0001-01-01"},
        {"period": "year"},
    ],
)
def test_a_bad_period_answers_400_with_a_message_and_the_default_period(world, engineer, query):
    response = engineer.get("/outcomes/", query)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert response.context["window"].start == d("2026-03-01")


# --- A team's scorecard ---------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_the_team_page_shows_the_selectors_figures(events, engineer):
    response = engineer.get("/outcomes/teams/team-a/")

    assert response.status_code == 200
    card = response.context["scorecard"]
    expected = team_scorecard(team=events.team_a, start=d("2026-03-01"), end=d("2026-03-31"))
    assert card.current == expected.current and card.previous == expected.previous
    tiles = {t.key: t for t in response.context["dora_tiles"]}
    assert tiles["deployment_frequency_per_day"].value == "1.4 a week"
    assert tiles["lead_time_median_hours"].value == "2.0 h"
    assert tiles["lead_time_median_hours"].cluster == "elite"
    assert tiles["change_failure_rate"].value == "0.0%"
    assert tiles["time_to_restore_median_hours"].value == "no data"
    html = _html(response)
    assert "checkout-api" in html and "Met" in html


@time_machine.travel(TODAY, tick=False)
def test_the_team_page_shows_flags_and_the_dora_source(events, engineer):
    html = _html(engineer.get("/outcomes/teams/team-a/"))

    assert "SLOs are holding while workload strain rises" in html
    assert DORA_REPORT in html and "(2023)" in html
    assert "How the DORA clusters are set" in html
    for text in ("Under a day", "5% or less", "Under an hour", "Less often than once a month"):
        assert text in html


@time_machine.travel(TODAY, tick=False)
def test_every_chart_is_an_svg_image_with_a_label_and_a_data_table(events, engineer):
    response = engineer.get("/outcomes/teams/team-a/")
    html = _html(response)

    svgs = re.findall(r"<svg[^>]*>", html)
    assert len(svgs) == 6  # the team has no restore data: that chart says so in words
    assert all('role="img"' in s and "aria-label=" in s for s in svgs)
    assert html.count("No data to chart yet.") == 1
    assert html.count("Numbers behind the chart") == 7
    chart = next(
        t.chart for t in response.context["dora_tiles"] if t.key == "lead_time_median_hours"
    )
    assert chart.rows[-1] == ("31 Mar 2026", "2.0 h")
    assert chart.rows[0][1] == "no data"


@time_machine.travel(TODAY, tick=False)
def test_the_pages_use_no_inline_style_or_script(events, engineer):
    for url in ("/outcomes/", "/outcomes/teams/team-a/"):
        html = _html(engineer.get(url))
        assert "<style" not in html and " style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url


@time_machine.travel(TODAY, tick=False)
def test_trends_are_told_in_words_not_colour_alone(events, engineer):
    response = engineer.get("/outcomes/teams/team-a/")

    rows = {r["label"]: r["trend"] for r in response.context["health_rows"]}
    assert rows["Workload"].text == "Up 17% on the previous period (worse)"
    assert "Up 17% on the previous period (worse)" in _html(response)


@time_machine.travel(TODAY, tick=False)
def test_the_team_page_takes_custom_ranges_and_links_to_neighbouring_periods(events, engineer):
    response = engineer.get(
        "/outcomes/teams/team-b/", {"period": "custom", "start": "2026-03-11", "end": "2026-03-20"}
    )

    assert response.status_code == 200
    card = response.context["scorecard"]
    assert card.current.deployment_count == 1 and card.current.change_failure_rate == 1.0
    assert card.current.time_to_restore_median_hours == pytest.approx(3.0)
    assert response.context["previous_href"] == "?period=custom&start=2026-03-01&end=2026-03-10"
    assert response.context["next_href"] == "?period=custom&start=2026-03-21&end=2026-03-30"


@time_machine.travel(TODAY, tick=False)
def test_the_current_month_ends_today_and_has_no_next_link(events, engineer):
    response = engineer.get("/outcomes/teams/team-a/", {"period": "month", "start": "2026-04-02"})

    assert response.context["window"].end == d("2026-04-10")
    assert response.context["next_href"] is None
    assert response.context["previous_href"] == "?period=month&start=2026-03-31"


def test_an_unknown_team_answers_404(world, engineer):
    assert engineer.get("/outcomes/teams/no-such-team/").status_code == 404


def test_an_empty_team_page_says_there_is_no_data(world, engineer):
    html = _html(engineer.get("/outcomes/teams/people/"))

    assert "There is no outcome data for this team in this period." in html
    assert "No SLO reports for this period." in html


# --- The summary partial for other pages ----------------------------------------------------------


def test_the_summary_partial_renders_a_scorecard_without_queries(events, django_assert_num_queries):
    card = team_scorecard(team=events.team_a, start=d("2026-03-01"), end=d("2026-03-31"))

    with django_assert_num_queries(0):
        html = render_to_string("outcomes/_scorecard_summary.html", {"scorecard": card})

    assert "Team A" in html and "1 Mar 2026 – 31 Mar 2026" in html
    assert "/outcomes/teams/team-a/?period=custom&amp;start=2026-03-01&amp;end=2026-03-31" in html
    assert "1 of 1" in html and "Elite" in html
    assert "not a measure of any one person" in html
