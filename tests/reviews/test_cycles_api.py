from __future__ import annotations

import pytest

from reviews.models import Review, ReviewCycle
from reviews.services.cycles import cycle_create, cycle_transition
from reviews.services.reviews import review_create, review_submit, review_update
from tests.reviews.conftest import complete_assessments, make_cycle

URL = "/api/v1/cycles/"
ALL = ["draft", "open", "calibrating", "finalized", "released"]
ALLOWED = {
    ("draft", "open"),
    ("open", "calibrating"),
    ("calibrating", "finalized"),
    ("finalized", "released"),
}


def test_hr_creates_a_cycle_pinning_published_versions(world, api_for):
    r = api_for("hr").post(
        URL,
        {
            "name": "H2 2026",
            "starts_on": "2026-07-01",
            "ends_on": "2026-12-31",
            "rubric_versions": [world.v1.pk],
        },
        format="json",
    )
    assert r.status_code == 201
    assert r.json()["status"] == "draft" and r.json()["rubric_versions"] == [world.v1.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "starts_on": "2026-07-01", "ends_on": "2026-01-01"}, "ends_on"),
        ({"name": "X", "starts_on": "July", "ends_on": "2026-12-31"}, "starts_on"),
        (
            {
                "name": "X",
                "starts_on": "2026-07-01",
                "ends_on": "2026-12-31",
                "rubric_versions": [424242],
            },
            "rubric_versions",
        ),
        ({"name": "", "starts_on": "2026-07-01", "ends_on": "2026-12-31"}, "name"),
    ],
)
def test_bad_cycles_are_refused(world, api_for, body, field):
    r = api_for("hr").post(URL, body, format="json")
    assert r.status_code == 400 and field in r.json()
    assert not ReviewCycle.objects.exists()


def test_opening_needs_a_published_version_for_every_ladder_in_use(world, api_for):
    hr = api_for("hr")
    cycle = cycle_create(
        actor=world.hr.user,
        name="X",
        starts_on=world.v1.created_at.date(),
        ends_on=world.v1.created_at.date(),
        rubric_versions=[world.v2],
    )
    r = hr.post(f"{URL}{cycle.pk}/transition/", {"to": "open"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    assert "version 2 is draft" in r.json()["detail"]
    empty = cycle_create(
        actor=world.hr.user, name="Y", starts_on=cycle.starts_on, ends_on=cycle.ends_on
    )
    r = hr.post(f"{URL}{empty.pk}/transition/", {"to": "open"}, format="json")
    assert r.status_code == 409 and "Engineering IC is in use" in r.json()["detail"]
    hr.patch(f"{URL}{empty.pk}/", {"rubric_versions": [world.v1.pk]}, format="json")
    assert (
        hr.post(f"{URL}{empty.pk}/transition/", {"to": "open"}, format="json").json()["status"]
        == "open"
    )


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("to", ALL)
def test_every_forbidden_transition_answers_409_and_changes_nothing(world, api_for, start, to):
    if (start, to) in ALLOWED:
        return
    cycle = make_cycle(world, status=start)
    r = api_for("hr").post(f"{URL}{cycle.pk}/transition/", {"to": to}, format="json")
    assert r.status_code == 409
    assert r.json()["code"] == "invalid_state"
    cycle.refresh_from_db()
    assert cycle.status == start


def test_unknown_target_status_answers_400(world, api_for):
    cycle = make_cycle(world)
    r = api_for("hr").post(f"{URL}{cycle.pk}/transition/", {"to": "done"}, format="json")
    assert r.status_code == 400 and "to" in r.json()


def test_release_makes_submitted_reviews_visible_with_their_final_rating(
    world, cycle, evidence, api_for
):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    review_update(
        actor=world.manager.user,
        review=review,
        version=1,
        overall_rating="exceeds",
        assessments=complete_assessments([e.pk for e in evidence]),
    )
    review_submit(actor=world.manager.user, review=review)
    draft = review_create(actor=world.manager.user, cycle=cycle, subject=world.teammate)
    for to in ("calibrating", "finalized", "released"):
        cycle_transition(actor=world.hr.user, cycle=cycle, to=to)
    review.refresh_from_db()
    draft.refresh_from_db()
    assert (review.status, review.final_rating) == ("released", "exceeds")
    assert draft.status == "draft"  # unfinished drafts are never released
    assert api_for("engineer").get("/api/v1/reviews/").json()["count"] == 1
    assert api_for("engineer").get(f"/api/v1/reviews/{draft.pk}/").status_code == 404


def test_released_cycles_are_immutable(world, api_for):
    cycle = make_cycle(world, status="released")
    r = api_for("hr").patch(f"{URL}{cycle.pk}/", {"name": "Renamed"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "immutable"
    assert Review.objects.count() == 0
