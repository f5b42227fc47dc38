"""Check-ins: 1:1 notes between a person and their manager chain, and promoting one of
their prompts to evidence."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.validation import check, plausible_date
from org.models import Activity, Person
from org.services import activity_record
from org.types import User
from reviews.models import CheckIn, Evidence
from reviews.selectors import person_can_add_evidence
from reviews.services.actors import check_person_writable
from reviews.services.evidence import check_hand_kind


@transaction.atomic
def check_in_create(
    *,
    actor: User,
    person: Person,
    occurred_on: datetime.date,
    what_changed: str = "",
    blocked: str = "",
    risks: str = "",
    support: str = "",
) -> CheckIn:
    check_person_writable(actor, person, "check-ins")
    check("occurred_on", occurred_on, plausible_date)
    if not any(t.strip() for t in (what_changed, blocked, risks, support)):
        raise ValidationError({"what_changed": ["Write something in at least one prompt."]})
    check_in = CheckIn.objects.create(
        person=person,
        manager=person.parent,
        occurred_on=occurred_on,
        what_changed=what_changed,
        blocked=blocked,
        risks=risks,
        support=support,
        created_by=actor,
    )
    # Whose check-in and when; the notes are for the person and their managers only.
    activity_record(
        actor=actor,
        action=Activity.Action.CHECK_IN_CREATED,
        target=check_in,
        new={"person": person.pk, "occurred_on": occurred_on.isoformat()},
    )
    return check_in


@transaction.atomic
def check_in_promote(
    *, actor: User, check_in: CheckIn, item: str, title: str, kind: str = Evidence.Kind.OTHER
) -> Evidence:
    """Turn one prompt of a check-in into an evidence item on the person."""
    if item not in CheckIn.PROMPTS:
        raise ValidationError({"item": [f"Choose one of {', '.join(CheckIn.PROMPTS)}."]})
    text = getattr(check_in, item)
    if not text.strip():
        raise ValidationError({"item": ["That prompt is empty."]})
    check_hand_kind(kind)
    if not person_can_add_evidence(user=actor, person=check_in.person):
        raise PermissionDenied("Only the person and their managers can do this.")
    evidence = Evidence.objects.create(
        person=check_in.person,
        kind=kind,
        title=title,
        occurred_on=check_in.occurred_on,
        summary=text,
        source=Evidence.Source.CHECK_IN,
        added_by=actor,
    )
    activity_record(
        actor=actor,
        action=Activity.Action.CHECK_IN_PROMOTED,
        target=evidence,
        new={"check_in": check_in.pk, "item": item, "kind": kind},
    )
    return evidence
