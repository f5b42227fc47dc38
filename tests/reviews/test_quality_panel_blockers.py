"""The quality panel beside the editor lists what stops a submission, exactly as the submit
check names it, and a refused submit that changed nothing saves nothing (issue #10,
point 24)."""

from __future__ import annotations

import re

from django.urls import reverse

from reviews.models import Review
from reviews.services.reviews import review_create

# What the submit check names for an empty review of the test rubric (two competencies).
EMPTY_REVIEW_BLOCKERS = [
    "Choose an overall rating.",
    "Rate Execution.",
    "Cite at least one evidence item for Execution.",
    "Rate Collaboration.",
    "Cite at least one evidence item for Collaboration.",
]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _panel(html: str) -> str:
    return _text(html.split('id="lint-panel"', 1)[1].split("</aside>", 1)[0])


def _editor_data(review: Review) -> dict[str, str]:
    """What the editor posts for the review as saved (nothing changed on screen)."""
    data = {"version": str(review.version), "with_content": "on"}
    for section in Review.NARRATIVE_SECTIONS:
        data[section] = getattr(review, section)
    data["overall_rating"] = review.overall_rating
    return data


def test_the_panel_of_an_empty_review_lists_every_submit_blocker(world, cycle, client_for):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    manager = client_for("manager")

    editor = manager.get(reverse("reviews:edit", args=[review.pk])).content.decode()
    live = manager.post(
        reverse("reviews:lint", args=[review.pk]), _editor_data(review), HTTP_HX_REQUEST="true"
    ).content.decode()
    refused = manager.post(reverse("reviews:submit", args=[review.pk]), _editor_data(review))

    assert refused.status_code == 400
    alert = _text(refused.content.decode().split('role="alert"', 1)[1].split("</div>", 1)[0])
    for panel in (_panel(editor), _text(live), _panel(refused.content.decode())):
        assert "No issues found" not in panel
        assert "Must fix before submitting (5)" in panel
        assert "5 to fix" in panel
        for message in EMPTY_REVIEW_BLOCKERS:
            assert message in panel
            assert message in alert, "the panel and the submit refusal say the same"


def test_the_workspace_counts_the_same_blockers(world, cycle, client_for):
    review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)

    workspace = _text(client_for("manager").get(reverse("reviews:workspace")).content.decode())

    assert "5 to fix" in workspace


def test_the_panel_clears_a_blocker_as_soon_as_it_is_fixed_on_screen(world, cycle, client_for):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    data = _editor_data(review)
    data["overall_rating"] = "meets"

    live = _text(
        client_for("manager")
        .post(reverse("reviews:lint", args=[review.pk]), data, HTTP_HX_REQUEST="true")
        .content.decode()
    )

    assert "Choose an overall rating." not in live
    assert "Must fix before submitting (4)" in live


def test_a_refused_submit_with_no_changes_saves_no_new_version(world, cycle, client_for):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    history = review.history.count()  # type: ignore[attr-defined]
    manager = client_for("manager")

    for _ in range(2):
        refused = manager.post(reverse("reviews:submit", args=[review.pk]), _editor_data(review))
        assert refused.status_code == 400

    review.refresh_from_db()
    assert review.version == 1
    assert review.status == Review.Status.DRAFT
    assert review.history.count() == history  # type: ignore[attr-defined]
    assert "saved as version" not in refused.content.decode()


def test_a_refused_submit_with_changes_keeps_them_as_a_new_version(world, cycle, client_for):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    data = _editor_data(review)
    data["growth"] = "Lead the next design review."

    refused = client_for("manager").post(reverse("reviews:submit", args=[review.pk]), data)

    assert refused.status_code == 400
    review.refresh_from_db()
    assert (review.version, review.growth) == (2, "Lead the next design review.")
    assert "Your changes were saved as version 2." in refused.content.decode()
