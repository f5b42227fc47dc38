"""The appeal pages (SPEC §11.3): the subject appeals from the review page or the outcome
letter, HR works through the queue and resolves on the appeal's page, and the subject
reads the resolution on their review page and in the letter."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calibration import documents
from calibration.appeals import appeal_open, appeal_resolve
from calibration.models import Appeal
from reviews.models import Review
from tests.calibration.test_appeals import NOTE, open_by_teammate
from tests.calibration.test_documents import decide_and_finalize, pdf_text, release
from tests.reviews.conftest import add_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(world, calib):
    decide_and_finalize(world, calib)
    release(world, calib)
    return calib


def test_the_subject_appeals_from_the_review_page_and_reads_the_resolution_there(
    world, released, client_for
):
    review = released.teammate_review
    ev = add_evidence(world, world.teammate, "Onboarding guide", released.cycle.ends_on)
    teammate = client_for("teammate")
    page = teammate.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    open_url = reverse("calibration:appeal-open", args=[review.pk])
    assert "Appeal this review" in page and open_url in page
    letter = teammate.get(reverse("calibration:letter", args=[review.pk])).content.decode()
    assert open_url in letter

    form = teammate.get(open_url)
    assert form.status_code == 200
    assert "Onboarding guide" in form.content.decode()
    sent = teammate.post(open_url, {"reason": "My mentoring is missing.", "evidence": [ev.pk]})
    appeal = Appeal.objects.get(review=review)
    assert sent.status_code == 302
    assert sent["Location"] == reverse("calibration:appeal", args=[appeal.pk])
    assert list(appeal.evidence.all()) == [ev]
    page = teammate.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "You appealed this review" in page and "Appeal this review" not in page

    hr = client_for("hr")
    queue = hr.get(reverse("calibration:appeals")).content.decode()
    assert "Toby Teammate" in queue
    detail = hr.get(reverse("calibration:appeal", args=[appeal.pk])).content.decode()
    assert "My mentoring is missing." in detail and "Resolve the appeal" in detail
    done = hr.post(
        reverse("calibration:appeal", args=[appeal.pk]),
        {
            "resolution": "changed",
            "rating": "exceeds",
            "resolution_note": NOTE,
            "rubric_refs": ["L3|collaboration"],
        },
    )
    assert done.status_code == 302
    page = teammate.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "HR changed the final rating on appeal, from <strong>Meets</strong> to" in page
    assert "<strong>Exceeds</strong>" in page
    assert NOTE in page
    # The appeal page no longer offers a form: a resolution is final.
    detail = hr.get(reverse("calibration:appeal", args=[appeal.pk])).content.decode()
    assert "Resolve the appeal" not in detail and "Changed from Meets to Exceeds" in detail


def test_the_letter_and_its_pdf_show_the_rating_changed_on_appeal(world, released, client_for):
    appeal = open_by_teammate(world, released)
    review = released.teammate_review
    before = documents.letter_pdf(Review.objects.get(pk=review.pk))
    assert "changed on appeal" not in pdf_text(before)
    appeal_resolve(
        actor=world.hr.user,
        appeal=appeal,
        resolution="changed",
        resolution_note=NOTE,
        rubric_refs=[{"level": "L3", "competency": "collaboration"}],
        rating="exceeds",
    )
    html = client_for("teammate").get(reverse("calibration:letter", args=[review.pk]))
    text = html.content.decode()
    assert "Your rating changed on appeal" in text
    assert "from <strong>Meets</strong> to <strong>Exceeds</strong>" in text
    assert NOTE in text
    assert "At L3, collaboration looks like this." in text
    pdf = client_for("teammate").get(reverse("calibration:letter-pdf", args=[review.pk]))
    assert pdf.status_code == 200
    words = pdf_text(pdf.content)
    assert "Your rating changed on appeal" in words
    assert "Exceeds" in words


def test_a_manager_sees_the_appeal_of_someone_in_their_chain_and_cannot_resolve_it(
    world, released, client_for
):
    appeal = open_by_teammate(world, released)
    manager = client_for("manager")
    page = manager.get(reverse("calibration:appeal", args=[appeal.pk]))
    assert page.status_code == 200
    assert "Resolve the appeal" not in page.content.decode()
    refused = manager.post(
        reverse("calibration:appeal", args=[appeal.pk]),
        {"resolution": "upheld", "resolution_note": NOTE, "rubric_refs": ["L3|collaboration"]},
    )
    assert refused.status_code == 403
    review_page = manager.get(reverse("reviews:detail", args=[released.teammate_review.pk]))
    assert "Toby Teammate appealed this review" in review_page.content.decode()
    # The committee that calibrated the review reads the review, not the appeal.
    committee = client_for("committee")
    assert committee.get(reverse("calibration:appeal", args=[appeal.pk])).status_code == 404
    text = committee.get(reverse("reviews:detail", args=[released.teammate_review.pk]))
    assert "appealed" not in text.content.decode()


def test_a_bad_form_is_refused_with_the_fields_named_and_nothing_written(
    world, released, client_for
):
    review = released.teammate_review
    open_url = reverse("calibration:appeal-open", args=[review.pk])
    empty = client_for("teammate").post(open_url, {"reason": "  "})
    assert empty.status_code == 400
    assert not Appeal.objects.exists()
    appeal = open_by_teammate(world, released)
    hr = client_for("hr")
    url = reverse("calibration:appeal", args=[appeal.pk])
    for data in (
        {"resolution": "changed", "resolution_note": NOTE, "rubric_refs": ["L3|collaboration"]},
        {"resolution": "upheld", "resolution_note": NOTE},
        {"resolution": "upheld", "resolution_note": NOTE, "rubric_refs": ["L9|nope"]},
        {"resolution": "sideways", "resolution_note": NOTE, "rubric_refs": ["L3|collaboration"]},
    ):
        response = hr.post(url, data)
        assert response.status_code == 400, data
        assert "The appeal was not resolved" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "open"


def test_the_queue_lists_open_appeals_first_in_as_many_queries_for_one_as_for_many(
    world, released, client_for, page_cache_off
):
    first = open_by_teammate(world, released)
    hr = client_for("hr")
    url = reverse("calibration:appeals")
    with CaptureQueriesContext(connection) as one:
        assert hr.get(url).status_code == 200
    appeal_resolve(
        actor=world.hr.user,
        appeal=first,
        resolution="upheld",
        resolution_note=NOTE,
        rubric_refs=[{"level": "L3", "competency": "collaboration"}],
    )
    for person in (world.engineer, world.other_engineer):
        appeal_open(
            actor=person.user,
            review=Review.objects.get(cycle=released.cycle, subject=person),
            reason="Please look again.",
        )
    with CaptureQueriesContext(connection) as many:
        html = hr.get(url).content.decode()
    assert len(many) == len(one)
    open_part, resolved_part = html.split('id="resolved-heading"')
    assert "Erin Engineer" in open_part and "Olga Otherengineer" in open_part
    assert "Toby Teammate" in resolved_part and "Upheld" in resolved_part
