"""Nobody calibrates themself (issue #10, point 4): a person whose review is in a session's
scope cannot sit on its committee or facilitate it, and a review that entered the scope
after the session was created is left out of that session when it opens."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from calibration import services as calibration
from calibration.models import CalibrationCase, CalibrationSession, DecisionLog
from reviews.services.cycles import cycle_create, cycle_transition
from reviews.services.reviews import review_create
from tests.calibration.conftest import END, START, submitted_review

SESSIONS = "/api/v1/calibration-sessions/"


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _open_cycle(world):
    cycle = cycle_create(
        actor=world.hr.user,
        name="H2 2025",
        starts_on=START,
        ends_on=END,
        rubric_versions=[world.v1],
    )
    return cycle_transition(actor=world.hr.user, cycle=cycle, to="open")


def _body(world, cycle, **changes):
    body = {
        "cycle": cycle.pk,
        "name": "Team A",
        "facilitator": world.director.pk,
        "committee": [world.director.pk],
        "scope": {"teams": [world.team_a.pk]},
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("role", "field"),
    [("committee", "committee"), ("facilitator", "facilitator")],
)
def test_a_person_reviewed_in_the_scope_cannot_sit_on_the_session(
    world, calib, api_for, role, field
):
    erin = world.engineer  # her submitted review is in Team A's scope
    body = _body(world, calib.cycle)
    body["committee" if role == "committee" else "facilitator"] = (
        [world.director.pk, erin.pk] if role == "committee" else erin.pk
    )

    response = api_for("hr").post(SESSIONS, body, format="json")

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert "Erin Engineer" in response.json()[field][0]
    assert not CalibrationSession.objects.filter(name="Team A", cycle=calib.cycle).exists()


def test_a_draft_in_the_scope_counts_too(world, api_for):
    cycle = _open_cycle(world)
    review_create(actor=world.manager.user, cycle=cycle, subject=world.teammate)

    response = api_for("hr").post(
        SESSIONS, _body(world, cycle, committee=[world.teammate.pk]), format="json"
    )

    assert response.status_code == 400
    assert "Toby Teammate" in response.json()["committee"][0]


def test_a_reviewed_person_may_sit_on_a_session_whose_scope_leaves_them_out(world, calib, api_for):
    # Erin is L4 in Team A; a session for L5 only, or for Team B, does not hold her review.
    for scope in ({"teams": [world.team_a.pk], "levels": ["L5"]}, {"teams": [world.team_b.pk]}):
        response = api_for("hr").post(
            SESSIONS,
            _body(world, calib.cycle, committee=[world.engineer.pk], scope=scope),
            format="json",
        )
        assert response.status_code == 201, response.content


def test_the_session_form_names_the_person_on_the_field(world, calib, client_for):
    page = client_for("hr")
    data = {
        "cycle": calib.cycle.pk,
        "name": "Team A again",
        "facilitator": world.director.pk,
        "committee": [world.director.pk, world.teammate.pk],
        "scope_teams": [world.team_a.pk],
        "scope_levels": "",
    }

    refused = page.post(reverse("calibration:sessions"), data)

    assert refused.status_code == 400
    assert "Toby Teammate" in _text(refused.content.decode())
    assert not CalibrationSession.objects.filter(name="Team A again").exists()


def test_a_review_that_entered_the_scope_later_is_left_out_when_the_session_opens(
    world, api_for, client_for
):
    cycle = _open_cycle(world)
    # Created while Toby has no review yet: nothing in scope is his.
    created = api_for("hr").post(
        SESSIONS,
        _body(world, cycle, committee=[world.director.pk, world.teammate.pk]),
        format="json",
    )
    assert created.status_code == 201, created.content
    session = CalibrationSession.objects.get(pk=created.json()["id"])
    submitted_review(world, cycle, world.engineer)
    toby_review = submitted_review(world, cycle, world.teammate)
    cycle_transition(actor=world.hr.user, cycle=cycle, to="calibrating")

    hr_page = client_for("hr")
    opened = hr_page.post(reverse("calibration:session-open", args=[session.pk]), follow=True)

    session.refresh_from_db()
    assert session.status == "open"
    cases = CalibrationCase.objects.filter(session=session)
    assert {c.subject_id for c in cases} == {world.engineer.pk}
    message = _text(opened.content.decode())
    assert "Toby Teammate" in message and "another session" in message
    log = DecisionLog.objects.get(session=session, action="session_opened")
    assert "Toby Teammate" in log.rationale
    # Toby never reaches his own review through the committee.
    toby = api_for("teammate")
    assert toby.get(f"/api/v1/reviews/{toby_review.pk}/").status_code == 404
    listed = toby.get("/api/v1/calibration-cases/").json()["results"]
    assert [c["subject"] for c in listed] == [world.engineer.pk]
    # His review is still free for another session to take.
    other = calibration.session_create(
        actor=world.hr.user,
        cycle=session.cycle,
        name="Toby's",
        facilitator=world.director,
        committee=[world.director],
        scope_teams=[world.team_a],
    )
    other = calibration.session_open(actor=world.hr.user, session=other)
    assert [c.review_id for c in CalibrationCase.objects.filter(session=other)] == [toby_review.pk]
