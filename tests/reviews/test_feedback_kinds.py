"""Peer and cross-functional feedback evidence comes only from answered feedback requests
(issue #10, point 6): nobody adds it to a library by hand, through the API, the library
page or a promoted check-in note; answering a request still creates it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from reviews.models import Evidence
from reviews.services.check_ins import check_in_create
from reviews.services.feedback import feedback_answer, feedback_request_create

FEEDBACK_KINDS = ["peer_feedback", "cross_functional_feedback"]
DAY = datetime.date(2026, 3, 3)


@pytest.mark.parametrize("kind", FEEDBACK_KINDS)
@pytest.mark.parametrize("who", ["engineer", "manager"])
def test_the_api_refuses_feedback_kinds_added_by_hand(world, api_for, kind, who):
    response = api_for(who).post(
        "/api/v1/evidence/",
        {
            "person": world.engineer.pk,
            "kind": kind,
            "title": "Great teammate, says everyone",
            "occurred_on": "2026-02-10",
        },
        format="json",
    )

    assert response.status_code == 400, response.content
    assert "kind" in response.json()
    assert "feedback request" in " ".join(response.json()["kind"])
    assert not Evidence.objects.exists()


def test_the_library_form_does_not_offer_feedback_kinds_and_refuses_them(world, client_for):
    page = client_for("engineer")
    url = reverse("reviews:my-evidence")

    html = page.get(url).content.decode()
    refused = [
        page.post(url, {"title": "Praise", "occurred_on": "2026-02-10", "kind": kind})
        for kind in FEEDBACK_KINDS
    ]

    for kind in FEEDBACK_KINDS:
        assert f'value="{kind}"' not in html
    assert 'value="mentoring"' in html, "the other kinds are still offered"
    for response in refused:
        assert response.status_code == 400
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("kind", FEEDBACK_KINDS)
def test_a_check_in_note_cannot_be_promoted_to_feedback_evidence(world, api_for, client_for, kind):
    ci = check_in_create(
        actor=world.manager.user, person=world.engineer, occurred_on=DAY, what_changed="Notes"
    )
    timeline = client_for("manager").get(
        reverse("reviews:person-check-ins", args=[world.engineer.pk])
    )

    api = api_for("manager").post(
        f"/api/v1/check-ins/{ci.pk}/promote/",
        {"item": "what_changed", "title": "Praise", "kind": kind},
        format="json",
    )
    form = client_for("manager").post(
        reverse("reviews:check-in-promote", args=[ci.pk]),
        {"item": "what_changed", "title": "Praise", "kind": kind},
    )

    assert f'value="{kind}"' not in timeline.content.decode()
    assert api.status_code == 400 and "kind" in api.json()
    assert form.status_code == 400
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("relationship", "kind"),
    [("peer", "peer_feedback"), ("cross_functional", "cross_functional_feedback")],
)
def test_answering_a_request_still_creates_feedback_evidence(world, cycle, relationship, kind):
    request = feedback_request_create(
        actor=world.manager.user,
        cycle=cycle,
        subject=world.engineer,
        respondent=world.other_engineer,
        relationship=relationship,
    )

    feedback_answer(
        actor=world.other_engineer.user, request=request, owned="The billing split.", changed=""
    )

    item = Evidence.objects.get(person=world.engineer)
    assert (item.kind, item.source, item.attributed_to) == (
        kind,
        Evidence.Source.FEEDBACK,
        world.other_engineer,
    )
