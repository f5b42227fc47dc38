"""Invitations, password reset and change (SPEC §10.2), delivered through a real SMTP
server on loopback (aiosmtpd): the test reads the message the way an inbox would, follows
the link, sets a password and signs in."""

from __future__ import annotations

import datetime
import email
import re
from collections.abc import Iterator
from email.message import Message

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.test import Client

from org import services
from org.models import User
from tests.processes import free_port

LINK = re.compile(r"https?://\S+")


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["To"]]

    def link(self, address: str) -> str:
        [message] = self.to(address)
        body = message.get_payload(decode=True).decode()
        [found] = LINK.findall(body)
        return found


@pytest.fixture
def inbox(settings) -> Iterator[Inbox]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "http://testserver"
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def newcomer(world):
    return services.person_create(
        actor=world.hr.user,
        username="nadia",
        full_name="Nadia Newcomer",
        email="nadia@example.org",
        team=world.team_a,
    )


def _path(link: str) -> str:
    return link.removeprefix("http://testserver")


def _set_password(link: str, password: str = "a-long-new-password-42") -> tuple[Client, int]:
    browser = Client()
    first = browser.get(_path(link))
    if first.status_code != 302:
        return browser, first.status_code
    form = browser.get(first["Location"])
    assert form.status_code == 200
    done = browser.post(first["Location"], {"new_password1": password, "new_password2": password})
    return browser, done.status_code


def _signs_in(username: str, password: str) -> bool:
    response = Client().post("/login/", {"username": username, "password": password})
    return response.status_code == 302 and response["Location"] == "/"


def test_an_invited_person_sets_a_password_through_the_emailed_link_and_signs_in(
    world, newcomer, inbox, api_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_for("hr").post(f"/api/v1/people/{newcomer.pk}/invite/")
    assert answer.status_code == 200 and answer.json()["email"] == "nadia@example.org"
    [message] = inbox.to("nadia@example.org")
    assert message["Subject"] == "You are invited to Levelhead"
    body = message.get_payload(decode=True).decode()
    assert "nadia" in body and "72 hours" in body
    link = inbox.link("nadia@example.org")

    browser, status = _set_password(link)
    assert status == 302
    assert _signs_in("nadia", "a-long-new-password-42")

    # The link worked once.
    assert _set_password(link)[1] == 400


def test_the_password_is_checked_by_the_validators(
    world, newcomer, inbox, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("hr").post("/people/invitations/", {"person": newcomer.pk})
    browser = Client()
    start = browser.get(_path(inbox.link("nadia@example.org")))
    weak = browser.post(start["Location"], {"new_password1": "12345", "new_password2": "12345"})
    assert weak.status_code == 400
    assert "too short" in weak.content.decode()
    assert not User.objects.get(username="nadia").has_usable_password()


def test_an_invitation_expires_after_72_hours(
    world, newcomer, inbox, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("hr").post("/people/invitations/", {"person": newcomer.pk})
    link = inbox.link("nadia@example.org")
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(hours=72, minutes=5)
    with time_machine.travel(later):
        assert _set_password(link)[1] == 400
    with time_machine.travel(later - datetime.timedelta(hours=1)):
        assert _set_password(link)[1] == 302


def test_a_link_is_for_its_own_account_only(
    world, newcomer, inbox, api_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_for("hr").post(f"/api/v1/people/{newcomer.pk}/invite/")
    link = inbox.link("nadia@example.org")
    uid, token = _path(link).strip("/").split("/")[1:3]
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    someone_else = urlsafe_base64_encode(force_bytes(world.teammate.user.pk))
    assert Client().get(f"/invitation/{someone_else}/{token}/").status_code == 400
    # Nor is an invitation a password-reset link.
    assert Client().get(f"/password-reset/{uid}/{token}/").status_code == 400


def test_hr_invites_everyone_not_signed_in_yet_from_the_page(
    world, newcomer, inbox, client_for, django_capture_on_commit_callbacks
):
    second = services.person_create(
        actor=world.hr.user, username="omar", full_name="Omar Other", email="omar@example.org"
    )
    page = client_for("hr").get("/people/invitations/").content.decode()
    assert "Nadia Newcomer" in page and "Omar Other" in page
    assert "Erin Engineer" not in page  # has a password already
    with django_capture_on_commit_callbacks(execute=True):
        done = client_for("hr").post("/people/invitations/", {"all": "1"})
    assert done.status_code == 302
    assert inbox.to("nadia@example.org") and inbox.to(second.email)
    assert len(inbox.messages) == 2


@pytest.mark.parametrize("role", ["engineer", "manager", "director"])
def test_only_hr_invites(
    world, newcomer, inbox, api_for, client_for, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert api_for(role).post(f"/api/v1/people/{world.engineer.pk}/invite/").status_code == 403
        assert client_for(role).post("/people/invitations/", {"all": "1"}).status_code == 404
    assert inbox.messages == []


def test_someone_with_a_password_or_deactivated_is_not_invited(
    world, newcomer, inbox, api_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        taken = api_for("hr").post(f"/api/v1/people/{world.engineer.pk}/invite/")
        services.person_update(actor=world.hr.user, person=newcomer, is_active=False)
        gone = api_for("hr").post(f"/api/v1/people/{newcomer.pk}/invite/")
    assert taken.status_code == 409 and gone.status_code == 409
    assert inbox.messages == []


def test_a_reset_for_an_unknown_address_answers_the_same_as_for_a_known_one(
    world, inbox, django_capture_on_commit_callbacks
):
    known = Client().post("/password-reset/", {"email": "engineer@example.org"})
    unknown = Client().post("/password-reset/", {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known.status_code == 302
    assert [m["To"] for m in inbox.messages] == ["engineer@example.org"]
    assert "Reset your Levelhead password" in inbox.messages[0]["Subject"]

    link = inbox.link("engineer@example.org")
    assert _set_password(link, "another-long-password-7")[1] == 302
    assert _signs_in("engineer", "another-long-password-7")
    assert _set_password(link, "yet-another-password-8")[1] == 400  # used


def test_a_signed_in_person_changes_their_password(world, client_for):
    me = client_for("engineer")
    wrong = me.post(
        "/me/password/",
        {
            "old_password": "nope",
            "new_password1": "fresh-long-pass-9",
            "new_password2": "fresh-long-pass-9",
        },
    )
    assert wrong.status_code == 400
    done = me.post(
        "/me/password/",
        {
            "old_password": "pw-for-tests",
            "new_password1": "fresh-long-pass-9",
            "new_password2": "fresh-long-pass-9",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/me/"
    assert _signs_in("engineer", "fresh-long-pass-9")
    assert me.get("/me/").status_code == 200  # still signed in after the change
