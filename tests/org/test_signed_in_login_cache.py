"""The signed-in login is kept per data version (core/auth.py): what a user would notice
is only that a change to a login counts at the very next request."""

from __future__ import annotations

from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from org.models import User


def _session_client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="core.auth.CachedModelBackend")
    return client


def test_a_deactivated_login_is_signed_out_at_the_next_request(world):
    client = _session_client(world.engineer.user)
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200  # now kept

    User.objects.filter(pk=world.engineer.user.pk).update(is_active=False)

    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert client.get("/").status_code == 302


def test_a_changed_password_ends_other_sessions_at_once(world):
    client = _session_client(world.engineer.user)
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200

    user = User.objects.get(pk=world.engineer.user.pk)
    user.set_password("a-new-password-for-tests")
    user.save()

    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_a_deleted_token_is_refused_at_the_next_request(world):
    token = Token.objects.create(user=world.engineer.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/").json()["username"] == "engineer"
    assert client.get("/api/v1/me/").status_code == 200  # now kept

    token.delete()

    assert client.get("/api/v1/me/").status_code == 401


def test_what_a_request_sets_on_its_user_does_not_reach_the_next(world):
    client = _session_client(world.engineer.user)
    first = client.get("/api/v1/me/").wsgi_request.user
    first.username = "changed-in-memory-only"
    assert client.get("/api/v1/me/").json()["username"] == "engineer"
