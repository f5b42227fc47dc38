"""Team outcomes as context: team_outcome evidence links to a scorecard window, and the
review editor and the calibration case view show the subject's team scorecard."""

from __future__ import annotations

import datetime

from outcomes.models import Deployment
from reviews.models import Evidence


def test_team_outcome_evidence_links_to_a_scorecard_window(world, api_for, client_for):
    r = api_for("manager").post(
        "/api/v1/evidence/",
        {
            "person": world.engineer.pk,
            "title": "Team A deploys daily now",
            "occurred_on": "2026-03-31",
            "outcome_team": world.team_a.pk,
            "outcome_start": "2026-01-01",
            "outcome_end": "2026-03-31",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["kind"] == "team_outcome"
    assert body["scorecard_url"] == (
        "/outcomes/teams/team-a/?period=custom&start=2026-01-01&end=2026-03-31"
    )
    page = client_for("engineer").get("/evidence/").content.decode()
    assert "/outcomes/teams/team-a/?period=custom&amp;start=2026-01-01&amp;end=2026-03-31" in page
    assert client_for("engineer").get(body["scorecard_url"]).status_code == 200


def test_a_scorecard_window_needs_all_three_parts_in_order(world, api_for):
    base = {"person": world.engineer.pk, "title": "x", "occurred_on": "2026-03-31"}
    c = api_for("manager")
    assert (
        c.post(
            "/api/v1/evidence/", {**base, "outcome_team": world.team_a.pk}, format="json"
        ).status_code
        == 400
    )
    assert (
        c.post(
            "/api/v1/evidence/",
            {
                **base,
                "outcome_team": world.team_a.pk,
                "outcome_start": "2026-03-31",
                "outcome_end": "2026-01-01",
            },
            format="json",
        ).status_code
        == 400
    )
    assert (
        c.post(
            "/api/v1/evidence/",
            {
                **base,
                "kind": "pull_request",
                "outcome_team": world.team_a.pk,
                "outcome_start": "2026-01-01",
                "outcome_end": "2026-03-31",
            },
            format="json",
        ).status_code
        == 400
    )
    assert not Evidence.objects.exists()


def _deploy(team, n):
    Deployment.objects.bulk_create(
        [
            Deployment(
                team=team,
                external_id=f"d{i}",
                deployed_at=datetime.datetime(2026, 2, 1 + i % 20, 10, tzinfo=datetime.UTC),
                failed=False,
            )
            for i in range(n)
        ]
    )


def test_the_review_editor_shows_the_subjects_team_scorecard(world, cycle, client_for):
    from reviews.services.reviews import review_create

    _deploy(world.team_a, 12)
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    html = client_for("manager").get(f"/reviews/{review.pk}/edit/").content.decode()
    assert "Team outcomes over this cycle" in html
    assert "Team A" in html and "Deployment frequency" in html
    assert "not a score of this person" in html


def test_the_calibration_case_view_shows_the_subjects_team_scorecard(world, client_for):
    _deploy(world.team_a, 5)
    case = world.calib.case
    html = client_for("other_manager").get(f"/calibration/cases/{case.pk}/").content.decode()
    assert "Team outcomes over this cycle" in html and "Deployment frequency" in html
