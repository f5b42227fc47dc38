from __future__ import annotations

from org.models import Team

URL = "/api/v1/teams/"


def test_every_signed_in_person_reads_the_team_tree(world, api_for):
    body = api_for("engineer").get(URL, {"page_size": 200}).json()
    assert {t["slug"] for t in body["results"]} == {"engineering", "team-a", "team-b", "people"}
    team_a = next(t for t in body["results"] if t["slug"] == "team-a")
    assert team_a == {
        "id": world.team_a.pk,
        "name": "Team A",
        "slug": "team-a",
        "parent": world.eng.pk,
        "description": "",
    }


def test_hr_creates_and_moves_teams(world, api_for):
    c = api_for("hr")
    r = c.post(URL, {"name": "Team C", "slug": "team-c", "parent": world.eng.pk}, format="json")
    assert r.status_code == 201
    r = c.patch(f"{URL}{r.json()['id']}/", {"parent": world.team_a.pk}, format="json")
    assert r.json()["parent"] == world.team_a.pk


def test_a_team_cannot_move_inside_itself(world, api_for):
    r = api_for("hr").patch(f"{URL}{world.eng.pk}/", {"parent": world.team_a.pk}, format="json")
    assert r.status_code == 400 and "parent" in r.json()
    world.eng.refresh_from_db()
    assert world.eng.parent_id is None


def test_bad_team_input_writes_nothing(world, api_for):
    c = api_for("hr")
    before = Team.objects.count()
    for body in (
        {"name": "X", "slug": "team-a"},  # duplicate slug
        {"name": "X", "slug": "not a slug"},
        {"name": "X" * 500, "slug": "x"},
        {"name": "X", "slug": "x", "parent": 424242},
        {"name": ["X"], "slug": "x"},
    ):
        r = c.post(URL, body, format="json")
        assert r.status_code == 400, body
    assert Team.objects.count() == before
