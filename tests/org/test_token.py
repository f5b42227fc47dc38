from __future__ import annotations

import io

from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def test_token_login_and_use(world):
    c = APIClient()
    r = c.post(
        "/api/v1/auth/token/", {"username": "engineer", "password": "pw-for-tests"}, format="json"
    )
    assert r.status_code == 200
    token = r.json()["token"]
    c2 = APIClient()
    c2.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert c2.get("/api/v1/people/").status_code == 200


def test_wrong_password_is_refused(world):
    r = APIClient().post(
        "/api/v1/auth/token/", {"username": "engineer", "password": "nope"}, format="json"
    )
    assert r.status_code in (400, 401, 403)
    assert "token" not in r.json()


def test_missing_fields_answer_400(world):
    r = APIClient().post("/api/v1/auth/token/", {"username": "engineer"}, format="json")
    assert r.status_code == 400 and "password" in r.json()


def test_anonymous_api_answers_401_with_a_challenge(world):
    r = APIClient().get("/api/v1/people/")
    assert r.status_code == 401
    assert r["WWW-Authenticate"].startswith("Token")


def test_drf_create_token_command_works(world):
    out = io.StringIO()
    call_command("drf_create_token", "engineer", stdout=out)
    from rest_framework.authtoken.models import Token

    key = Token.objects.get(user__username="engineer").key
    assert key in out.getvalue()
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert c.get("/api/v1/people/").status_code == 200


def test_login_is_throttled_after_repeated_failures(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    c = APIClient()
    for _ in range(3):
        c.post("/api/v1/auth/token/", {"username": "engineer", "password": "bad"}, format="json")
    r = c.post(
        "/api/v1/auth/token/", {"username": "engineer", "password": "pw-for-tests"}, format="json"
    )
    assert r.status_code in (403, 429)
    assert "token" not in r.json()


def test_who_am_i_names_the_login_a_token_belongs_to(world):
    token = Token.objects.create(user=world.engineer.user)
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = c.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json() == {"id": world.engineer.user.pk, "username": "engineer"}
