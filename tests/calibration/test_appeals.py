"""Appeals of released reviews through the API (SPEC §11.3): who may open one, who sees
it, who may resolve it, what each resolution writes, and that nothing is ever edited.

The cycle is built, calibrated and released through the real services (as in
tests/calibration/test_documents.py): the teammate's rating was kept at "meets" in the
Team A session; the engineer's was changed to "strongly_exceeds".
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction

from calibration.appeals import appeal_open, appeal_resolve
from calibration.models import Appeal, DecisionLog
from reviews.models import Review
from tests.calibration.test_documents import decide_and_finalize, release
from tests.reviews.conftest import add_evidence

pytestmark = pytest.mark.django_db

URL = "/api/v1/appeals/"
NOTE = "The mentoring and the billing split meet the L3 collaboration expectation in full."
REFS = [{"level": "L3", "competency": "collaboration"}]


@pytest.fixture
def released(world, calib):
    decide_and_finalize(world, calib)
    release(world, calib)
    return calib


def open_by_teammate(world, released) -> Appeal:
    released.teammate_review.refresh_from_db()
    return appeal_open(
        actor=world.teammate.user,
        review=released.teammate_review,
        reason="My mentoring of two joiners is not in the rating.",
    )


def resolve_url(appeal: Appeal) -> str:
    return f"{URL}{appeal.pk}/resolve/"


def make_hr(person) -> None:
    person.user.groups.add(Group.objects.get(name=settings.HR_GROUP_NAME))
    # org.selectors.is_hr keeps its answer on the user object.
    vars(person.user).pop("_levelhead_is_hr", None)


# --- Opening --------------------------------------------------------------------------


def test_the_subject_appeals_their_released_review_citing_their_evidence(world, released, api_for):
    ev = add_evidence(world, world.teammate, "Onboarding guide", released.cycle.ends_on)
    response = api_for("teammate").post(
        URL,
        {
            "review": released.teammate_review.pk,
            "reason": "  Mentoring is missing.  ",
            "evidence": [ev.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["review"] == released.teammate_review.pk
    assert body["subject"] == world.teammate.pk
    assert body["reason"] == "Mentoring is missing."
    assert body["evidence"] == [ev.pk]
    assert body["status"] == "open"
    assert body["resolution"] == "" and body["resolved_by"] is None


def test_the_subject_their_manager_chain_and_hr_see_it_and_nobody_else(world, released, api_for):
    appeal = open_by_teammate(world, released)
    for role in ("teammate", "manager", "director", "hr", "superuser"):
        client = api_for(role)
        assert [a["id"] for a in client.get(URL).json()["results"]] == [appeal.pk], role
        assert client.get(f"{URL}{appeal.pk}/").status_code == 200, role
    # The committee that calibrated the review, another engineer, an account with no
    # person: not in their list, and 404 like an id that does not exist.
    for role in ("committee", "engineer", "respondent", "no_person"):
        client = api_for(role)
        assert client.get(URL).json()["results"] == [], role
        assert client.get(f"{URL}{appeal.pk}/").status_code == 404, role
        assert client.get(f"{URL}999999/").status_code == 404, role


def test_the_list_filters_by_status(world, released, api_for):
    appeal = open_by_teammate(world, released)
    hr = api_for("hr")
    assert [a["id"] for a in hr.get(URL, {"status": "open"}).json()["results"]] == [appeal.pk]
    assert hr.get(URL, {"status": "resolved"}).json()["results"] == []
    assert hr.get(URL, {"status": "nonsense"}).status_code == 400


def test_only_the_subject_may_appeal(world, released, api_for):
    data = {"review": released.teammate_review.pk, "reason": "Not mine to appeal."}
    # Those who may read the review: its manager chain, HR and the committee that
    # calibrated it.
    for role in ("manager", "director", "hr", "superuser", "committee"):
        response = api_for(role).post(URL, data, format="json")
        assert response.status_code == 403, role
    # Someone who cannot see the review reads it as no such review.
    for role in ("engineer", "respondent", "no_person"):
        response = api_for(role).post(URL, data, format="json")
        assert response.status_code == 400, role
        assert response.json() == {"review": ["No such review."]}
    assert not Appeal.objects.exists()


def test_before_release_the_review_is_not_there_to_appeal(world, calib, api_for):
    response = api_for("teammate").post(
        URL, {"review": calib.teammate_review.pk, "reason": "Too early."}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"review": ["No such review."]}
    assert not Appeal.objects.exists()


def test_a_second_appeal_is_refused(world, released, api_for):
    open_by_teammate(world, released)
    response = api_for("teammate").post(
        URL, {"review": released.teammate_review.pk, "reason": "Again."}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert "already has an appeal" in response.json()["detail"]
    assert Appeal.objects.count() == 1


BAD_OPEN = [
    ({"reason": ""}, "reason"),
    ({"reason": "   "}, "reason"),
    ({"reason": "x" * 8001}, "reason"),
    ({"reason": "bad\x00byte"}, "reason"),
    ({"reason": "ok", "evidence": ["x"]}, "evidence"),
    ({"reason": "ok", "evidence": [2**70]}, "evidence"),
    ({"reason": "ok", "review": "nope"}, "review"),
    ({"reason": "ok", "review": 2**70}, "review"),
]


def test_bad_input_is_refused_and_nothing_is_written(world, released, api_for):
    client = api_for("teammate")
    for data, field in BAD_OPEN:
        body = {"review": released.teammate_review.pk, **data}
        response = client.post(URL, body, format="json")
        assert response.status_code == 400, data
        assert field in response.json(), data
    assert not Appeal.objects.exists()


def test_evidence_of_someone_else_cannot_be_cited(world, released, api_for):
    theirs = add_evidence(world, world.engineer, "Not mine", released.cycle.ends_on)
    response = api_for("teammate").post(
        URL,
        {"review": released.teammate_review.pk, "reason": "ok", "evidence": [theirs.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "evidence" in response.json()
    assert not Appeal.objects.exists()


# --- Resolving ------------------------------------------------------------------------


def test_hr_changes_the_rating_through_the_decision_log(world, released, api_for):
    appeal = open_by_teammate(world, released)
    review = released.teammate_review
    review.refresh_from_db()
    version = review.version
    response = api_for("hr").post(
        resolve_url(appeal),
        {
            "resolution": "changed",
            "resolution_note": NOTE,
            "rubric_refs": REFS,
            "rating": "exceeds",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "resolved"
    assert body["resolution"] == "changed"
    assert (body["from_rating"], body["to_rating"]) == ("meets", "exceeds")
    assert body["rubric_refs"] == REFS
    assert body["resolved_by"] == world.hr.pk
    review.refresh_from_db()
    assert review.final_rating == "exceeds"
    assert review.version == version + 1
    entry = DecisionLog.objects.get(action="appeal_changed")
    assert entry.session == released.session
    assert entry.case == released.teammate_case
    assert entry.appeal_id == appeal.pk
    assert (entry.from_value, entry.to_value, entry.rationale) == ("meets", "exceeds", NOTE)
    assert entry.actor == world.hr.user


def test_the_session_log_shows_the_change_on_appeal(world, released, client_for):
    appeal = open_by_teammate(world, released)
    appeal_resolve(
        actor=world.hr.user,
        appeal=appeal,
        resolution="changed",
        resolution_note=NOTE,
        rubric_refs=REFS,
        rating="exceeds",
    )
    html = client_for("hr").get(f"/calibration/{released.session.pk}/log/").content.decode()
    assert "Final rating, changed on appeal after the session" in html
    assert NOTE in html
    assert "Hana HR" in html


@pytest.mark.parametrize("resolution", ["upheld", "withdrawn"])
def test_upheld_and_withdrawn_leave_the_rating_alone(world, released, api_for, resolution):
    appeal = open_by_teammate(world, released)
    response = api_for("hr").post(
        resolve_url(appeal),
        {"resolution": resolution, "resolution_note": NOTE, "rubric_refs": REFS},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["resolution"] == resolution
    assert Review.objects.get(pk=released.teammate_review.pk).final_rating == "meets"
    assert not DecisionLog.objects.filter(action="appeal_changed").exists()


def test_a_resolution_is_never_changed_and_an_appeal_never_edited(world, released, api_for):
    appeal = open_by_teammate(world, released)
    hr = api_for("hr")
    data = {"resolution": "upheld", "resolution_note": NOTE, "rubric_refs": REFS}
    assert hr.post(resolve_url(appeal), data, format="json").status_code == 200
    again = hr.post(resolve_url(appeal), {**data, "resolution": "withdrawn"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "immutable"
    for method in ("put", "patch", "delete"):
        assert (
            getattr(hr, method)(f"{URL}{appeal.pk}/", {"reason": "x"}, format="json").status_code
            == 405
        )
        assert (
            getattr(api_for("teammate"), method)(
                f"{URL}{appeal.pk}/", {}, format="json"
            ).status_code
            == 405
        )
    appeal.refresh_from_db()
    assert appeal.resolution == "upheld"


def test_only_hr_resolves(world, released, api_for):
    appeal = open_by_teammate(world, released)
    data = {"resolution": "upheld", "resolution_note": NOTE, "rubric_refs": REFS}
    for role in ("teammate", "manager", "director"):
        response = api_for(role).post(resolve_url(appeal), data, format="json")
        assert response.status_code == 403, role
    for role in ("engineer", "committee", "respondent", "no_person"):
        assert api_for(role).post(resolve_url(appeal), data, format="json").status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == "open"


def test_hr_who_wrote_the_review_or_manages_the_person_cannot_resolve_it(world, released, api_for):
    appeal = open_by_teammate(world, released)
    make_hr(world.manager)  # wrote the teammate's review
    make_hr(world.director)  # the teammate's skip-level manager
    data = {"resolution": "upheld", "resolution_note": NOTE, "rubric_refs": REFS}
    wrote = api_for("manager").post(resolve_url(appeal), data, format="json")
    assert wrote.status_code == 403
    assert "You wrote this review" in wrote.json()["detail"]
    chain = api_for("director").post(resolve_url(appeal), data, format="json")
    assert chain.status_code == 403
    assert "manager chain" in chain.json()["detail"]
    appeal.refresh_from_db()
    assert appeal.status == "open"


BAD_RESOLVE = [
    ({"resolution": "changed"}, "rating"),
    ({"resolution": "changed", "rating": "legendary"}, "rating"),
    ({"resolution": "changed", "rating": "meets"}, "rating"),
    ({"resolution": "upheld", "rating": "exceeds"}, "rating"),
    ({"resolution": "changed", "rating": "exceeds", "rubric_refs": []}, "rubric_refs"),
    (
        {
            "resolution": "changed",
            "rating": "exceeds",
            "rubric_refs": [{"level": "L9", "competency": "x"}],
        },
        "rubric_refs",
    ),
    ({"resolution": "changed", "rating": "exceeds", "resolution_note": "  "}, "resolution_note"),
    ({"resolution": "overturned"}, "resolution"),
    ({"resolution": "upheld", "rubric_refs": "L3"}, "rubric_refs"),
]


def test_a_bad_resolution_is_refused_and_nothing_changes(world, released, api_for):
    appeal = open_by_teammate(world, released)
    hr = api_for("hr")
    for data, field in BAD_RESOLVE:
        body = {"resolution_note": NOTE, "rubric_refs": REFS, **data}
        response = hr.post(resolve_url(appeal), body, format="json")
        assert response.status_code == 400, data
        assert field in response.json(), data
    appeal.refresh_from_db()
    assert appeal.status == "open"
    assert Review.objects.get(pk=released.teammate_review.pk).final_rating == "meets"
    assert not DecisionLog.objects.filter(action="appeal_changed").exists()


def test_a_review_no_session_calibrated_logs_its_change_without_a_session(world, api_for):
    from tests.calibration.appeal_routes import released_review

    made = released_review(world, name="H1 2024", year=2024, subjects=["engineer"])
    appeal = appeal_open(actor=world.engineer.user, review=made["engineer"], reason="Why?")
    response = api_for("hr").post(
        resolve_url(appeal),
        {
            "resolution": "changed",
            "resolution_note": NOTE,
            "rubric_refs": [{"level": "L4", "competency": "execution"}],
            "rating": "exceeds",
        },
        format="json",
    )
    assert response.status_code == 200
    entry = DecisionLog.objects.get(action="appeal_changed")
    assert entry.session is None and entry.case is None and entry.appeal_id == appeal.pk


def test_the_decision_log_stays_append_only_in_the_database(world, released):
    """Migration 0004 rebuilds the log's table on SQLite; its triggers must survive."""
    appeal = open_by_teammate(world, released)
    appeal_resolve(
        actor=world.hr.user,
        appeal=appeal,
        resolution="changed",
        resolution_note=NOTE,
        rubric_refs=REFS,
        rating="exceeds",
    )
    for sql in (
        "UPDATE calibration_decisionlog SET to_value = 'below'",
        "DELETE FROM calibration_decisionlog",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert DecisionLog.objects.filter(action="appeal_changed", to_value="exceeds").exists()


def test_the_list_runs_the_same_queries_for_one_appeal_as_for_many(
    world, released, api_for, django_assert_max_num_queries
):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    open_by_teammate(world, released)
    hr = api_for("hr")
    with CaptureQueriesContext(conn) as one:
        assert hr.get(URL).status_code == 200
    for person in ("engineer", "other_engineer"):
        appeal_open(
            actor=getattr(world, person).user,
            review=Review.objects.get(cycle=released.cycle, subject=getattr(world, person)),
            reason="Please look again.",
        )
    with django_assert_max_num_queries(len(one)):
        body = hr.get(URL).json()
    assert body["count"] == 3
