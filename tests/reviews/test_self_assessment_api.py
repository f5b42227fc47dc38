"""The self-assessment API (SPEC §11.1): the subject writes their own, once per open
cycle, against the pinned rubric; submitted, it never changes; who else reads it."""

from __future__ import annotations

import datetime

import pytest

from reviews.models import SelfAssessment
from reviews.services.cycles import cycle_transition
from reviews.services.self_assessments import self_assessment_create, self_assessment_submit
from tests.reviews.conftest import add_evidence, make_cycle

URL = "/api/v1/self-assessments/"


@pytest.fixture
def open_cycle(world):
    return make_cycle(world)


@pytest.fixture
def mine(world, open_cycle):
    return self_assessment_create(actor=world.engineer.user, cycle=open_cycle)


def _submitted(world, sa):
    sa.ownership = "I owned the billing split."
    sa.save()
    return self_assessment_submit(actor=world.engineer.user, self_assessment=sa)


def test_an_engineer_starts_their_own_with_one_item_per_competency(world, open_cycle, api_for):
    r = api_for("engineer").post(URL, {"cycle": open_cycle.pk}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["subject"] == world.engineer.pk
    assert body["rubric_version"] == world.v1.pk
    assert body["status"] == "draft" and body["version"] == 1
    assert [a["competency"] for a in body["assessments"]] == ["execution", "collaboration"]
    assert set(body["narrative"]) == {"ownership", "impact", "outcomes", "growth", "context"}


def test_naming_someone_else_as_subject_is_refused_and_writes_nothing(world, open_cycle, api_for):
    r = api_for("manager").post(
        URL, {"cycle": open_cycle.pk, "subject": world.engineer.pk}, format="json"
    )
    assert r.status_code == 403
    # Someone the caller cannot see at all is "no such person", as everywhere.
    r = api_for("engineer").post(
        URL, {"cycle": open_cycle.pk, "subject": world.other_engineer.pk}, format="json"
    )
    assert r.status_code == 400 and r.json() == {"subject": ["No such person."]}
    assert not SelfAssessment.objects.exists()


def test_a_second_one_in_the_same_cycle_is_refused(world, mine, open_cycle, api_for):
    r = api_for("engineer").post(URL, {"cycle": open_cycle.pk}, format="json")
    assert r.status_code == 400
    assert "cycle" in r.json()
    assert SelfAssessment.objects.count() == 1


def test_only_an_open_cycle_takes_one(world, api_for):
    draft = make_cycle(world, status="draft", name="Later")
    r = api_for("engineer").post(URL, {"cycle": draft.pk}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    r = api_for("engineer").post(URL, {"cycle": 999999}, format="json")
    assert r.status_code == 400 and r.json() == {"cycle": ["No such cycle."]}
    assert not SelfAssessment.objects.exists()


def test_an_account_without_a_ladder_cannot_start_one(world, open_cycle, api_for):
    r = api_for("manager").post(URL, {"cycle": open_cycle.pk}, format="json")
    assert r.status_code == 400


def test_patch_saves_with_the_version_read_and_runs_the_quality_checks(world, mine, api_for):
    ev = add_evidence(world, world.engineer, "Split billing", datetime.date(2026, 2, 3))
    r = api_for("engineer").patch(
        f"{URL}{mine.pk}/",
        {
            "version": 1,
            "narrative": {"ownership": "I was not strategic enough, I guess."},
            "assessments": [
                {
                    "competency": "execution",
                    "rating": "exceeds",
                    "narrative": "Shipped it.",
                    "evidence": [ev.pk],
                },
                {"competency": "collaboration", "rating": "exceeds", "narrative": "Helped."},
            ],
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["version"] == 2
    assert body["assessments"][0] == {
        "competency": "execution",
        "rating": "exceeds",
        "narrative": "Shipped it.",
        "evidence": [ev.pk],
    }
    codes = {(f["code"], f["field"]) for f in body["lint"]}
    assert ("vague_judgement", "narrative.ownership") in codes
    assert ("unevidenced_rating", "assessments.collaboration.rating") in codes
    # Nudges only: nothing in a self-assessment is a "must fix".
    assert {f["severity"] for f in body["lint"]} <= {"warning", "info"}


def test_a_stale_version_is_refused_with_the_current_one(world, mine, api_for):
    client = api_for("engineer")
    client.patch(f"{URL}{mine.pk}/", {"version": 1, "narrative": {"impact": "A"}}, format="json")
    r = client.patch(
        f"{URL}{mine.pk}/", {"version": 1, "narrative": {"impact": "B"}}, format="json"
    )
    assert r.status_code == 409
    assert r.json()["code"] == "stale_version"
    assert r.json()["current"]["version"] == 2
    assert r.json()["current"]["narrative"]["impact"] == "A"


@pytest.mark.parametrize(
    "item, key",
    [
        ({"competency": "execution", "rating": "legendary"}, "assessments.execution"),
        ({"competency": "charisma", "rating": "meets"}, "assessments.charisma"),
    ],
)
def test_ratings_and_competencies_outside_the_pinned_rubric_are_refused(
    world, mine, api_for, item, key
):
    r = api_for("engineer").patch(
        f"{URL}{mine.pk}/", {"version": 1, "assessments": [item]}, format="json"
    )
    assert r.status_code == 400 and key in r.json()
    mine.refresh_from_db()
    assert mine.version == 1


def test_evidence_that_is_not_the_subjects_is_refused(world, mine, api_for):
    theirs = add_evidence(world, world.teammate, "Teammate's PR", datetime.date(2026, 2, 3))
    r = api_for("engineer").patch(
        f"{URL}{mine.pk}/",
        {"version": 1, "assessments": [{"competency": "execution", "evidence": [theirs.pk]}]},
        format="json",
    )
    assert r.status_code == 400 and "assessments.evidence" in r.json()
    assert not mine.items.get(competency="execution").evidence.exists()


def test_submit_needs_something_written(world, mine, api_for):
    r = api_for("engineer").post(f"{URL}{mine.pk}/submit/", {}, format="json")
    assert r.status_code == 400 and "narrative" in r.json()
    client = api_for("engineer")
    client.patch(
        f"{URL}{mine.pk}/",
        {"version": 1, "assessments": [{"competency": "execution", "narrative": "Shipped."}]},
        format="json",
    )
    r = client.post(f"{URL}{mine.pk}/submit/", {"version": 2}, format="json")
    assert r.status_code == 200
    assert r.json()["status"] == "submitted" and r.json()["submitted_at"]


def test_a_submitted_one_never_changes(world, mine, api_for):
    _submitted(world, mine)
    client = api_for("engineer")
    r = client.patch(
        f"{URL}{mine.pk}/", {"version": 2, "narrative": {"impact": "x"}}, format="json"
    )
    assert r.status_code == 409 and r.json()["code"] == "immutable"
    r = client.post(f"{URL}{mine.pk}/submit/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "immutable"


def test_a_draft_left_when_the_cycle_moves_on_cannot_change(world, mine, open_cycle, api_for):
    cycle_transition(actor=world.hr.user, cycle=open_cycle, to="calibrating")
    r = api_for("engineer").patch(
        f"{URL}{mine.pk}/", {"version": 1, "narrative": {"impact": "x"}}, format="json"
    )
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"


def _ids(client):
    return [s["id"] for s in client.get(URL).json()["results"]]


def test_a_draft_is_the_subjects_own(world, mine, api_for):
    assert _ids(api_for("engineer")) == [mine.pk]
    for role in ("manager", "director", "hr", "teammate", "committee"):
        assert _ids(api_for(role)) == [], role
        assert api_for(role).get(f"{URL}{mine.pk}/").status_code == 404, role


def test_once_submitted_the_chain_and_hr_read_it_and_only_the_subject_writes(world, mine, api_for):
    _submitted(world, mine)
    for role in ("engineer", "manager", "director", "hr", "superuser"):
        assert api_for(role).get(f"{URL}{mine.pk}/").status_code == 200, role
    for role in ("teammate", "respondent", "committee", "no_person"):
        assert api_for(role).get(f"{URL}{mine.pk}/").status_code == 404, role
    r = api_for("manager").post(f"{URL}{mine.pk}/submit/", {}, format="json")
    assert r.status_code == 403
    assert api_for("anonymous").get(URL).status_code == 401


def test_the_committee_of_the_subjects_session_reads_it(world, api_for):
    calib = world.calib
    sa = SelfAssessment.objects.create(
        cycle=calib.cycle,
        subject=world.engineer,
        rubric_version=world.v1,
        status="submitted",
        ownership="Mine.",
    )
    # other_manager sits on the Team A session holding the engineer's case; the manager
    # sits on Team B's only (and reads it as the engineer's manager anyway).
    assert api_for("committee").get(f"{URL}{sa.pk}/").status_code == 200
    assert _ids(api_for("respondent")) == []


def test_list_filters_by_cycle_and_status(world, mine, open_cycle, api_for):
    client = api_for("engineer")
    assert [s["id"] for s in client.get(URL, {"cycle": open_cycle.pk}).json()["results"]] == [
        mine.pk
    ]
    assert client.get(URL, {"status": "submitted"}).json()["count"] == 0
