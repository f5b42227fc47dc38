"""Who is acting, and on whom: the checks the write services of several sub-domains share."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from org.models import Person
from org.selectors import person_for_user, person_list
from org.types import User
from reviews.selectors import person_can_add_evidence


def actor_person(actor: User) -> Person:
    """The actor's person record; an account without one cannot take part in reviews."""
    me = person_for_user(actor)
    if me is None:
        raise PermissionDenied("Your account has no person record.")
    return me


def check_person_writable(actor: User, person: Person, what: str) -> None:
    """Someone the actor cannot see is "no such person" (400, existence not revealed);
    someone they can see but not write for is a 403."""
    if not person_list(user=actor).filter(pk=person.pk).exists():
        raise ValidationError({"person": ["No such person."]})
    if not person_can_add_evidence(user=actor, person=person):
        raise PermissionDenied(f"You can add {what} for yourself and your reports only.")
