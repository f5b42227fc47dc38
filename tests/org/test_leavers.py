"""Leavers lose access at once (SPEC §10.3): deactivating a login, whichever way, ends its
open sessions and deletes its API tokens in the same transaction; the next request is
refused (the sign-in page, or 401 from the API)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from org import services
from org.models import SignIn, User


def _signed_in(world, times: int = 2) -> list[Client]:
    clients = []
    for _ in range(times):
        client = Client()
        client.force_login(world.engineer.user)
        assert client.get("/").status_code == 200
        clients.append(client)
    return clients


def _token_client(world) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.engineer.user)}")
    assert api.get("/api/v1/me/").status_code == 200
    return api


def _refused(browsers: list[Client], api: APIClient) -> None:
    for browser in browsers:
        page = browser.get("/")
        assert page.status_code == 302 and page["Location"].startswith("/login/")
        assert browser.get("/api/v1/me/").status_code in (401, 403)
    assert api.get("/api/v1/me/").status_code == 401


def _nothing_left(user: User) -> None:
    assert not SignIn.objects.filter(user=user).exists()
    assert not Token.objects.filter(user=user).exists()
    for session in Session.objects.all():
        assert session.get_decoded().get("_auth_user_id") != str(user.pk)


def test_hr_deactivating_someone_through_the_api_signs_them_out_everywhere(world, api_for):
    browsers, api = _signed_in(world), _token_client(world)
    answer = api_for("hr").patch(
        f"/api/v1/people/{world.engineer.pk}/", {"is_active": False}, format="json"
    )
    assert answer.status_code == 200
    _refused(browsers, api)
    _nothing_left(world.engineer.user)


def test_deactivating_the_login_itself_ends_its_sessions_and_tokens(world):
    # What the admin and a shell do: save the login with is_active off.
    browsers, api = _signed_in(world), _token_client(world)
    user = User.objects.get(pk=world.engineer.user.pk)
    user.is_active = False
    user.save()
    _refused(browsers, api)
    _nothing_left(user)


def test_when_the_deactivation_is_rolled_back_the_sessions_stay(world):
    browsers, api = _signed_in(world, times=1), _token_client(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.person_update(actor=world.hr.user, person=world.engineer, is_active=False)
        raise RuntimeError("the rest of the change failed")
    assert browsers[0].get("/").status_code == 200
    assert api.get("/api/v1/me/").status_code == 200


def test_other_changes_to_a_login_keep_its_sessions(world):
    browsers, api = _signed_in(world, times=1), _token_client(world)
    services.person_update(actor=world.hr.user, person=world.engineer, full_name="Erin Renamed")
    user = User.objects.get(pk=world.engineer.user.pk)
    user.first_name = "Erin"
    user.save()
    assert browsers[0].get("/").status_code == 200
    assert api.get("/api/v1/me/").status_code == 200
    # Other people's sessions are never touched.
    other = Client()
    other.force_login(world.manager.user)
    services.person_update(actor=world.hr.user, person=world.engineer, is_active=False)
    assert other.get("/").status_code == 200


def test_signing_out_forgets_the_session(world):
    browser = _signed_in(world, times=1)[0]
    assert SignIn.objects.filter(user=world.engineer.user).count() == 1
    home = browser.get("/")
    assert home.status_code == 200
    browser.post("/logout/")
    assert not SignIn.objects.filter(user=world.engineer.user).exists()


def test_a_superuser_deactivates_a_login_in_the_admin_and_its_sessions_end(world, client_for):
    browsers, api = _signed_in(world), _token_client(world)
    admin = client_for("superuser")
    user = world.engineer.user
    url = f"/admin/org/user/{user.pk}/change/"
    assert admin.get(url).status_code == 200
    joined = user.date_joined
    answer = admin.post(
        url,
        {
            "username": user.username,
            "first_name": "",
            "last_name": "",
            "email": user.email,
            # is_active left unticked: the login is deactivated
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert not User.objects.get(pk=user.pk).is_active
    _refused(browsers, api)
    _nothing_left(user)


def test_only_superusers_see_the_logins_admin(world, client_for):
    assert client_for("hr").get("/admin/org/user/").status_code == 403
    assert client_for("superuser").get("/admin/org/user/").status_code == 200
