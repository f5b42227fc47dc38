"""An id the caller may not see answers exactly like an id that does not exist, and like a
deactivated person or a value that is no id at all (SPEC §3, issue #10.2): same status,
same field, same message. Nothing here may answer 500.
"""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from org import services as org_services
from reviews.models import Evidence
from tests.factories import make_person
from tests.reviews.conftest import add_evidence, make_cycle

MISSING = 987654321
# Values that are not ids: each must read like "no such thing", never a 500 or a type hint.
# (JSON integers beyond 64 bits are refused by the body parser before any field runs, see
# test_ids_beyond_64_bits_never_reach_the_database; as strings they reach the field.)
NOT_IDS = [True, False, 1e300, 1.5, "abc", "12a", " 7", str(2**63), str(2**70), "9" * 5000]
NOT_IDS += [-1, 0, [], {}]


def api(person) -> APIClient:
    c = APIClient()
    c.force_authenticate(person.user)
    return c


def answers(client: APIClient, method: str, url: str, body_for, values) -> set[tuple[int, str]]:
    """The (status, first message of the field) pairs the values produce."""
    seen = set()
    for value in values:
        body, field = body_for(value)
        r = getattr(client, method)(url, body, format="json")
        data = r.json()
        assert r.status_code < 500, (value, data)
        seen.add((r.status_code, repr(data.get(field))))
    return seen


@pytest.fixture
def leaver(world):
    """A report of the manager who has left the company."""
    person = make_person(
        world.root,
        "leaver",
        team=world.team_a,
        manager=world.manager,
        ladder=world.ladder,
        level="L3",
        full_name="Lee Leaver",
    )
    return org_services.person_update(actor=world.hr.user, person=person, is_active=False)


def _person_cases(world, leaver) -> list:
    # The manager cannot see Team B's engineer; the leaver is theirs but inactive.
    return [world.other_engineer.pk, MISSING, leaver.pk, *NOT_IDS]


def test_evidence_person(world, leaver):
    def body(value):
        return {"person": value, "title": "A thing", "occurred_on": "2026-02-01"}, "person"

    seen = answers(
        api(world.manager), "post", "/api/v1/evidence/", body, _person_cases(world, leaver)
    )
    assert seen == {(400, repr(["No such person."]))}


def test_check_in_person(world, leaver):
    def body(value):
        return {"person": value, "occurred_on": "2026-02-01", "what_changed": "x"}, "person"

    seen = answers(
        api(world.manager), "post", "/api/v1/check-ins/", body, _person_cases(world, leaver)
    )
    assert seen == {(400, repr(["No such person."]))}


def test_review_subject_and_cycle(world, leaver):
    cycle = make_cycle(world)

    def subject(value):
        return {"cycle": cycle.pk, "subject": value}, "subject"

    seen = answers(
        api(world.manager), "post", "/api/v1/reviews/", subject, _person_cases(world, leaver)
    )
    assert seen == {(400, repr(["No such person."]))}

    def cycle_body(value):
        return {"cycle": value, "subject": world.engineer.pk}, "cycle"

    seen = answers(api(world.manager), "post", "/api/v1/reviews/", cycle_body, [MISSING, *NOT_IDS])
    assert seen == {(400, repr(["No such cycle."]))}


def test_feedback_subject_and_respondent(world, leaver):
    cycle = make_cycle(world)

    def subject(value):
        return {
            "cycle": cycle.pk,
            "subject": value,
            "respondent": world.teammate.pk,
            "relationship": "peer",
        }, "subject"

    seen = answers(
        api(world.manager),
        "post",
        "/api/v1/feedback-requests/",
        subject,
        _person_cases(world, leaver),
    )
    assert seen == {(400, repr(["No such person."]))}

    def respondent(value):
        return {
            "cycle": cycle.pk,
            "subject": world.engineer.pk,
            "respondent": value,
            "relationship": "peer",
        }, "respondent"

    # Anyone active may be asked (a cross-functional partner is on another team), so
    # only a missing, a deactivated and a malformed id are refused, all alike.
    seen = answers(
        api(world.manager),
        "post",
        "/api/v1/feedback-requests/",
        respondent,
        [MISSING, leaver.pk, *NOT_IDS],
    )
    assert seen == {(400, repr(["No such person."]))}
    r = api(world.manager).post(
        "/api/v1/feedback-requests/",
        respondent(world.other_engineer.pk)[0],
        format="json",
    )
    assert r.status_code == 201, r.json()


def test_hr_people_manager_team_and_ladder(world, leaver):
    def manager(value):
        return {"username": "newbie", "full_name": "New Bie", "manager": value}, "manager"

    seen = answers(
        api(world.hr), "post", "/api/v1/people/", manager, [MISSING, leaver.pk, *NOT_IDS]
    )
    assert seen == {(400, repr(["No such person."]))}

    def team(value):
        return {"username": "newbie", "full_name": "New Bie", "team": value}, "team"

    seen = answers(api(world.hr), "post", "/api/v1/people/", team, [MISSING, *NOT_IDS])
    assert seen == {(400, repr(["No such team."]))}

    def ladder(value):
        return {"username": "newbie", "full_name": "New Bie", "ladder": value}, "ladder"

    seen = answers(api(world.hr), "post", "/api/v1/people/", ladder, [MISSING, *NOT_IDS])
    assert seen == {(400, repr(["No such ladder."]))}


def test_calibration_case_evidence(world):
    calib = world.calib
    # Evidence on the manager's record: the committee member (other_manager) cannot see it.
    hidden = add_evidence(
        world, world.manager, "Manager's own item", datetime.date(2025, 9, 1), by=world.director
    )

    def body(value):
        return {
            "version": calib.case.version,
            "calibrated_rating": "exceeds",
            "evidence": [value],
        }, "evidence"

    seen = answers(
        api(world.other_manager),
        "patch",
        f"/api/v1/calibration-cases/{calib.case.pk}/",
        body,
        [hidden.pk, MISSING, *NOT_IDS],
    )
    assert seen == {(400, repr(["No such evidence item."]))}


def test_calibration_session_people_and_cycle(world, leaver):
    cycle = make_cycle(world)

    def committee(value):
        return {
            "cycle": cycle.pk,
            "name": "S",
            "facilitator": world.director.pk,
            "committee": [value],
        }, "committee"

    seen = answers(
        api(world.hr),
        "post",
        "/api/v1/calibration-sessions/",
        committee,
        [MISSING, leaver.pk, *NOT_IDS],
    )
    assert seen == {(400, repr(["No such person."]))}

    def cycle_body(value):
        return {
            "cycle": value,
            "name": "S",
            "facilitator": world.director.pk,
            "committee": [world.director.pk],
        }, "cycle"

    seen = answers(
        api(world.hr), "post", "/api/v1/calibration-sessions/", cycle_body, [MISSING, *NOT_IDS]
    )
    assert seen == {(400, repr(["No such cycle."]))}


def test_a_visible_person_still_resolves(world):
    r = api(world.manager).post(
        "/api/v1/evidence/",
        {"person": str(world.engineer.pk), "title": "A thing", "occurred_on": "2026-02-01"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    # A visible person the caller may not write for is a 403, as SPEC §3 says.
    r = api(world.engineer).post(
        "/api/v1/evidence/",
        {"person": world.teammate.pk, "title": "A thing", "occurred_on": "2026-02-01"},
        format="json",
    )
    assert r.status_code == 403


@pytest.mark.parametrize("value", [2**63, 2**70, -(2**70)])
def test_ids_beyond_64_bits_never_reach_the_database(world, value):
    r = api(world.manager).post(
        "/api/v1/evidence/",
        {"person": value, "title": "A thing", "occurred_on": "2026-02-01"},
        format="json",
    )
    assert r.status_code == 400
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("value", ["²", str(10**30), str(2**63), "-1", "abc"])
def test_the_feedback_page_ignores_a_subject_that_is_no_id(world, client_for, value):
    make_cycle(world)
    page = client_for("manager").get("/feedback/new/", {"subject": value})
    assert page.status_code == 200


def test_the_feedback_page_preselects_only_a_subject_of_the_callers(world, client_for):
    make_cycle(world)
    mine = client_for("manager").get("/feedback/new/", {"subject": world.engineer.pk})
    assert f'<option value="{world.engineer.pk}" selected>' in mine.content.decode()
    other = client_for("manager").get("/feedback/new/", {"subject": world.other_engineer.pk})
    assert f'value="{world.other_engineer.pk}" selected' not in other.content.decode()
