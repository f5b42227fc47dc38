"""Every write of the review cycle leaves an activity row: who did it, what and to which
record, and nothing of what was written (no review text, ratings or demographics)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied

from org.models import Activity
from reviews.models import CheckIn, Evidence, FeedbackRequest, Review, ReviewCycle
from reviews.services.check_ins import check_in_create, check_in_promote
from reviews.services.cycles import cycle_create, cycle_transition, cycle_update
from reviews.services.evidence import evidence_create
from reviews.services.feedback import feedback_answer, feedback_decline, feedback_request_create
from reviews.services.reviews import (
    review_acknowledge,
    review_create,
    review_submit,
    review_update,
)
from tests.audit import answer, gender
from tests.reviews.conftest import END, START, complete_assessments

# Text the writers type and the ratings they choose: none of it may reach an activity row.
NARRATIVE = "Owned the billing split end to end"
ASSESSMENT_TEXT = "Delivered the billing split on time."
ACK = "I disagree with the collaboration rating"
MESSAGE = "Think about the incident in March"
OWNED = "The queue migration, start to finish"
CHANGED = "Pages dropped by half"
CHECK_IN_TEXT = "Shipped the importer behind a flag"
EVIDENCE_TITLE = "Split the billing service"
EVIDENCE_SUMMARY = "Cut invoice time from 40 to 4 minutes"
SECRETS = [
    NARRATIVE,
    ASSESSMENT_TEXT,
    ACK,
    MESSAGE,
    OWNED,
    CHANGED,
    CHECK_IN_TEXT,
    EVIDENCE_TITLE,
    EVIDENCE_SUMMARY,
    "meets",
    "exceeds",
    "woman",
    "gender",
]


@pytest.fixture
def done(world):
    """One of every write, in a cycle from draft to released, by the people who may."""
    gender(world)
    answer(world, world.engineer, "woman")
    hr, manager, engineer = world.hr.user, world.manager.user, world.engineer.user
    cycle = cycle_create(
        actor=hr, name="H1 2026", starts_on=START, ends_on=END, rubric_versions=[world.v1]
    )
    cycle = cycle_update(actor=hr, cycle=cycle, name="First half 2026")
    cycle = cycle_transition(actor=hr, cycle=cycle, to="open")
    items = [
        evidence_create(
            actor=manager,
            person=world.engineer,
            title=EVIDENCE_TITLE,
            summary=EVIDENCE_SUMMARY,
            occurred_on=datetime.date(2026, 2, 3),
            url="https://github.com/acme/billing/pull/481",
        ),
        evidence_create(
            actor=manager,
            person=world.engineer,
            title="Postmortem: queue backlog",
            occurred_on=datetime.date(2026, 3, 9),
            kind="postmortem",
        ),
    ]
    review = review_create(actor=manager, cycle=cycle, subject=world.engineer)
    review = review_update(
        actor=manager,
        review=review,
        version=review.version,
        narrative={"ownership": NARRATIVE},
        assessments=complete_assessments([e.pk for e in items], rating="exceeds"),
        overall_rating="meets",
    )
    review = review_submit(actor=manager, review=review, version=review.version)
    asked = feedback_request_create(
        actor=manager,
        cycle=cycle,
        subject=world.engineer,
        respondent=world.teammate,
        relationship="peer",
        message=MESSAGE,
    )
    answered = feedback_answer(
        actor=world.teammate.user, request=asked, owned=OWNED, changed=CHANGED
    )
    to_decline = feedback_request_create(
        actor=manager,
        cycle=cycle,
        subject=world.engineer,
        respondent=world.other_engineer,
        relationship="cross_functional",
    )
    declined = feedback_decline(actor=world.other_engineer.user, request=to_decline)
    check_in = check_in_create(
        actor=manager,
        person=world.engineer,
        occurred_on=datetime.date(2026, 3, 3),
        what_changed=CHECK_IN_TEXT,
    )
    promoted = check_in_promote(
        actor=manager, check_in=check_in, item="what_changed", title="Importer shipped"
    )
    for step in ("calibrating", "finalized", "released"):
        cycle = cycle_transition(actor=hr, cycle=cycle, to=step)
    review = review_acknowledge(
        actor=engineer, review=Review.objects.get(pk=review.pk), response=ACK
    )
    return {
        "cycle": cycle,
        "evidence": items[0],
        "review": review,
        "answered": answered,
        "declined": declined,
        "check_in": check_in,
        "promoted": promoted,
    }


# action, who, target (key in ``done``), its model
ROWS = [
    ("cycle_created", "hr", "cycle", ReviewCycle),
    ("cycle_updated", "hr", "cycle", ReviewCycle),
    ("cycle_transition", "hr", "cycle", ReviewCycle),
    ("evidence_created", "manager", "evidence", Evidence),
    ("review_created", "manager", "review", Review),
    ("review_updated", "manager", "review", Review),
    ("review_submitted", "manager", "review", Review),
    ("review_acknowledged", "engineer", "review", Review),
    ("feedback_requested", "manager", "answered", FeedbackRequest),
    ("feedback_answered", "teammate", "answered", FeedbackRequest),
    ("feedback_declined", "other_engineer", "declined", FeedbackRequest),
    ("check_in_created", "manager", "check_in", CheckIn),
    ("check_in_promoted", "manager", "promoted", Evidence),
]


@pytest.mark.parametrize(("action", "who", "target", "model"), ROWS)
def test_the_write_records_who_did_what_to_which_record(world, done, action, who, target, model):
    rows = Activity.objects.filter(
        action=action, target_type=model._meta.label_lower, target_id=str(done[target].pk)
    )
    assert rows.exists(), f"no {action} row"
    assert {row.actor_id for row in rows} == {getattr(world, who).user.pk}


@pytest.mark.parametrize("action", [action for action, *_ in ROWS])
def test_the_row_carries_no_review_text_ratings_or_demographics(done, action):
    for row in Activity.objects.filter(action=action):
        written = json.dumps([row.old, row.new]).lower()
        leaked = [s for s in SECRETS if s.lower() in written]
        assert not leaked, f"{action} row carries {leaked}: {written}"


def test_a_cycle_edit_records_what_changed_from_what(world, done):
    row = Activity.objects.get(action="cycle_updated", target_id=str(done["cycle"].pk))
    assert row.old == {"name": "H1 2026"}
    assert row.new == {"name": "First half 2026"}


def test_a_refused_write_records_nothing(world):
    before = Activity.objects.count()
    with pytest.raises(PermissionDenied):
        cycle_create(actor=world.manager.user, name="Mine", starts_on=START, ends_on=END)
    assert Activity.objects.count() == before
