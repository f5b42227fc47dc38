from __future__ import annotations

import pytest
from django.test import Client

from org import services
from org.models import DemographicAnswer


def test_login_with_csrf_and_land_on_home(world):
    c = Client(enforce_csrf_checks=True)
    page = c.get("/login/")
    token = page.cookies["csrftoken"].value
    r = c.post(
        "/login/",
        {"username": "engineer", "password": "pw-for-tests", "csrfmiddlewaretoken": token},
    )
    assert r.status_code == 302 and r["Location"] == "/"
    home = c.get("/")
    assert "Erin Engineer" in home.content.decode()


def test_login_without_csrf_token_is_refused(world):
    c = Client(enforce_csrf_checks=True)
    r = c.post("/login/", {"username": "engineer", "password": "pw-for-tests"})
    assert r.status_code == 403


def test_wrong_password_shows_the_form_again(world):
    r = Client().post("/login/", {"username": "engineer", "password": "wrong"})
    assert r.status_code == 200
    assert r.context["form"].errors


def test_repeated_failures_lock_the_login(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    c = Client()
    for _ in range(3):
        c.post("/login/", {"username": "engineer", "password": "wrong"})
    r = c.post("/login/", {"username": "engineer", "password": "pw-for-tests"})
    assert r.status_code == 429
    assert "Too many failed sign-in attempts" in r.content.decode()


def test_home_points_an_engineer_at_their_level(world, client_for):
    r = client_for("engineer").get("/")
    assert r.context["my_ladder"] == world.ladder
    assert "/rubrics/engineering-ic/levels/L4/" in r.content.decode()


def test_home_lists_a_managers_direct_reports(world, client_for):
    r = client_for("manager").get("/")
    assert [p.full_name for p in r.context["reports"]] == ["Erin Engineer", "Toby Teammate"]
    assert r.context["user_is_manager"] is True


def test_home_gives_hr_the_back_office_links(world, client_for):
    r = client_for("hr").get("/")
    assert r.context["user_is_hr"] is True
    assert "/admin/org/person/" in r.content.decode()
    assert "/admin/org/person/" not in client_for("engineer").get("/").content.decode()


def test_about_me_shows_team_manager_level(world, client_for):
    r = client_for("engineer").get("/me/")
    html = r.content.decode()
    for text in ("Team A", "Mia Manager", "L4", "Engineering IC"):
        assert text in html
    assert [p.full_name for p in r.context["chain"]] == ["Dana Director", "Mia Manager"]


@pytest.fixture
def gender(world):
    return services.dimension_save(
        actor=world.root, key="gender", label="Gender", values=["woman", "man", "non-binary"]
    )


def test_about_me_saves_and_clears_own_answers(world, gender, client_for):
    c = client_for("engineer")
    r = c.post("/me/", {"gender": "non-binary"})
    assert r.status_code == 302
    assert DemographicAnswer.objects.get(person=world.engineer).value == "non-binary"
    assert c.get("/me/").context["form"].initial == {"gender": "non-binary"}
    c.post("/me/", {"clear": "1"})
    assert not DemographicAnswer.objects.filter(person=world.engineer).exists()


def test_about_me_refuses_values_outside_the_list(world, gender, client_for):
    r = client_for("engineer").post("/me/", {"gender": "martian"})
    assert r.status_code == 200
    assert r.context["form"].errors
    assert not DemographicAnswer.objects.exists()


def test_about_me_only_ever_changes_the_signed_in_person(world, gender, client_for):
    client_for("manager").post("/me/", {"gender": "man", "person": world.engineer.pk})
    assert list(DemographicAnswer.objects.values_list("person_id", flat=True)) == [world.manager.pk]


def test_logout_is_a_post(world, client_for):
    c = client_for("engineer")
    assert c.get("/logout/").status_code == 405
    assert c.post("/logout/").status_code == 302
    assert c.get("/").status_code == 302
