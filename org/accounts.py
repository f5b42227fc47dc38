"""Local accounts (SPEC §10.2): invitations, password reset and change.

HR invites a person: an email with a link to set their password. The link is made by a
token generator of its own (``invitation_tokens``: an invitation link is never a reset
link, nor the other way round) and, like Django's reset links, is valid for
``PASSWORD_RESET_TIMEOUT`` (72 hours) and for one use only: the token is derived from the
password and the last sign-in, both of which change when it is used. The email says who
invited them and where to go; it carries nothing about reviews, ratings or anyone's
answers (SPEC §1.6). Mail goes through Django's email backend (``EMAIL_URL``), after the
transaction commits.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.errors import InvalidStateError
from org.models import Person, User
from org.selectors import is_hr, people_not_signed_in_yet


def password_sign_in_allowed(user: User) -> bool:
    """Whether ``user`` may sign in with a password (the sign-in page and the API token
    endpoint): always, unless ``LOCAL_LOGIN`` is off, when only superusers may."""
    return bool(settings.LOCAL_LOGIN or user.is_superuser)


def site_url(request: HttpRequest) -> str:
    """Where links in emails point: SITE_URL, else the address this request came to."""
    return str(settings.SITE_URL or request.build_absolute_uri("/"))


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "levelhead.org.accounts.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def _require_hr(actor: User) -> None:
    if not is_hr(actor):
        raise PermissionDenied("Only HR can invite people.")


def not_signed_in_yet() -> QuerySet[Person]:
    """Those an invitation is for (``selectors.people_not_signed_in_yet``)."""
    return people_not_signed_in_yet()


def invitation_link(*, user: User, site: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("invitation-accept", args=[uid, invitation_tokens.make_token(user)])
    return f"{site.rstrip('/')}{path}"


def invitation_send(*, actor: User, person: Person, site: str) -> None:
    """Email ``person`` a link to set their password (HR only). Refused (409) for someone
    who already has a password or has no email address, or who is deactivated."""
    _require_hr(actor)
    if not person.is_active or not person.user.is_active:
        raise InvalidStateError("This person is deactivated; activate them before inviting.")
    if not person.email:
        raise InvalidStateError("This person has no email address to send the invitation to.")
    if person.user.has_usable_password():
        raise InvalidStateError(
            "This person has a password already; they can reset it from the sign-in page."
        )
    context = {
        "person": person,
        "inviter": getattr(getattr(actor, "person", None), "full_name", "") or "HR",
        "link": invitation_link(user=person.user, site=site),
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        "username": person.user.get_username(),
    }
    subject = "You are invited to Levelhead"
    body = render_to_string("registration/invitation_email.txt", context)
    address = person.email
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]))


def invitations_send_all(*, actor: User, site: str) -> int:
    """Invite everyone not signed in yet (``not_signed_in_yet``); how many were invited."""
    _require_hr(actor)
    people = list(not_signed_in_yet())
    for person in people:
        invitation_send(actor=actor, person=person, site=site)
    return len(people)
