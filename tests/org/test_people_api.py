from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.models import Activity, Person, User
from tests.factories import bulk_people

# Some of these count what building an answer costs: every request builds it.
pytestmark = pytest.mark.usefixtures("page_cache_off")

URL = "/api/v1/people/"


def names(response) -> set[str]:
    # Usernames are not shown to everyone (test_person_fields.py): look them up by id.
    ids = [p["id"] for p in response.json()["results"]]
    return set(Person.objects.filter(pk__in=ids).values_list("user__username", flat=True))


def test_engineer_sees_self_and_own_team_only(world, api_for):
    r = api_for("engineer").get(URL)
    assert r.status_code == 200
    assert names(r) == {"engineer", "teammate", "manager"}


def test_manager_sees_whole_chain_and_team(world, api_for):
    assert names(api_for("manager").get(URL)) == {"manager", "engineer", "teammate"}
    assert "otherengineer" not in names(api_for("manager").get(URL))


def test_director_sees_everyone_below_at_any_depth(world, client_for):
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(world.director.user)
    assert names(c.get(URL)) == {
        "director",
        "manager",
        "othermanager",
        "engineer",
        "teammate",
        "otherengineer",
    }


def test_hr_sees_everyone(world, api_for):
    r = api_for("hr").get(URL)
    assert r.json()["count"] == Person.objects.count()


def test_list_is_paginated_and_filterable(world, api_for):
    c = api_for("hr")
    body = c.get(URL, {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == 2 and body["next"]
    assert names(c.get(URL, {"team": world.team_b.pk})) == {"othermanager", "otherengineer"}
    assert names(c.get(URL, {"manager": world.manager.pk})) == {"engineer", "teammate"}
    assert names(c.get(URL, {"level": "l5"})) == {"otherengineer"}
    assert names(c.get(URL, {"search": "toby"})) == {"teammate"}


def test_filters_never_widen_visibility(world, api_for):
    assert names(api_for("engineer").get(URL, {"team": world.team_b.pk})) == set()


def test_person_fields_are_those_of_the_contract(world, api_for):
    body = api_for("hr").get(f"{URL}{world.engineer.pk}/").json()
    assert body == {
        "id": world.engineer.pk,
        "username": "engineer",
        "full_name": "Erin Engineer",
        "email": "engineer@example.org",
        "team": world.team_a.pk,
        "function": "Backend",
        "manager": world.manager.pk,
        "ladder": world.ladder.pk,
        "level": "L4",
        "is_hr": False,
        "is_active": True,
        "employee_id": "",
        "start_date": None,
        "location": "",
    }
    assert api_for("hr").get(f"{URL}{world.hr.pk}/").json()["is_hr"] is True


def test_hr_creates_a_person_with_a_login_user_without_password(world, api_for):
    r = api_for("hr").post(
        URL,
        {
            "username": "newbie",
            "full_name": "New Bie",
            "email": "newbie@example.org",
            "team": world.team_a.pk,
            "manager": world.manager.pk,
            "ladder": world.ladder.pk,
            "level": "L3",
            "function": "Backend",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    user = User.objects.get(username="newbie")
    assert not user.has_usable_password()
    assert r.json()["manager"] == world.manager.pk
    assert Activity.objects.filter(action="person_created", target_id=str(r.json()["id"])).exists()
    # the new report is now in the manager's chain
    assert "newbie" in names(api_for("manager").get(URL))


def test_hr_can_grant_and_remove_the_hr_role(world, api_for):
    c = api_for("hr")
    assert c.patch(f"{URL}{world.teammate.pk}/", {"is_hr": True}, format="json").json()["is_hr"]
    assert User.objects.get(username="teammate").groups.filter(name="HR").exists()
    assert not c.patch(f"{URL}{world.teammate.pk}/", {"is_hr": False}, format="json").json()[
        "is_hr"
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "x", "full_name": "X", "team": 999999}, "team"),
        ({"username": "x", "full_name": "X", "manager": 999999}, "manager"),
        ({"username": "x", "full_name": "X", "ladder": "abc"}, "ladder"),
        ({"username": "engineer", "full_name": "Dup"}, "username"),
        ({"username": "bad name!", "full_name": "X"}, "username"),
        ({"username": "x", "full_name": "X" * 5000}, "full_name"),
        ({"username": "x", "full_name": "X", "email": "not-an-email"}, "email"),
        ({"username": "x", "full_name": "X", "level": "L4"}, "level"),
        ({"full_name": "X"}, "username"),
    ],
)
def test_bad_person_input_is_refused_and_writes_nothing(world, api_for, body, field):
    before = (Person.objects.count(), User.objects.count())
    r = api_for("hr").post(URL, body, format="json")
    assert r.status_code == 400
    assert field in r.json()
    assert (Person.objects.count(), User.objects.count()) == before


def test_level_must_exist_on_the_ladder(world, api_for):
    r = api_for("hr").patch(f"{URL}{world.engineer.pk}/", {"level": "L9"}, format="json")
    assert r.status_code == 400
    assert "L9" in r.json()["level"][0] and "L3" in r.json()["level"][0]
    world.engineer.refresh_from_db()
    assert world.engineer.level == "L4"


def test_manager_loops_are_refused(world, api_for):
    r = api_for("hr").patch(
        f"{URL}{world.manager.pk}/", {"manager": world.engineer.pk}, format="json"
    )
    assert r.status_code == 400 and "manager" in r.json()
    world.manager.refresh_from_db()
    assert world.manager.parent_id == world.director.pk


def test_username_cannot_change(world, api_for):
    r = api_for("hr").patch(f"{URL}{world.engineer.pk}/", {"username": "renamed"}, format="json")
    assert r.status_code == 400
    assert User.objects.filter(username="engineer").exists()


def test_malformed_json_answers_400(world, api_for):
    r = api_for("hr").generic("POST", URL, '{"username": ', content_type="application/json")
    assert r.status_code == 400
    assert "detail" in r.json()


def test_unknown_and_garbage_ids_answer_404(world, api_for):
    c = api_for("hr")
    assert c.get(f"{URL}999999/").status_code == 404
    assert c.get(f"{URL}99999999999999999999999/").status_code == 404


def _count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, {"page_size": 200}).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_people_list_queries_do_not_grow_with_people(world, api_for, role):
    c = api_for(role)
    c.get(URL)  # warm the per-user role cache so both measurements are alike
    bulk_people(world.root, world.team_a, world.manager, 10, ladder=world.ladder, level="L3")
    small = _count_list_queries(c)
    bulk_people(world.root, world.team_b, world.manager, 90, ladder=world.ladder, level="L4")
    large = _count_list_queries(c)
    assert c.get(URL).json()["count"] >= 100
    assert large == small
