"""Comparisons across cycles (SPEC §6 report; the cycle comparison view): each group's
rate in this cycle next to the previous cycle's, and a page putting the rates of one
dimension's groups side by side across several cycles. Each cycle hides its own small
groups; HR only; every view logged."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditRun
from audit.selectors.access import previous_cycle
from audit.selectors.outcome_tables import audit_outcomes
from reviews.services.cycles import cycle_create, cycle_transition
from tests.audit import report_page, seventeen
from tests.calibration.conftest import submitted_review


def earlier_cycle(world, name="H1 2025", start=datetime.date(2025, 1, 1)):
    cycle = cycle_create(
        actor=world.hr.user,
        name=name,
        starts_on=start,
        ends_on=start + datetime.timedelta(days=180),
        rubric_versions=[world.v1],
    )
    return cycle_transition(actor=world.hr.user, cycle=cycle, to="open")


@pytest.fixture
def two(world):
    """The seventeen-person cycle (H2 2025; Team A 4 of 8 rated high, Teams B and C
    suppressed) and, before it, H1 2025: all of Team A rated high (8 of 8) and Team C
    shown (7 people, 2 rated high); Team B was not reviewed."""
    org = seventeen(world)
    before = earlier_cycle(world)
    for username, person in org.people.items():
        if person.team_id == world.team_a.pk:
            submitted_review(world, before, person, rating="exceeds")
        elif person.team_id == org.team_c.pk:
            rating = "exceeds" if username in ("c1", "c2") else "meets"
            submitted_review(world, before, person, rating=rating)
    org.before = before
    return org


def _groups(report, dimension, outcome):
    result = next(
        r
        for r in report["comparison"]["results"]
        if r["dimension"] == dimension and r["outcome"] == outcome
    )
    return {g["group"]: g for g in result["groups"]}


def test_the_report_compares_each_groups_rate_with_the_previous_cycle(two, world, api_for):
    r = api_for("hr").get(reverse("api:audit-report") + f"?cycle={two.cycle.pk}")
    assert r.status_code == 200
    report = r.json()
    assert report["comparison"]["previous_cycle"]["id"] == two.before.pk
    assert report["comparison"]["previous_cycle"]["name"] == "H1 2025"
    teams = _groups(report, "team", "high_rating")

    now = audit_outcomes(
        user=world.hr.user, cycle=two.cycle, dimension="team", outcome="high_rating"
    )
    then = audit_outcomes(
        user=world.hr.user, cycle=two.before, dimension="team", outcome="high_rating"
    )
    a_now = next(g for g in now["groups"] if g["group"] == "Team A")
    a_then = next(g for g in then["groups"] if g["group"] == "Team A")
    assert (a_now["rate"], a_then["rate"]) == (0.5, 1.0)
    assert teams["Team A"]["rate"] == 0.5
    assert teams["Team A"]["previous_rate"] == 1.0
    assert teams["Team A"]["change"] == pytest.approx(-0.5)

    # Team C is shown in H1 (7 people) but suppressed now: no number for this cycle.
    assert teams["Team C"]["suppressed"] is True and teams["Team C"]["rate"] is None
    assert teams["Team C"]["previous_rate"] == pytest.approx(2 / 7)
    assert teams["Team C"]["change"] is None
    # Team B was not reviewed in H1 and is suppressed now: no number on either side.
    assert teams["Team B"] == {
        "group": "Team B",
        "rate": None,
        "suppressed": True,
        "previous_rate": None,
        "previous_suppressed": False,
        "change": None,
    }


def test_the_previous_cycle_is_the_latest_that_started_before(two, world):
    older = earlier_cycle(world, name="H2 2024", start=datetime.date(2024, 7, 1))
    assert previous_cycle(two.cycle) == two.before
    assert previous_cycle(two.before) == older
    assert previous_cycle(older) is None


def test_the_report_page_shows_the_comparison_with_the_previous_cycle(two, client_for):
    html = report_page(client_for("hr"), two.cycle)
    assert "Comparison with the previous cycle" in html
    assert "Rates by team: this cycle and H1 2025" in html
    row = re.search(
        r'<th scope="row">Team A</th>(.*?)</tr>', html.split('id="comparison-heading"')[1], re.S
    )
    cells = re.sub(r"<[^>]+>", " ", row.group(1))
    assert "50.0%" in cells and "was 100.0%" in cells and "−50.0 pts" in cells


def test_the_comparison_page_puts_each_cycle_side_by_side(two, world, client_for):
    client = client_for("hr")
    r = client.get(reverse("audit:compare"), {"dimension": "team"})
    assert r.status_code == 200
    html = r.content.decode()
    # Oldest first, both cycles as columns.
    assert html.index(">H1 2025</a></th>") < html.index(">H2 2025</a></th>")
    section = html.split('id="cmp-high_rating"')[1].split("</section>")[0]
    team_a = re.search(r'<th scope="row">Team A</th>(.*?)</tr>', section, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", team_a).split())
    assert text.startswith("100.0% n = 8;")
    assert "50.0% −50.0 pts n = 8;" in text
    team_c = re.search(r'<th scope="row">Team C</th>(.*?)</tr>', section, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", team_c, re.S)
    assert "28.6%" in cells[0] and "n = 7" in cells[0]
    assert "not shown" in cells[1] and not re.search(r"\d", re.sub(r"<[^>]+>", "", cells[1]))
    run = AuditRun.objects.get()
    assert (run.kind, run.user_id, run.cycle_id) == ("comparison", world.hr.user.pk, two.cycle.pk)
    assert run.params == {
        "cycles": [two.before.pk, two.cycle.pk],
        "dimension": "team",
        "min_group_size": 5,
    }


def test_the_comparison_page_compares_the_chosen_cycles_by_a_demographic_dimension(two, client_for):
    r = client_for("hr").get(
        reverse("audit:compare"), {"cycle": [two.cycle.pk], "dimension": "gender"}
    )
    assert r.status_code == 200
    assert r.context["data"]["cycles"] == [
        {
            "id": two.cycle.pk,
            "name": "H2 2025",
            "starts_on": "2025-07-01",
            "ends_on": "2025-12-31",
            "status": "open",
        }
    ]
    assert "High rating rate by gender" in r.content.decode()


@pytest.mark.parametrize(
    "query, field",
    [
        ({"dimension": "shoe size"}, "dimension"),
        ({"dimension": "team", "cycle": ["999999"]}, "cycle"),
        ({"dimension": "team", "cycle": ["abc"]}, "cycle"),
    ],
)
def test_a_bad_choice_on_the_comparison_page_is_refused_and_nothing_is_logged(
    two, client_for, query, field
):
    r = client_for("hr").get(reverse("audit:compare"), query)
    assert r.status_code == 400
    assert r.context["form"].errors[field]
    assert 'role="alert"' in r.content.decode()
    assert not AuditRun.objects.exists()


def test_more_than_six_cycles_cannot_be_compared_at_once(two, world, client_for):
    ids = [two.cycle.pk, two.before.pk]
    for i in range(5):
        ids.append(earlier_cycle(world, name=f"Old {i}", start=datetime.date(2020 + i, 1, 1)).pk)
    r = client_for("hr").get(reverse("audit:compare"), {"dimension": "team", "cycle": ids})
    assert r.status_code == 400
    assert "Choose at most 6 cycles." in r.content.decode()


@pytest.mark.parametrize("role", ["engineer", "manager", "other_manager"])
def test_people_who_are_not_hr_get_not_found_on_the_comparison_page(two, client_for, role):
    assert client_for(role).get(reverse("audit:compare")).status_code == 404
    assert not AuditRun.objects.exists()


def test_the_comparison_page_runs_as_many_queries_for_big_cycles_as_for_small_ones(
    two, world, client_for
):
    client = client_for("hr")
    client.get(reverse("audit:compare"), {"cycle": [two.before.pk], "dimension": "team"})
    counts = []
    for cycle in (two.before, two.cycle):  # 15 people, then 17 with more groups
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(reverse("audit:compare"), {"cycle": [cycle.pk], "dimension": "gender"})
        assert r.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_comparison_chart_marks_each_cycles_rate_and_leaves_hidden_groups_out(two, client_for):
    r = client_for("hr").get(reverse("audit:compare"), {"dimension": "team"})
    html = r.content.decode()
    chart = html.split('id="trend-high_rating-title"')[1].split("</svg>")[0]
    assert ">High rating rate by team, per cycle</title>" in chart
    assert "<title>Team A, H1 2025: 100.0%</title>" in chart
    assert "<title>Team A, H2 2025: 50.0%</title>" in chart
    # Team C: shown in H1 2025 only; Team B: never shown, so not drawn at all.
    assert "<title>Team C, H1 2025: 28.6%</title>" in chart
    assert "Team C, H2 2025" not in chart
    assert "Team B" not in chart
    assert "<script" not in html.split("<main")[1]
