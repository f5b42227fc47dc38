"""Appeal and change-on-appeal rates by group in the fairness audit (SPEC §6.7, §11.3):
everyone reviewed is the population, the usual small-group suppression applies, and the
report and its cache follow a new appeal or resolution."""

from __future__ import annotations

import pytest

from audit.selectors.outcome_tables import audit_outcomes
from audit.selectors.report import audit_report
from audit.selectors.report_cache import audit_report_cached
from calibration.appeals import appeal_open, appeal_resolve
from reviews.models import Review
from reviews.services.cycles import cycle_transition
from tests.audit import seventeen

pytestmark = pytest.mark.django_db

NOTE = "The evidence meets the expectation at this level."


def release(world, cycle):
    for to in ("calibrating", "finalized", "released"):
        cycle = cycle_transition(actor=world.hr.user, cycle=cycle, to=to)
    return cycle


def appeal(world, org, username: str, *, change_to: str = "", resolve: str = ""):
    person = org.people[username]
    review = Review.objects.get(cycle=org.cycle, subject=person)
    made = appeal_open(actor=person.user, review=review, reason="Please look again.")
    if resolve:
        appeal_resolve(
            actor=world.hr.user,
            appeal=made,
            resolution=resolve,
            resolution_note=NOTE,
            rubric_refs=[{"level": review.level, "competency": "execution"}],
            rating=change_to,
        )
    return made


def groups(result):
    return {g["group"]: (g["n"], g["count"], g["suppressed"]) for g in result["groups"]}


@pytest.fixture
def org(world):
    org = seventeen(world)
    org.cycle = release(world, org.cycle)
    # Team A (8 people): three appeal, one of them changed; Team C (7): one appeals,
    # changed; Team B (2) is suppressed and so is C (complementary), as everywhere.
    appeal(world, org, "engineer", resolve="changed", change_to="strongly_exceeds")
    appeal(world, org, "a1", resolve="upheld")
    appeal(world, org, "a2")
    appeal(world, org, "c1", resolve="changed", change_to="strongly_exceeds")
    return org


def test_appeal_rates_by_team_keep_small_group_suppression(world, org, api_for):
    response = api_for("hr").get(
        "/api/v1/audit/outcomes/",
        {"cycle": org.cycle.pk, "dimension": "team", "outcome": "appealed"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["outcome"] == "appealed"
    shown = groups(body)
    assert shown["Team A"] == (8, 3, False)
    assert shown["Team B"] == (None, None, True)
    assert shown["Team C"] == (None, None, True)
    assert body["groups"][0]["rate"] == pytest.approx(3 / 8)


def test_change_on_appeal_counts_only_changed_resolutions(world, org):
    result = audit_outcomes(
        user=world.hr.user,
        cycle=org.cycle,
        dimension="gender",
        outcome="changed_on_appeal",
        min_group_size=1,
    )
    # engineer (woman) and c1 (woman) were changed; a1 (woman) upheld, a2 (man) open.
    assert groups(result)["woman"] == (6, 2, False)
    assert groups(result)["man"] == (6, 0, False)
    appealed = audit_outcomes(
        user=world.hr.user,
        cycle=org.cycle,
        dimension="gender",
        outcome="appealed",
        min_group_size=1,
    )
    assert groups(appealed)["woman"] == (6, 3, False)
    assert groups(appealed)["man"] == (6, 1, False)


def test_the_report_carries_both_by_every_dimension_and_follows_a_new_appeal(world, org):
    report = audit_report_cached(user=world.hr.user, cycle=org.cycle)
    outcomes = {o["key"]: o for o in report["outcomes"]}
    assert outcomes["appealed"]["higher_is_less_favourable"] is False
    assert outcomes["changed_on_appeal"]["higher_is_less_favourable"] is True
    dims = {d["key"] for d in report["dimensions"]}
    for outcome in ("appealed", "changed_on_appeal"):
        assert {r["dimension"] for r in report["results"] if r["outcome"] == outcome} == dims
    team = next(
        r for r in report["results"] if (r["dimension"], r["outcome"]) == ("team", "appealed")
    )
    assert groups(team)["Team A"] == (8, 3, False)

    appeal(world, org, "a3")
    again = audit_report_cached(user=world.hr.user, cycle=org.cycle)
    team = next(
        r for r in again["results"] if (r["dimension"], r["outcome"]) == ("team", "appealed")
    )
    assert groups(team)["Team A"] == (8, 4, False)
    fresh = audit_report(user=world.hr.user, cycle=org.cycle)
    assert [r["groups"] for r in fresh["results"]] == [r["groups"] for r in again["results"]]


def test_the_report_page_shows_the_appeal_rates(world, org, client_for):
    from tests.audit import report_page

    html = report_page(client_for("hr"), org.cycle)
    assert "Appealed rate by team" in html
