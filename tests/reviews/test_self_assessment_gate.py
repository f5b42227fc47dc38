"""A cycle may require self-assessments (SPEC §11.1): the manager's submit waits for the
subject's until its due date has passed. HR sets it on the cycle."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from reviews.models import Review, ReviewCycle
from reviews.services.reviews import review_create, review_update
from reviews.services.self_assessments import (
    cycle_self_assessment_set,
    self_assessment_create,
    self_assessment_submit,
)
from tests.reviews.conftest import END, START, add_evidence, complete_assessments, make_cycle


@pytest.fixture
def ready_review(world):
    cycle = make_cycle(world)
    ev = [
        add_evidence(world, world.engineer, "A", datetime.date(2026, 2, 3)),
        add_evidence(world, world.engineer, "B", datetime.date(2026, 3, 3)),
    ]
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    return review_update(
        actor=world.manager.user,
        review=review,
        version=review.version,
        overall_rating="meets",
        assessments=complete_assessments([e.pk for e in ev]),
    )


def _require(world, cycle: ReviewCycle, due: datetime.date | None) -> None:
    cycle_self_assessment_set(actor=world.hr.user, cycle=cycle, required=True, due=due)


def _submit(api_for, review):
    return api_for("manager").post(f"/api/v1/reviews/{review.pk}/submit/", {}, format="json")


@time_machine.travel(datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC))
def test_a_required_self_assessment_holds_the_review_until_submitted(world, ready_review, api_for):
    _require(world, ready_review.cycle, datetime.date(2026, 5, 15))
    r = _submit(api_for, ready_review)
    assert r.status_code == 400
    assert list(r.json()) == ["self_assessment"]
    assert "15 May 2026" in r.json()["self_assessment"][0]
    assert Review.objects.get(pk=ready_review.pk).status == "draft"

    sa = self_assessment_create(actor=world.engineer.user, cycle=ready_review.cycle)
    sa.impact = "Halved the errors."
    sa.save()
    self_assessment_submit(actor=world.engineer.user, self_assessment=sa)
    assert _submit(api_for, ready_review).status_code == 200


def test_after_the_due_date_the_review_goes_ahead(world, ready_review, api_for):
    _require(world, ready_review.cycle, datetime.date(2026, 5, 15))
    with time_machine.travel(datetime.datetime(2026, 5, 16, 12, tzinfo=datetime.UTC)):
        assert _submit(api_for, ready_review).status_code == 200


def test_without_a_due_date_it_is_never_late(world, ready_review, api_for):
    _require(world, ready_review.cycle, None)
    with time_machine.travel(datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)):
        assert _submit(api_for, ready_review).status_code == 400


def test_not_required_by_default(world, ready_review, api_for):
    assert ready_review.cycle.self_assessment_required is False
    assert _submit(api_for, ready_review).status_code == 200


def test_the_editor_lists_the_wait_among_what_blocks_submission(world, ready_review, client_for):
    _require(world, ready_review.cycle, None)
    page = client_for("manager").get(f"/reviews/{ready_review.pk}/edit/")
    assert page.status_code == 200
    assert "requires the person&#x27;s self-assessment" in page.content.decode()


def test_hr_sets_the_requirement_and_due_date_on_the_cycle(world, api_for):
    r = api_for("hr").post(
        "/api/v1/cycles/",
        {
            "name": "H1 2027",
            "starts_on": "2027-01-01",
            "ends_on": "2027-06-30",
            "self_assessment_required": True,
            "self_assessment_due": "2027-05-01",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["self_assessment_required"] is True
    assert r.json()["self_assessment_due"] == "2027-05-01"
    # Still changeable once open: the due date may move while people write.
    cycle = make_cycle(world, name="Open one")
    r = api_for("hr").patch(
        f"/api/v1/cycles/{cycle.pk}/",
        {"self_assessment_required": True, "self_assessment_due": "2026-06-01"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    cycle.refresh_from_db()
    assert cycle.self_assessment_required and cycle.self_assessment_due == datetime.date(2026, 6, 1)


def test_a_due_date_before_the_start_is_refused_and_nothing_is_written(world, api_for):
    r = api_for("hr").post(
        "/api/v1/cycles/",
        {
            "name": "Bad",
            "starts_on": "2027-01-01",
            "ends_on": "2027-06-30",
            "self_assessment_due": "2026-12-31",
        },
        format="json",
    )
    assert r.status_code == 400 and "self_assessment_due" in r.json()
    assert not ReviewCycle.objects.filter(name="Bad").exists()
    cycle = make_cycle(world, name="Open one")
    r = api_for("hr").patch(
        f"/api/v1/cycles/{cycle.pk}/", {"self_assessment_due": "2025-01-01"}, format="json"
    )
    assert r.status_code == 400
    assert (
        api_for("manager")
        .patch(f"/api/v1/cycles/{cycle.pk}/", {"self_assessment_required": True}, format="json")
        .status_code
        == 403
    )
    cycle.refresh_from_db()
    assert cycle.self_assessment_due is None and not cycle.self_assessment_required
    assert (START, END) == (cycle.starts_on, cycle.ends_on)


def test_hrs_cycle_form_refuses_a_due_date_before_the_start(world):
    from reviews.forms.cycles import CycleForm
    from rubrics.models import RubricVersion

    data = {"name": "H1 2027", "starts_on": "2027-01-01", "ends_on": "2027-06-30"}
    form = CycleForm(
        {**data, "self_assessment_required": "on", "self_assessment_due": "2026-12-01"},
        versions=RubricVersion.objects.none(),
    )
    assert not form.is_valid()
    assert form.errors["self_assessment_due"] == [
        "The due date must be on or after the cycle's start."
    ]
    form = CycleForm(
        {**data, "self_assessment_due": "2027-05-01"}, versions=RubricVersion.objects.none()
    )
    assert form.is_valid(), form.errors


def test_the_cycle_page_says_whether_self_assessments_are_required(world, client_for):
    cycle = make_cycle(world, name="Open one")
    _require(world, cycle, datetime.date(2026, 5, 15))
    page = client_for("hr").get(f"/cycles/{cycle.pk}/").content.decode()
    assert "Required: a manager's review waits" in page and "15 May 2026" in page
