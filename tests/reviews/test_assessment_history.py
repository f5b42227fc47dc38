"""An assessment keeps every saved rating and narrative, as the review itself does."""

from __future__ import annotations

from reviews.models import Assessment
from reviews.services.reviews import review_create, review_update
from tests.reviews.conftest import complete_assessments


def test_editing_an_assessment_keeps_the_old_value_in_its_history(world, cycle, evidence):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    ids = [e.pk for e in evidence]
    review = review_update(
        actor=world.manager.user,
        review=review,
        version=review.version,
        assessments=complete_assessments(ids, rating="meets"),
    )
    edited = complete_assessments(ids, rating="exceeds")
    edited[0]["narrative"] = "Delivered the billing split two weeks early."
    review_update(
        actor=world.manager.user, review=review, version=review.version, assessments=edited
    )

    execution = Assessment.objects.get(review=review, competency="execution")
    assert execution.rating == "exceeds"
    history = list(execution.history.order_by("history_date", "history_id"))
    # Created blank with the review, then saved twice.
    assert [h.rating for h in history] == ["", "meets", "exceeds"]
    assert history[1].narrative == "Delivered the billing split on time."
    assert history[-1].narrative == "Delivered the billing split two weeks early."
    assert {h.history_user_id for h in history} == {world.manager.user.pk}


def test_a_save_that_changes_nothing_adds_no_history(world, cycle, evidence):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    items = complete_assessments([e.pk for e in evidence])
    review = review_update(
        actor=world.manager.user, review=review, version=review.version, assessments=items
    )
    execution = Assessment.objects.get(review=review, competency="execution")
    before = execution.history.count()
    review_update(
        actor=world.manager.user, review=review, version=review.version, assessments=items
    )
    assert execution.history.count() == before
