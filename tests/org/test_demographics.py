from __future__ import annotations

import pytest

from org import services
from org.models import DemographicAnswer


@pytest.fixture
def dims(world):
    return [
        services.dimension_save(
            actor=world.root, key="gender", label="Gender", values=["woman", "man", "non-binary"]
        ),
        services.dimension_save(
            actor=world.root, key="age_band", label="Age band", values=["under 30", "30 and over"]
        ),
    ]


def url(person) -> str:
    return f"/api/v1/people/{person.pk}/demographics/"


def test_a_person_sets_and_reads_their_own_answers(world, dims, api_for):
    c = api_for("engineer")
    r = c.put(
        url(world.engineer),
        {"attributes": {"gender": "woman", "age_band": "under 30"}},
        format="json",
    )
    assert r.status_code == 200
    assert c.get(url(world.engineer)).json() == {
        "attributes": {"gender": "woman", "age_band": "under 30"}
    }


def test_prefer_not_to_say_is_always_allowed_and_clearing_removes_answers(world, dims, api_for):
    c = api_for("engineer")
    c.put(url(world.engineer), {"attributes": {"gender": "prefer not to say"}}, format="json")
    assert DemographicAnswer.objects.get(person=world.engineer).value == "prefer not to say"
    c.put(url(world.engineer), {"attributes": {"gender": None}}, format="json")
    assert not DemographicAnswer.objects.filter(person=world.engineer).exists()


def test_hr_reads_and_writes_anyones_answers(world, dims, api_for):
    c = api_for("hr")
    assert (
        c.put(url(world.teammate), {"attributes": {"gender": "man"}}, format="json").status_code
        == 200
    )
    assert c.get(url(world.teammate)).json()["attributes"] == {"gender": "man"}


@pytest.mark.parametrize("role", ["manager", "other_manager"])
def test_managers_never_see_their_reports_answers(world, dims, api_for, role):
    services.demographics_set(
        actor=world.engineer.user, person=world.engineer, attributes={"gender": "woman"}
    )
    assert api_for(role).get(url(world.engineer)).status_code == 404
    r = api_for(role).put(url(world.engineer), {"attributes": {"gender": "man"}}, format="json")
    assert r.status_code == 404
    assert DemographicAnswer.objects.get(person=world.engineer).value == "woman"


def test_another_engineers_answers_answer_404(world, dims, api_for):
    assert api_for("engineer").get(url(world.teammate)).status_code == 404


@pytest.mark.parametrize(
    "attributes",
    [
        {"gender": "martian"},
        {"shoe_size": "42"},
        {"gender": ["woman"]},
        {"gender": "w" * 500},
    ],
)
def test_values_outside_the_allowed_list_answer_400_and_write_nothing(
    world, dims, api_for, attributes
):
    c = api_for("engineer")
    c.put(url(world.engineer), {"attributes": {"age_band": "under 30"}}, format="json")
    r = c.put(url(world.engineer), {"attributes": attributes}, format="json")
    assert r.status_code == 400
    assert "attributes" in r.json()
    assert c.get(url(world.engineer)).json()["attributes"] == {"age_band": "under 30"}


def test_bad_body_shapes_answer_400(world, dims, api_for):
    c = api_for("engineer")
    assert c.put(url(world.engineer), {"attributes": "woman"}, format="json").status_code == 400
    assert c.put(url(world.engineer), {}, format="json").status_code == 400
    assert c.put(url(world.engineer), [1, 2], format="json").status_code == 400


def test_answers_never_appear_in_the_people_api(world, dims, api_for):
    services.demographics_set(
        actor=world.engineer.user, person=world.engineer, attributes={"gender": "non-binary"}
    )
    for role in ("engineer", "manager", "hr"):
        assert "non-binary" not in api_for(role).get("/api/v1/people/").content.decode()


def test_dimensions_list_shows_allowed_values_and_hr_edits_them(world, dims, api_for):
    body = api_for("engineer").get("/api/v1/demographic-dimensions/").json()
    assert [d["key"] for d in body["results"]] == ["age_band", "gender"] or [
        d["key"] for d in body["results"]
    ] == ["gender", "age_band"]
    r = api_for("hr").post(
        "/api/v1/demographic-dimensions/",
        {"key": "gender", "label": "Again", "values": ["x"]},
        format="json",
    )
    assert r.status_code == 400 and "key" in r.json()
    r = api_for("hr").post(
        "/api/v1/demographic-dimensions/",
        {"key": "caregiver", "label": "Caregiver", "values": []},
        format="json",
    )
    assert r.status_code == 400


def test_changes_are_logged_without_the_values(world, dims):
    from org.models import Activity

    services.demographics_set(
        actor=world.engineer.user, person=world.engineer, attributes={"gender": "woman"}
    )
    entry = Activity.objects.filter(action="demographics_updated").latest("id")
    assert "woman" not in str(entry.new) and entry.new == {"dimensions_answered": ["gender"]}
