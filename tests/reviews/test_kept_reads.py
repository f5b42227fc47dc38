"""What pages and answers keep (the page and API caches of core.page_cache, a reporting
chain's ids, a rubric's contents, a team scorecard: all filed under the data version)
never outlives a write: the next read after any change shows it, for every kind of change
the review routes depend on."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from org import services as org_services
from reviews.services.reviews import review_create, review_update
from tests.reviews.test_review_pages import browser, page
from tests.reviews.test_team_context import _deploy

pytestmark = pytest.mark.django_db


def twice(client, url: str) -> str:
    """The page as a second read shows it (the first may not be kept: it sets cookies)."""
    client.get(url)
    response = client.get(url)
    assert response.status_code == 200
    return page(response)


def test_an_edit_shows_at_once_in_the_kept_editor_workspace_and_api(world, cycle):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    review = review_update(
        actor=world.manager.user, review=review, version=1, narrative={"impact": "Solid work."}
    )
    manager = browser(world.manager.user)
    edit = reverse("reviews:edit", args=[review.pk])
    workspace = reverse("reviews:workspace")
    hr = APIClient()
    hr.force_authenticate(world.hr.user)
    assert "Solid work." in twice(manager, edit)
    before = twice(manager, workspace)
    hr.get("/api/v1/reviews/")
    assert hr.get("/api/v1/reviews/").json()["results"][0]["lint"] == []

    review_update(
        actor=world.manager.user,
        review=review,
        version=review.version,
        narrative={"impact": "Seems to be abrasive."},
    )

    assert "Seems to be abrasive." in page(manager.get(edit))
    assert "Matched text: <q>abrasive</q>" in page(manager.get(edit))
    after = page(manager.get(workspace))
    assert after != before and "to consider" in after
    codes = {f["code"] for f in hr.get("/api/v1/reviews/").json()["results"][0]["lint"]}
    assert {"hedging", "personality"} <= codes


def test_a_move_in_the_reporting_chain_shows_at_once(world, cycle, api_for, client_for):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    manager, other = api_for("manager"), api_for("committee")  # other_manager
    detail = f"/api/v1/reviews/{review.pk}/"
    workspace = browser(world.manager.user)
    assert manager.get(detail).status_code == 200 and other.get(detail).status_code == 404
    assert "Erin Engineer" in twice(workspace, reverse("reviews:workspace"))
    assert [e["id"] for e in manager.get("/api/v1/reviews/").json()["results"]] == [review.pk]

    org_services.person_update(actor=world.root, person=world.engineer, manager=world.other_manager)

    assert manager.get(detail).status_code == 404
    assert manager.get("/api/v1/reviews/").json()["results"] == []
    assert other.get(detail).status_code == 200
    assert "Erin Engineer" not in page(workspace.get(reverse("reviews:workspace")))
    assert manager.get(f"/api/v1/evidence/?person={world.engineer.pk}").json()["count"] == 0
    assert client_for("manager").get(reverse("reviews:edit", args=[review.pk])).status_code == 404


def test_new_team_outcomes_show_at_once_beside_the_review(world, cycle):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    manager = browser(world.manager.user)
    edit = reverse("reviews:edit", args=[review.pk])

    def frequency(html: str) -> str:
        found = re.search(r"<dt>Deployment frequency</dt>\s*<dd>(.*?)</dd>", html, re.DOTALL)
        assert found
        return found.group(1)

    _deploy(world.team_a, 3)
    few = frequency(twice(manager, edit))
    from outcomes.models import Deployment

    Deployment.objects.filter(team=world.team_a).delete()
    _deploy(world.team_a, 20)
    assert frequency(page(manager.get(edit))) != few
