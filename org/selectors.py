"""Reads for org data, scoped by what the asking user may see (SPEC §3).

Every list, detail, page, export and admin changelist of people goes through
``person_list`` so there is exactly one place that decides visibility.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from org.models import DemographicAnswer, DemographicDimension, Person, Team, User

UserLike = User | AnonymousUser | Any


def is_hr(user: UserLike) -> bool:
    """HR role: superusers and members of the HR group. Cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_levelhead_is_hr", None)
    if cached is None:
        cached = bool(user.is_superuser or user.groups.filter(name=settings.HR_GROUP_NAME).exists())
        setattr(user, "_levelhead_is_hr", cached)  # noqa: B010
    return cached


def person_for_user(user: UserLike) -> Person | None:
    """The Person record of a login user (None for accounts without one). Cached."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_levelhead_person"):
        person = (
            Person.objects.select_related("team", "ladder", "parent")
            .filter(user=user, is_active=True)
            .first()
        )
        setattr(user, "_levelhead_person", person)  # noqa: B010
    return getattr(user, "_levelhead_person")  # noqa: B009


def reporting_chain_ids(person: Person) -> QuerySet[Person]:
    """Ids of everyone below ``person`` at any depth, as a subquery (one recursive CTE)."""
    return Person.objects.descendants(person).values("pk")


def manages_anyone(person: Person | None) -> bool:
    return bool(person and Person.objects.filter(parent=person).exists())


def _hr_flag() -> Exists:
    hr_membership = User.groups.through._default_manager.filter(
        user_id=OuterRef("user_id"), group__name=settings.HR_GROUP_NAME
    )
    return Exists(hr_membership)


def person_visibility_filter(user: UserLike) -> Q | None:
    """The Q that limits people to those ``user`` may see; None means everyone (HR)."""
    if is_hr(user):
        return None
    me = person_for_user(user)
    if me is None:
        return Q(pk__in=[])
    visible = Q(pk=me.pk) | Q(pk__in=reporting_chain_ids(me)) | Q(pk__in=session_subject_ids(me))
    if me.team_id:
        visible |= Q(team_id=me.team_id)
    return visible


def session_subject_ids(me: Person, *, open_only: bool = False) -> QuerySet[Any]:
    """People whose calibration cases sit in sessions ``me`` is on the committee of."""
    case_model = apps.get_model("calibration", "CalibrationCase")
    cases = case_model.objects.filter(session__committee=me)
    if open_only:
        cases = cases.filter(session__status="open")
    return cases.values("subject_id")


def person_list(*, user: UserLike) -> QuerySet[Person]:
    """People the user may see: HR all; others self, own team, their reporting chain and
    the subjects of their calibration sessions."""
    qs = (
        Person.objects.without_tree_fields()
        .select_related("user", "team", "ladder", "parent")
        .annotate(user_is_hr=_hr_flag() | Q(user__is_superuser=True))
        .order_by("full_name", "id")
    )
    visible = person_visibility_filter(user)
    return qs if visible is None else qs.filter(visible)


def person_get(*, user: UserLike, pk: Any) -> Person:
    try:
        return person_list(user=user).get(pk=int(pk))
    except (Person.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404("No such person.") from exc


def person_in_chain(*, manager: Person, person: Person) -> bool:
    return Person.objects.descendants(manager).filter(pk=person.pk).exists()


def team_list(*, user: UserLike) -> QuerySet[Team]:
    """Team names are organisation structure that every signed-in person may read."""
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    return Team.objects.without_tree_fields().select_related("parent").order_by("name", "id")


def team_get(*, user: UserLike, pk: Any) -> Team:
    try:
        return team_list(user=user).get(pk=int(pk))
    except (Team.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404("No such team.") from exc


def team_subtree_ids(team: Team) -> QuerySet[Team]:
    return Team.objects.descendants(team, include_self=True).values("pk")


def demographics_person_get(*, user: UserLike, pk: Any) -> Person:
    """A person whose demographic answers ``user`` may read: only HR and the person."""
    person = person_get(user=user, pk=pk)
    if is_hr(user) or person.user_id == user.pk:
        return person
    # Existence is not revealed to anyone else (SPEC §5 refusals).
    raise Http404("No such person.")


def demographics_for(person: Person) -> dict[str, str]:
    return {
        a.dimension.key: a.value
        for a in DemographicAnswer.objects.filter(person=person).select_related("dimension")
    }


def dimension_list() -> QuerySet[DemographicDimension]:
    return DemographicDimension.objects.order_by("order", "key")
