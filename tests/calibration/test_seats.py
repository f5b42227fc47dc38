"""Sitting on a session has one definition (calibration.selectors.seat_q): on its
committee, or facilitating it. A facilitator who is not on the committee (a session made
before the facilitator was always added to it, or changed since in the database) still
sits on the session everywhere: its reviews, its cases, its packet and the navigation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from calibration.models import CalibrationSession

CASES = "/api/v1/calibration-cases/"


@pytest.fixture
def facilitator_only(world, calib):
    """other_manager facilitates the Team A session without being on its committee."""
    calib.session.committee.remove(world.other_manager)
    session = CalibrationSession.objects.get(pk=calib.session.pk)
    assert world.other_manager not in session.committee.all()
    assert session.facilitator == world.other_manager
    return calib


def test_a_facilitator_off_the_committee_reads_the_reviews_of_their_cases(
    world, facilitator_only, api_for
):
    calib = facilitator_only
    facilitator = api_for("other_manager")
    assert facilitator.get(f"/api/v1/reviews/{calib.review.pk}/").status_code == 200
    listed = facilitator.get("/api/v1/reviews/?page_size=200").json()["results"]
    assert {calib.review.pk, calib.teammate_review.pk} <= {r["id"] for r in listed}
    # Someone on no seat of that session still cannot see that the review exists.
    assert api_for("other_engineer").get(f"/api/v1/reviews/{calib.review.pk}/").status_code == 404


def test_a_facilitator_off_the_committee_sees_the_calibration_link(
    world, facilitator_only, client_for
):
    link = f'href="{reverse("calibration:sessions")}"'
    assert link in client_for("other_manager").get("/").content.decode()
    assert link not in client_for("engineer").get("/").content.decode()


def test_a_facilitator_off_the_committee_decides_and_reads_the_packet(
    world, facilitator_only, api_for, client_for
):
    calib = facilitator_only
    decided = api_for("other_manager").patch(
        f"{CASES}{calib.teammate_case.pk}/",
        {"version": calib.teammate_case.version, "calibrated_rating": "meets"},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    packet = client_for("other_manager").get(reverse("calibration:packet", args=[calib.session.pk]))
    assert packet.status_code == 200
