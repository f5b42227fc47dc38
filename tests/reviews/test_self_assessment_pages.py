"""The engineer's self-assessment pages, and the manager's editor beside it."""

from __future__ import annotations

import datetime

import pytest

from reviews.models import SelfAssessment
from reviews.services.reviews import review_create
from reviews.services.self_assessments import (
    self_assessment_create,
    self_assessment_submit,
    self_assessment_update,
)
from tests.reviews.conftest import add_evidence, make_cycle


@pytest.fixture
def open_cycle(world):
    return make_cycle(world)


@pytest.fixture
def mine(world, open_cycle):
    return self_assessment_create(actor=world.engineer.user, cycle=open_cycle)


def test_the_list_offers_to_start_one_for_the_open_cycle(world, open_cycle, client_for):
    client = client_for("engineer")
    page = client.get("/self-assessments/").content.decode()
    assert f"Start your self-assessment for {open_cycle.name}" in page
    r = client.post("/self-assessments/start/", {"cycle": open_cycle.pk})
    sa = SelfAssessment.objects.get(subject=world.engineer)
    assert r.status_code == 302 and r["Location"] == f"/self-assessments/{sa.pk}/edit/"
    page = client.get("/self-assessments/").content.decode()
    assert "Start your self-assessment" not in page
    # A second start is refused with a message, nothing written.
    r = client.post("/self-assessments/start/", {"cycle": open_cycle.pk}, follow=True)
    assert "already have a self-assessment" in r.content.decode()
    assert SelfAssessment.objects.count() == 1


def test_the_editor_shows_the_expectation_at_their_level_and_the_next(world, mine, client_for):
    ev = add_evidence(world, world.engineer, "Split the billing service", datetime.date(2026, 2, 3))
    page = client_for("engineer").get(f"/self-assessments/{mine.pk}/edit/").content.decode()
    assert page.index("What did you own?") < page.index("Competencies")
    assert "At L4, execution looks like this." in page
    assert "At L5, execution looks like this." in page
    assert "(the next level)" in page
    assert ev.title in page
    assert "Your self-rating for Execution (optional)" in page


def test_saving_keeps_what_was_written_and_a_stale_save_changes_nothing(world, mine, client_for):
    ev = add_evidence(world, world.engineer, "Split billing", datetime.date(2026, 2, 3))
    client = client_for("engineer")
    data = {
        "version": 1,
        "ownership": "I owned billing.",
        "a-execution-rating": "exceeds",
        "a-execution-narrative": "Shipped the split.",
        "a-execution-evidence": [ev.pk],
    }
    r = client.post(f"/self-assessments/{mine.pk}/edit/", data)
    assert r.status_code == 302
    mine.refresh_from_db()
    assert mine.version == 2 and mine.ownership == "I owned billing."
    item = mine.items.get(competency="execution")
    assert item.rating == "exceeds" and list(item.evidence.all()) == [ev]
    r = client.post(f"/self-assessments/{mine.pk}/edit/", {**data, "ownership": "Other text"})
    assert r.status_code == 409
    assert "saved elsewhere while you were writing" in r.content.decode()
    assert "Other text" in r.content.decode()
    mine.refresh_from_db()
    assert mine.ownership == "I owned billing."


def test_the_live_checks_read_the_unsaved_text(world, mine, client_for):
    r = client_for("engineer").post(
        f"/self-assessments/{mine.pk}/lint/",
        {"version": 1, "ownership": "I am not strategic, I guess."},
    )
    assert r.status_code == 200
    assert "What did you own?" in r.content.decode()
    assert "not strategic" in r.content.decode()


def test_submit_saves_then_submits_and_the_page_becomes_read_only(world, mine, client_for):
    client = client_for("engineer")
    r = client.post(f"/self-assessments/{mine.pk}/submit/", {"version": 1})
    assert r.status_code == 400
    assert "Write at least one narrative section" in r.content.decode()
    r = client.post(
        f"/self-assessments/{mine.pk}/submit/", {"version": 1, "impact": "Halved errors."}
    )
    assert r.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "submitted" and mine.impact == "Halved errors."
    r = client.get(f"/self-assessments/{mine.pk}/edit/")
    assert r.status_code == 302 and r["Location"] == f"/self-assessments/{mine.pk}/"
    page = client.get(f"/self-assessments/{mine.pk}/").content.decode()
    assert "Halved errors." in page and "Edit your self-assessment" not in page


def test_the_managers_editor_shows_the_submitted_self_assessment_beside_each_competency(
    world, mine, open_cycle, client_for
):
    ev = add_evidence(world, world.engineer, "Postmortem: queue backlog", datetime.date(2026, 3, 3))
    review = review_create(actor=world.manager.user, cycle=open_cycle, subject=world.engineer)
    url = f"/reviews/{review.pk}/edit/"
    self_assessment_update(
        actor=world.engineer.user,
        self_assessment=mine,
        version=1,
        narrative={"impact": "Cut the queue backlog to zero."},
        assessments=[
            {
                "competency": "execution",
                "rating": "exceeds",
                "narrative": "Ran the fix.",
                "evidence": [ev.pk],
            }
        ],
    )
    # A draft is the engineer's own: nothing of it on the manager's page.
    assert "Cut the queue backlog" not in client_for("manager").get(url).content.decode()
    self_assessment_submit(actor=world.engineer.user, self_assessment=mine)
    page = client_for("manager").get(url).content.decode()
    assert "submitted a self-assessment" in page
    assert "Cut the queue backlog to zero." in page
    assert "Their self-assessment: Execution, self-rated Exceeds" in page
    assert "Ran the fix." in page and "Postmortem: queue backlog" in page
    assert "Their self-assessment: Collaboration, not self-rated" in page


def test_the_managers_editor_stays_flat_with_a_self_assessment(
    world, mine, open_cycle, client_for, django_assert_max_num_queries
):
    review = review_create(actor=world.manager.user, cycle=open_cycle, subject=world.engineer)
    mine.impact = "x"
    mine.save()
    self_assessment_submit(actor=world.engineer.user, self_assessment=mine)
    client = client_for("manager")
    client.get(f"/reviews/{review.pk}/edit/?warm")
    for i in range(10):
        add_evidence(world, world.engineer, f"Item {i}", datetime.date(2026, 2, 1 + i))
    item = mine.items.get(competency="execution")
    item.evidence.set(world.engineer.evidence.all())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(f"/reviews/{review.pk}/edit/?a")
    for i in range(10, 20):
        add_evidence(world, world.engineer, f"Item {i}", datetime.date(2026, 3, 1 + i))
    item.evidence.set(world.engineer.evidence.all())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/reviews/{review.pk}/edit/?b")
