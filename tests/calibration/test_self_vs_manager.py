"""The calibration case and the packet show the subject's self-ratings beside the
manager's, per competency and in total (SPEC §11.1)."""

from __future__ import annotations

from django.urls import reverse

from calibration.packet_build import packet_context
from calibration.selectors.self_gap import self_vs_manager
from reviews.models import SelfAssessment, SelfAssessmentItem

RATINGS = [("below", "Below", 1), ("meets", "Meets", 2), ("exceeds", "Exceeds", 3)]


def _self_assessment(world, calib, person, ratings, status="submitted"):
    """A self-assessment in the calibrating cycle. Written with the models: the service
    takes them only while a cycle is open, and this cycle has moved on."""
    sa = SelfAssessment.objects.create(
        cycle=calib.cycle,
        subject=person,
        rubric_version=world.v1,
        status=status,
        impact="I halved the errors.",
    )
    for order, (key, rating) in enumerate(ratings.items()):
        SelfAssessmentItem.objects.create(
            self_assessment=sa, competency=key, rating=rating, order=order
        )
    return sa


def test_the_gap_counts_above_same_below_and_not_compared():
    gap = self_vs_manager(
        competencies=[("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")],
        manager={"a": "meets", "b": "meets", "c": "exceeds", "d": "meets"},
        own={"a": "exceeds", "b": "meets", "c": "meets", "d": ""},
        ratings=RATINGS,
    )
    assert [r["where"] for r in gap["rows"]] == ["above", "same", "below", "unrated"]
    assert gap["rows"][0] == {
        "competency": "A",
        "self": "Exceeds",
        "manager": "Meets",
        "where": "above",
    }
    assert gap["summary"] == (
        "Self-rating above the manager's in 1 of 4 competencies, the same in 1, below in 1; "
        "1 not compared (not self-rated or not rated)."
    )
    assert self_vs_manager(competencies=[], manager={}, own=None, ratings=RATINGS) is None


def test_the_case_page_shows_self_and_manager_ratings_side_by_side(world, calib, client_for):
    # The engineer's review is rated "exceeds" on both competencies.
    _self_assessment(
        world, calib, world.engineer, {"execution": "strongly_exceeds", "collaboration": "meets"}
    )
    page = (
        client_for("committee")
        .get(reverse("calibration:case", args=[calib.case.pk]))
        .content.decode()
    )
    assert "Self-assessment beside the review" in page
    assert (
        "Self-rating above the manager&#x27;s in 1 of 2 competencies, the same in 0, below in 1"
        in page
    )
    table = page[
        page.index("Self-rating and manager") : page.index(
            "</table>", page.index("Self-rating and manager")
        )
    ]
    assert "Strongly exceeds" in table and "Exceeds" in table and "Meets" in table
    assert "Above in 1, the same in 0, below in 1, not compared in 0 (of 2)" in table


def test_a_draft_self_assessment_is_not_shown(world, calib, client_for):
    _self_assessment(world, calib, world.engineer, {"execution": "below"}, status="draft")
    page = client_for("hr").get(reverse("calibration:case", args=[calib.case.pk])).content.decode()
    assert "No submitted self-assessment in this cycle." in page
    assert "Self-rating above" not in page


def test_the_packet_includes_the_gap_per_case(world, calib):
    _self_assessment(
        world, calib, world.engineer, {"execution": "exceeds", "collaboration": "exceeds"}
    )
    context = packet_context(calib.session)
    gaps = {s["case"].subject_id: s["self_gap"] for s in context["sections"]}
    assert gaps[world.teammate.pk] is None
    engineer = gaps[world.engineer.pk]
    assert engineer["counts"] == {"above": 0, "same": 2, "below": 0, "unrated": 0}
    from django.template.loader import render_to_string

    html = render_to_string("calibration/packet_pdf.html", context)
    assert "Self-rating above the manager&#x27;s in 0 of 2 competencies, the same in 2" in html
    assert "No submitted self-assessment in this cycle." in html


def test_the_packet_costs_the_same_queries_for_one_or_two_self_assessments(
    world, calib, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _self_assessment(world, calib, world.engineer, {"execution": "meets"})
    packet_context(calib.session)  # the rubric is kept in the cache after this
    with CaptureQueriesContext(connection) as one:
        packet_context(calib.session)
    _self_assessment(world, calib, world.teammate, {"execution": "meets"})
    packet_context(calib.session)
    with django_assert_max_num_queries(len(one.captured_queries)):
        context = packet_context(calib.session)
    assert all(s["self_gap"] for s in context["sections"])
