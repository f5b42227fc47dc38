"""A review is written only while its cycle is open (issue #10, point 16): once the cycle
has moved on, a draft left behind can no longer be saved or submitted, through the API or
the pages, and the fairness audit of a released cycle never changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews.models import Review
from reviews.services.cycles import cycle_transition
from reviews.services.reviews import review_create, review_submit, review_update
from tests.reviews.conftest import add_evidence, complete_assessments, make_cycle

AUDIT = "/api/v1/audit/outcomes/"


def _advance(world, cycle, *steps: str):
    for step in steps:
        cycle = cycle_transition(actor=world.hr.user, cycle=cycle, to=step)
    return cycle


@pytest.fixture
def left_behind(world, evidence, settings):
    """An open cycle where the engineer's review is submitted and the teammate's is left a
    draft, with everything it needs to be submitted."""
    settings.AUDIT_MIN_GROUP_SIZE = 1  # three people: show the groups, not suppress them
    cycle = make_cycle(world)
    manager = world.manager.user
    done = review_create(actor=manager, cycle=cycle, subject=world.engineer)
    done = review_update(
        actor=manager,
        review=done,
        version=done.version,
        overall_rating="meets",
        assessments=complete_assessments([e.pk for e in evidence]),
    )
    review_submit(actor=manager, review=done)
    own = [
        add_evidence(world, world.teammate, f"Toby {i}", evidence[i].occurred_on) for i in range(2)
    ]
    draft = review_create(actor=manager, cycle=cycle, subject=world.teammate)
    draft = review_update(
        actor=manager,
        review=draft,
        version=draft.version,
        overall_rating="exceeds",
        assessments=complete_assessments([e.pk for e in own]),
    )
    return cycle, draft


def _audit(api_for, cycle) -> dict:
    response = api_for("hr").get(
        AUDIT, {"cycle": cycle.pk, "dimension": "level", "outcome": "high_rating"}
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("status", ["calibrating", "finalized", "released"])
def test_a_draft_cannot_be_saved_or_submitted_once_its_cycle_has_moved_on(
    world, left_behind, api_for, status
):
    cycle, draft = left_behind
    steps = ["calibrating", "finalized", "released"]
    cycle = _advance(world, cycle, *steps[: steps.index(status) + 1])
    api = api_for("manager")

    patched = api.patch(
        f"/api/v1/reviews/{draft.pk}/",
        {"version": draft.version, "narrative": {"growth": "Written after the cycle."}},
        format="json",
    )
    submitted = api.post(
        f"/api/v1/reviews/{draft.pk}/submit/", {"version": draft.version}, format="json"
    )

    for response in (patched, submitted):
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "invalid_state"
        assert "open" in response.json()["detail"]
    saved = Review.objects.get(pk=draft.pk)
    assert (saved.status, saved.version, saved.growth) == ("draft", draft.version, "")


def test_submitting_a_left_over_draft_never_changes_a_released_cycles_audit(
    world, left_behind, api_for
):
    cycle, draft = left_behind
    cycle = _advance(world, cycle, "calibrating", "finalized", "released")
    before = _audit(api_for, cycle)
    assert sum(g["n"] for g in before["groups"]) == 1

    response = api_for("manager").post(
        f"/api/v1/reviews/{draft.pk}/submit/", {"version": draft.version}, format="json"
    )

    assert response.status_code == 409
    assert _audit(api_for, cycle) == before


def test_the_editor_refuses_to_save_a_draft_of_a_released_cycle_and_says_why(
    world, left_behind, client_for
):
    cycle, draft = left_behind
    _advance(world, cycle, "calibrating", "finalized", "released")
    page = client_for("manager")
    url = reverse("reviews:edit", args=[draft.pk])

    opened = page.get(url, follow=True)
    saved = page.post(
        url,
        {"version": draft.version, "with_content": "on", "growth": "Written too late."},
        follow=True,
    )
    submitted = page.post(
        reverse("reviews:submit", args=[draft.pk]),
        {"version": draft.version, "with_content": "on", "growth": "Written too late."},
        follow=True,
    )

    for response in (opened, saved, submitted):
        html = response.content.decode()
        assert response.redirect_chain[-1][0] == reverse("reviews:detail", args=[draft.pk])
        assert "Reviews are written while their cycle is open" in html
        assert 'id="review-form"' not in html
    detail = page.get(reverse("reviews:detail", args=[draft.pk])).content.decode()
    assert reverse("reviews:edit", args=[draft.pk]) not in detail, "no edit link any more"
    saved_review = Review.objects.get(pk=draft.pk)
    assert (saved_review.status, saved_review.version, saved_review.growth) == (
        "draft",
        draft.version,
        "",
    )


def test_a_review_cannot_be_started_in_a_cycle_that_is_not_open(world, left_behind, api_for):
    cycle, _draft = left_behind
    cycle = _advance(world, cycle, "calibrating")

    # The director is above the other engineer, who has no review yet.
    response = api_for("director").post(
        "/api/v1/reviews/", {"cycle": cycle.pk, "subject": world.other_engineer.pk}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert not Review.objects.filter(cycle=cycle, subject=world.other_engineer).exists()
