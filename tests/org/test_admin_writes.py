"""HR's edits in the admin go through the same services as the API: the same rules, with
the same messages, and the same Activity row. A refused edit writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from org import services
from org.models import Activity, DemographicDimension, Team
from tests.org.admin_helpers import activity_rows, admin_form_data, last_activity_id

TEAMS = "/api/v1/teams/"
DIMENSIONS = "/api/v1/demographic-dimensions/"


def _team_change(client, team, **changes):
    url = reverse("admin:org_team_change", args=[team.pk])
    return client.post(url, admin_form_data(client.get(url), **changes))


@pytest.mark.parametrize("via", ["api", "admin"])
def test_a_team_edit_records_the_same_activity_either_way(world, api_for, client_for, via):
    before = last_activity_id()
    if via == "api":
        r = api_for("hr").patch(
            f"{TEAMS}{world.team_a.pk}/", {"name": "Team Alpha", "slug": "alpha"}, format="json"
        )
        assert r.status_code == 200
    else:
        r = _team_change(client_for("hr"), world.team_a, name="Team Alpha", slug="alpha")
        assert r.status_code == 302

    assert activity_rows(before) == [
        {
            "actor__username": "hr",
            "action": Activity.Action.TEAM_UPDATED,
            "target_type": "org.team",
            "target_id": str(world.team_a.pk),
            "old": {"name": "Team A", "slug": "team-a", "parent": world.eng.pk},
            "new": {"name": "Team Alpha", "slug": "alpha", "parent": world.eng.pk},
        }
    ]


@pytest.mark.parametrize("via", ["api", "admin"])
def test_a_new_team_records_the_same_activity_either_way(world, api_for, client_for, via):
    before = last_activity_id()
    body = {"name": "Team C", "slug": "team-c", "parent": world.eng.pk}
    if via == "api":
        assert api_for("hr").post(TEAMS, body, format="json").status_code == 201
    else:
        c, url = client_for("hr"), reverse("admin:org_team_add")
        assert c.post(url, admin_form_data(c.get(url), **body)).status_code == 302

    team = Team.objects.get(slug="team-c")
    assert team.parent_id == world.eng.pk
    assert activity_rows(before) == [
        {
            "actor__username": "hr",
            "action": Activity.Action.TEAM_CREATED,
            "target_type": "org.team",
            "target_id": str(team.pk),
            "old": None,
            "new": {"name": "Team C"},
        }
    ]


@pytest.mark.parametrize(
    ("team", "changes", "message"),
    [
        ("eng", {"parent": "team_a"}, "A team cannot sit inside itself."),
        ("team_a", {"slug": "team-b"}, "A team with this slug already exists."),
    ],
)
def test_the_admin_refuses_a_team_edit_the_api_refuses(world, client_for, team, changes, message):
    target = getattr(world, team)
    changes = {k: getattr(world, v).pk if k == "parent" else v for k, v in changes.items()}
    before = last_activity_id()

    r = _team_change(client_for("hr"), target, **changes)

    assert r.status_code == 200
    assert message in r.content.decode()
    assert activity_rows(before) == []
    fresh = Team.objects.get(pk=target.pk)
    assert (fresh.slug, fresh.parent_id) == (target.slug, target.parent_id)


@pytest.fixture
def gender(world):
    return services.dimension_save(
        actor=world.root, key="gender", label="Gender", values=["woman", "man"], order=1
    )


def _dimension_change(client, dimension, **changes):
    url = reverse("admin:org_demographicdimension_change", args=[dimension.pk])
    return client.post(url, admin_form_data(client.get(url), **changes))


@pytest.mark.parametrize("via", ["api", "admin"])
def test_a_dimension_edit_records_the_same_activity_either_way(
    world, gender, api_for, client_for, via
):
    before = last_activity_id()
    values = ["woman", "man", " non-binary "]
    if via == "api":
        r = api_for("hr").patch(f"{DIMENSIONS}{gender.pk}/", {"values": values}, format="json")
        assert r.status_code == 200
    else:
        r = _dimension_change(client_for("hr"), gender, values='["woman", "man", " non-binary "]')
        assert r.status_code == 302

    gender.refresh_from_db()
    assert gender.values == ["woman", "man", "non-binary"]  # stripped by the service
    assert activity_rows(before) == [
        {
            "actor__username": "hr",
            "action": Activity.Action.DIMENSION_SAVED,
            "target_type": "org.demographicdimension",
            "target_id": str(gender.pk),
            "old": None,
            "new": {"key": "gender", "values": ["woman", "man", "non-binary"]},
        }
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"values": '["woman", "woman"]'}, "Values must be distinct."),
        ({"values": '["woman", " "]'}, "Each value is a non-empty text of 120 characters"),
        ({"values": '{"woman": 1}'}, "Give at least one allowed value."),
        ({"key": "age"}, "A dimension with this key already exists."),
    ],
)
def test_the_admin_refuses_a_dimension_edit_the_api_refuses(
    world, gender, client_for, changes, message
):
    services.dimension_save(actor=world.root, key="age", label="Age", values=["<30", "30+"])
    before = last_activity_id()

    r = _dimension_change(client_for("hr"), gender, **changes)

    assert r.status_code == 200
    assert message in r.content.decode()
    assert activity_rows(before) == []
    gender.refresh_from_db()
    assert (gender.key, gender.values) == ("gender", ["woman", "man"])
    assert DemographicDimension.objects.count() == 2


def test_an_admin_person_edit_records_the_same_activity_as_the_api(world, client_for):
    url = reverse("admin:org_person_change", args=[world.teammate.pk])
    c = client_for("hr")
    before = last_activity_id()

    r = c.post(url, admin_form_data(c.get(url), level="L5"))

    assert r.status_code == 302
    [row] = activity_rows(before)
    assert row["action"] == Activity.Action.PERSON_UPDATED
    assert (row["actor__username"], row["target_id"]) == ("hr", str(world.teammate.pk))
    assert (row["old"]["level"], row["new"]["level"]) == ("L3", "L5")
