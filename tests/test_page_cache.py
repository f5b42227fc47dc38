"""Pages kept per viewer until anything changes (core/page_cache.py).

What a user would notice: a page they open again comes back without being rebuilt, yet a
change anyone makes shows on the next request; nobody ever gets a page built for someone
else; a message waiting for them is shown.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import page_cache
from org import services as org_services
from org.models import Person, Team

HOME = "/"


def _warm(client: Client) -> None:
    """The first request sets the CSRF cookie the key needs; the second keeps the page."""
    client.get(HOME)
    client.get(HOME)


def test_a_page_opened_again_is_not_rebuilt(client_for):
    client = client_for("manager")
    _warm(client)

    with CaptureQueriesContext(connection) as built:
        first = client.get(HOME, {"again": "1"})
    with CaptureQueriesContext(connection) as kept:
        again = client.get(HOME, {"again": "1"})

    assert again.status_code == 200
    assert again.content == first.content
    # Rebuilding the home page runs its selectors; the kept answer needs only the session,
    # the login and the data version.
    assert len(kept) < len(built)
    assert len(kept) <= 3


def test_a_change_shows_on_the_next_request(world, client_for):
    client = client_for("manager")
    _warm(client)
    assert b"Toby Teammate" in client.get(HOME).content

    org_services.person_update(actor=world.root, person=world.teammate, full_name="Tobias Teal")

    page = client.get(HOME).content
    assert b"Tobias Teal" in page
    assert b"Toby Teammate" not in page


def test_a_write_that_bypasses_model_signals_still_shows(world, client_for):
    # QuerySet.update() sends no signal; the data version follows the SQL itself.
    client = client_for("manager")
    _warm(client)

    Person.objects.filter(pk=world.teammate.pk).update(full_name="Renamed In Bulk")

    assert b"Renamed In Bulk" in client.get(HOME).content


def test_each_viewer_gets_their_own_page(client_for):
    manager, engineer = client_for("manager"), client_for("engineer")
    _warm(manager)
    _warm(engineer)

    assert b"Hello, Mia Manager" in manager.get(HOME).content
    page = engineer.get(HOME).content
    assert b"Hello, Erin Engineer" in page
    assert b"Mia Manager</h1>" not in page


def test_a_new_sign_in_gets_a_page_with_its_own_csrf_token(world):
    client = Client()
    client.force_login(world.manager.user)
    _warm(client)
    old_cookie = client.cookies["csrftoken"].value

    client.post("/logout/")
    client.force_login(world.manager.user)
    client.get("/login/")  # a fresh CSRF cookie, as after a real sign-in
    client.cookies["csrftoken"] = "n" * 32
    page = client.get(HOME)

    assert page.status_code == 200
    assert client.cookies["csrftoken"].value != old_cookie
    assert old_cookie.encode() not in page.content


def test_a_waiting_message_is_shown_not_a_kept_page(world, client_for):
    client = client_for("manager")
    _warm(client)

    # Saving one's own answers leaves a message for the next page.
    response = client.post("/me/", {"gender": "woman"}, follow=False)
    assert response.status_code == 302
    page = client.get(HOME)

    assert b"Your answers were saved." in page.content
    # Shown once: the page after it is the plain one again.
    assert b"Your answers were saved." not in client.get(HOME).content


def test_answers_other_than_200_are_not_kept(client_for):
    client = client_for("engineer")
    _warm(client)
    # The cycles page is HR's; an engineer is refused every time, never served a kept page.
    assert client.get("/cycles/").status_code in (403, 404)
    assert client.get("/cycles/").status_code in (403, 404)


@pytest.mark.django_db(transaction=True)
def test_a_committed_transaction_replaces_the_version():
    # Inside a transaction the version changes at the write and again at commit, so a page
    # built from the old rows between the two is never reached after the commit.
    seen = []
    with transaction.atomic():
        before = page_cache.data_version()
        Team.objects.create(name="Quiet", slug="quiet")
        seen.append(page_cache.data_version())
    after = page_cache.data_version()

    assert seen[0] != before
    assert after != seen[0]


def test_writes_to_sessions_and_caches_keep_the_version():
    assert not page_cache._is_data_write('UPDATE "django_session" SET "session_data" = %s')
    assert not page_cache._is_data_write('INSERT INTO "levelhead_cache" VALUES (%s)')
    # Reading an audit logs the read; that must not drop every kept page in the org.
    assert not page_cache._is_data_write('INSERT INTO "org_accesslog" ("user_id") VALUES (%s)')
    assert not page_cache._is_data_write('INSERT INTO "audit_auditrun" ("cycle_id") VALUES (%s)')
    assert page_cache._is_data_write('  update "org_person" SET "full_name" = %s')
    assert not page_cache._is_data_write('SELECT * FROM "org_person"')


def test_an_api_list_asked_again_is_not_rebuilt_and_follows_writes(world, api_for):
    hr = api_for("hr")
    hr.get("/api/v1/people/")
    with CaptureQueriesContext(connection) as built:
        first = hr.get("/api/v1/people/", {"page_size": 10})
    with CaptureQueriesContext(connection) as kept:
        again = hr.get("/api/v1/people/", {"page_size": 10})
    assert again.json() == first.json()
    assert len(kept) < len(built)

    org_services.person_update(actor=world.root, person=world.teammate, full_name="Tobias Teal")

    names = {
        row["full_name"] for row in hr.get("/api/v1/people/", {"page_size": 10}).json()["results"]
    }
    assert "Tobias Teal" in names


def test_an_api_answer_keeps_each_callers_fields(world, api_for):
    # HR sees the whole person record; a teammate sees the basic fields only (SPEC §3).
    url = f"/api/v1/people/{world.engineer.pk}/"
    hr, teammate = api_for("hr"), api_for("teammate")
    for _ in range(2):
        hr_fields = set(hr.get(url).json())
        teammate_fields = set(teammate.get(url).json())
    assert "level" in hr_fields
    assert "level" not in teammate_fields
    assert teammate_fields < hr_fields
