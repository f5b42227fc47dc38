"""What each role sees of a person, in every place a person appears (SPEC §3, issue #10.1).

A teammate or feedback respondent: id, full_name, team. A committee member: id, full_name,
team, level of their subjects, while the session is open. Self, the chain and HR: the whole
record. Filters never tell more than the fields do.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from calibration import services as calibration
from calibration.models import CalibrationCase
from org import services as org_services
from reviews.services.feedback import feedback_request_create
from tests.factories import make_person
from tests.reviews.conftest import make_cycle

URL = "/api/v1/people/"

FULL = {
    "id",
    "username",
    "full_name",
    "email",
    "team",
    "function",
    "manager",
    "ladder",
    "level",
    "is_hr",
    "is_active",
    "employee_id",
    "start_date",
    "location",
}
SUBJECT = {"id", "full_name", "team", "level"}
BASIC = {"id", "full_name", "team"}


def api(person) -> APIClient:
    c = APIClient()
    c.force_authenticate(person.user)
    return c


def listed(client: APIClient, **params) -> dict[int, set[str]]:
    """id → the keys of that person's object, over every page."""
    body = client.get(URL, {"page_size": 200, **params}).json()
    return {row["id"]: set(row) for row in body["results"]}


def detail_keys(client: APIClient, person) -> set[str] | None:
    r = client.get(f"{URL}{person.pk}/")
    if r.status_code == 404:
        return None
    assert r.status_code == 200
    return set(r.json())


@pytest.fixture
def respondent(world):
    """Someone on another team, asked by the manager for feedback on the engineer."""
    design = org_services.team_create(actor=world.root, name="Design", slug="design")
    rita = make_person(world.root, "respondent", team=design, full_name="Rita Respondent")
    feedback_request_create(
        actor=world.manager.user,
        cycle=make_cycle(world, name="Feedback cycle"),
        subject=world.engineer,
        respondent=rita,
        relationship="cross_functional",
    )
    return rita


@pytest.mark.parametrize(
    ("viewer", "seen", "keys"),
    [
        ("engineer", "engineer", FULL),
        ("engineer", "teammate", BASIC),
        ("engineer", "manager", BASIC),
        ("engineer", "other_engineer", None),
        ("teammate", "engineer", BASIC),
        ("manager", "engineer", FULL),
        ("manager", "teammate", FULL),
        ("director", "engineer", FULL),
        ("director", "other_engineer", FULL),
        ("hr", "engineer", FULL),
        ("hr", "director", FULL),
    ],
)
def test_detail_and_list_give_each_role_its_fields(world, viewer, seen, keys):
    client = api(getattr(world, viewer))
    person = getattr(world, seen)
    assert detail_keys(client, person) == keys
    assert listed(client).get(person.pk) == keys


def test_a_committee_member_sees_name_team_and_level_of_subjects_while_open(world):
    calib = world.calib
    member = api(world.other_manager)  # on Team A's committee, outside Team A's chain
    for subject in (world.engineer, world.teammate):
        assert detail_keys(member, subject) == SUBJECT
        assert listed(member)[subject.pk] == SUBJECT
    body = member.get(f"{URL}{world.engineer.pk}/").json()
    assert body == {
        "id": world.engineer.pk,
        "full_name": "Erin Engineer",
        "team": world.team_a.pk,
        "level": "L4",
    }
    # Their own report stays a whole record.
    assert detail_keys(member, world.other_engineer) == FULL
    assert calib.session.status == "open"


def test_after_finalize_the_committee_no_longer_sees_its_subjects(world):
    calib = world.calib
    member = api(world.manager)  # Team B's committee: other_engineer is the subject
    assert detail_keys(member, world.other_engineer) == SUBJECT
    case = CalibrationCase.objects.get(session=calib.other_session)
    calibration.case_decide(
        actor=world.manager.user, case=case, version=case.version, calibrated_rating="meets"
    )
    calibration.session_finalize(actor=world.hr.user, session=calib.other_session)
    assert detail_keys(member, world.other_engineer) is None
    assert world.other_engineer.pk not in listed(member)


def test_a_feedback_respondent_sees_only_name_and_team_of_the_subject(world, respondent):
    client = api(respondent)
    assert detail_keys(client, world.engineer) == BASIC
    assert detail_keys(client, world.teammate) is None
    assert listed(client) == {respondent.pk: FULL, world.engineer.pk: BASIC}
    # …and the people they were asked by do not learn the respondent's record either.
    assert detail_keys(api(world.engineer), respondent) is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "L3"}, "level"),
        ({"function": "Frontend"}, "function"),
        ({"ladder": None}, "ladder"),
        ({"manager": None}, "manager"),
        ({"is_active": "true"}, "is_active"),
    ],
)
def test_filters_on_hidden_fields_match_only_rows_where_the_field_is_visible(world, params, field):
    params = {
        k: (world.ladder.pk if k == "ladder" else world.manager.pk) if v is None else v
        for k, v in params.items()
    }
    engineer = api(world.engineer)
    # The teammate's level (L3), function, ladder, manager and status are not the
    # engineer's to know, so filtering on them never returns the teammate.
    assert world.teammate.pk not in listed(engineer, **params)
    # The manager sees the whole record, so the same filter finds the teammate.
    assert world.teammate.pk in listed(api(world.manager), **params)


def test_an_engineer_filtering_by_their_own_level_finds_only_themself(world):
    assert set(listed(api(world.engineer), level="L4")) == {world.engineer.pk}
    assert set(listed(api(world.engineer), level="L3")) == set()


def test_a_committee_member_may_filter_subjects_by_level(world):
    world.calib  # noqa: B018 - builds the open sessions
    found = listed(api(world.other_manager), level="L4")
    assert set(found) == {world.engineer.pk}
    # …but not by a field a subject's row does not show.
    assert world.engineer.pk not in listed(api(world.other_manager), function="Backend")


def test_the_schema_still_validates(world):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


# --- Pages and choice lists -----------------------------------------------------------


def test_the_respondent_picker_gives_names_and_teams_only(world, client_for):
    make_cycle(world)
    page = client_for("engineer").get("/feedback/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Olga Otherengineer (Team B)" in html
    for hidden in ("otherengineer@example.org", "teammate@example.org", "SRE", "Frontend"):
        assert hidden not in html


def test_the_answer_page_shows_the_respondent_the_subjects_name_only(world, respondent):
    from django.test import Client

    from reviews.models import FeedbackRequest

    fb = FeedbackRequest.objects.get(respondent=respondent)
    c = Client()
    c.force_login(respondent.user)
    page = c.get(f"/feedback/{fb.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Erin Engineer" in html
    for hidden in ("engineer@example.org", "Backend", "L4"):
        assert hidden not in html


def test_a_deactivated_person_keeps_the_same_fields(world):
    org_services.person_update(actor=world.hr.user, person=world.teammate, is_active=False)
    assert detail_keys(api(world.engineer), world.teammate) == BASIC
    assert detail_keys(api(world.manager), world.teammate) == FULL


# --- Nested people ---------------------------------------------------------------------


def test_nested_people_in_evidence_and_the_decision_log_are_person_ids(world):
    calib = world.calib
    member = api(world.other_manager)
    items = member.get("/api/v1/evidence/", {"person": world.engineer.pk}).json()["results"]
    assert items
    # The engineer's manager added them: a committee member gets an id, not a login name.
    assert {item["added_by"] for item in items} == {world.manager.pk}
    calibration.case_decide(
        actor=world.other_manager.user,
        case=calib.teammate_case,
        version=calib.teammate_case.version,
        calibrated_rating="meets",
    )
    log = member.get(f"/api/v1/calibration-sessions/{calib.session.pk}/log/").json()
    entries = log["results"] if isinstance(log, dict) else log
    assert {e["actor"] for e in entries} == {world.hr.pk, world.other_manager.pk}
