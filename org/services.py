"""Writes for org data. Each takes the acting user and records what it did."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model

from org.models import (
    AccessLog,
    Activity,
    DemographicAnswer,
    DemographicDimension,
    Person,
    Team,
    User,
)
from org.selectors import is_hr, ladder_level_codes
from org.types import Viewer

PERSON_FIELDS = ("full_name", "email", "team", "function", "manager", "ladder", "level")


def activity_record(
    *,
    actor: User | None,
    action: str,
    target: Model,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> Activity:
    return Activity.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        old=old,
        new=new,
    )


def access_log_record(*, user: Viewer, action: str, target: Model, path: str = "") -> AccessLog:
    return AccessLog.objects.create(
        user=user if isinstance(user, User) and user.pk else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        path=path[:500],
    )


def _require_hr(actor: User) -> None:
    if not is_hr(actor):
        raise PermissionDenied("Only HR can change organisation data.")


def person_validate(person: Person) -> None:
    """Rules every person record keeps, whoever writes it (API, admin, commands)."""
    errors: dict[str, list[str]] = {}
    if person.level and person.ladder_id is None:
        errors["level"] = ["A level needs a ladder."]
    elif person.level and person.ladder_id:
        codes = ladder_level_codes(person.ladder)
        if codes is not None and person.level not in codes:
            errors["level"] = [
                f"'{person.level}' is not a level of {person.ladder}: "
                f"choose one of {', '.join(sorted(codes))}."
            ]
    if person.employee_id:
        same = Person.objects.filter(employee_id=person.employee_id).exclude(pk=person.pk)
        if same.exists():
            errors["employee_id"] = ["Another person has this employee id."]
    if person.pk and person.parent_id:
        if person.parent_id == person.pk:
            errors["manager"] = ["A person cannot be their own manager."]
        elif Person.objects.descendants(person).filter(pk=person.parent_id).exists():
            errors["manager"] = ["That manager reports to this person; the chain would loop."]
    if errors:
        raise ValidationError(errors)


def _set_hr(user: User, value: bool) -> None:
    group, _ = Group.objects.get_or_create(name=settings.HR_GROUP_NAME)
    if value:
        user.groups.add(group)
        user.is_staff = True  # HR uses the admin for org data and rubric drafts
    else:
        user.groups.remove(group)
        user.is_staff = user.is_superuser
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("_levelhead_is_hr", None)


def person_lock(pk: int) -> Person:
    """The person's row, locked until the transaction ends (callers are services)."""
    return Person.objects.select_for_update().get(pk=pk)


def hr_role_set(*, user: User, value: bool) -> None:
    """Grant or remove the HR role of a login (company sign-in's ``OIDC_HR_GROUPS``):
    nothing is written when it already is as asked."""
    if is_hr_member(user) != value:
        _set_hr(user, value)


def is_hr_member(user: User) -> bool:
    return user.groups.filter(name=settings.HR_GROUP_NAME).exists()


def _snapshot(person: Person) -> dict[str, Any]:
    return {
        "full_name": person.full_name,
        "email": person.email,
        "team": person.team_id,
        "function": person.function,
        "manager": person.parent_id,
        "ladder": person.ladder_id,
        "level": person.level,
        "is_active": person.is_active,
        "employee_id": person.employee_id,
        "start_date": person.start_date.isoformat() if person.start_date else None,
        "location": person.location,
    }


@transaction.atomic
def person_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    email: str = "",
    team: Team | None = None,
    function: str = "",
    manager: Person | None = None,
    ladder: Any = None,  # a rubrics.Ladder: rubrics sits above org
    level: str = "",
    is_hr: bool = False,
    is_active: bool = True,
    employee_id: str = "",
    start_date: Any = None,  # a datetime.date
    location: str = "",
) -> Person:
    """Create a person and their login user (unusable password until one is set)."""
    _require_hr(actor)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["That username is already taken."]})
    user = User(username=username, email=email, is_active=is_active)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    person = Person(
        user=user,
        full_name=full_name,
        email=email,
        team=team,
        function=function,
        parent=manager,
        ladder=ladder,
        level=level,
        is_active=is_active,
        employee_id=employee_id,
        start_date=start_date,
        location=location,
    )
    person_validate(person)
    person.save()
    if is_hr:
        _set_hr(user, True)
    activity_record(
        actor=actor, action=Activity.Action.PERSON_CREATED, target=person, new=_snapshot(person)
    )
    return person


@transaction.atomic
def people_bulk_create(
    *, actor: User, people: Sequence[Person], batch_size: int = 2000
) -> list[Person]:
    """Insert many ready-made people and their login users (``person.user``, unsaved) at
    once. For generated organisations only (``manage.py bench``): nothing is validated and
    no Activity is recorded, which is what makes ten thousand people take seconds. Real
    people go through ``person_create``."""
    _require_hr(actor)
    users = User.objects.bulk_create([p.user for p in people], batch_size=batch_size)
    for person, user in zip(people, users, strict=True):
        person.user = user
    return Person.objects.bulk_create(people, batch_size=batch_size)


@transaction.atomic
def teams_bulk_create(*, actor: User, teams: Sequence[Team]) -> list[Team]:
    """Insert many ready-made teams at once; like ``people_bulk_create``, for generated
    organisations only (nothing validated, no Activity)."""
    _require_hr(actor)
    return Team.objects.bulk_create(teams)


# What ``person_update`` changes by name (``manager``, ``is_hr`` and ``username`` aside).
PERSON_WRITABLE = (
    "full_name",
    "email",
    "team",
    "function",
    "ladder",
    "level",
    "is_active",
    "employee_id",
    "start_date",
    "location",
)


@transaction.atomic
def person_update(*, actor: User, person: Person, **changes: Any) -> Person:
    _require_hr(actor)
    old = _snapshot(person)
    for field, value in changes.items():
        if field == "manager":
            person.parent = value
        elif field in PERSON_WRITABLE:
            setattr(person, field, value)
        elif field not in ("is_hr", "username"):
            raise ValidationError({field: ["This field cannot be changed."]})
    person_validate(person)
    person.save()
    user = person.user
    if "is_active" in changes or "email" in changes:
        user.is_active = person.is_active
        user.email = person.email
        user.save(update_fields=["is_active", "email"])
    if "is_hr" in changes:
        _set_hr(user, bool(changes["is_hr"]))
    activity_record(
        actor=actor,
        action=Activity.Action.PERSON_UPDATED,
        target=person,
        old=old,
        new=_snapshot(person),
    )
    return person


def team_validate(team: Team) -> None:
    """Rules every team keeps, whoever writes it (API, admin): a slug of its own, and no
    team inside itself."""
    if Team.objects.filter(slug=team.slug).exclude(pk=team.pk).exists():
        raise ValidationError({"slug": ["A team with this slug already exists."]})
    if team.pk and team.parent_id:
        if team.parent_id == team.pk or (
            Team.objects.descendants(team).filter(pk=team.parent_id).exists()
        ):
            raise ValidationError({"parent": ["A team cannot sit inside itself."]})


@transaction.atomic
def team_create(
    *, actor: User, name: str, slug: str, parent: Team | None = None, description: str = ""
) -> Team:
    _require_hr(actor)
    team = Team(name=name, slug=slug, parent=parent, description=description)
    team_validate(team)
    team.full_clean()
    team.save()
    activity_record(
        actor=actor, action=Activity.Action.TEAM_CREATED, target=team, new={"name": name}
    )
    return team


@transaction.atomic
def team_update(*, actor: User, team: Team, **changes: Any) -> Team:
    _require_hr(actor)
    old = {"name": team.name, "slug": team.slug, "parent": team.parent_id}
    for field in ("name", "slug", "parent", "description"):
        if field in changes:
            setattr(team, field, changes[field])
    team_validate(team)
    team.full_clean()
    team.save()
    activity_record(
        actor=actor,
        action=Activity.Action.TEAM_UPDATED,
        target=team,
        old=old,
        new={"name": team.name, "slug": team.slug, "parent": team.parent_id},
    )
    return team


def _validate_dimension_values(values: Any) -> list[str]:
    if not isinstance(values, list) or not values:
        raise ValidationError({"values": ["Give at least one allowed value."]})
    cleaned = []
    for v in values:
        if not isinstance(v, str) or not v.strip() or len(v) > 120:
            raise ValidationError(
                {"values": ["Each value is a non-empty text of 120 characters at most."]}
            )
        cleaned.append(v.strip())
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError({"values": ["Values must be distinct."]})
    return cleaned


def dimension_clean(dimension: DemographicDimension) -> None:
    """Rules every dimension keeps, whoever writes it (API, admin): a key of its own and
    at least one distinct, non-empty allowed value. Strips the values in place."""
    clash = DemographicDimension.objects.filter(key=dimension.key).exclude(pk=dimension.pk)
    if clash.exists():
        raise ValidationError({"key": ["A dimension with this key already exists."]})
    dimension.values = _validate_dimension_values(dimension.values)


@transaction.atomic
def dimension_save(
    *,
    actor: User,
    dimension: DemographicDimension | None = None,
    key: str | None = None,
    label: str | None = None,
    values: list[str] | None = None,
    order: int | None = None,
) -> DemographicDimension:
    _require_hr(actor)
    dim = dimension or DemographicDimension()
    if key is not None:
        dim.key = key
    if label is not None:
        dim.label = label
    if values is not None:
        dim.values = values
    if order is not None:
        dim.order = order
    dimension_clean(dim)
    dim.full_clean()
    dim.save()
    activity_record(
        actor=actor,
        action=Activity.Action.DIMENSION_SAVED,
        target=dim,
        new={"key": dim.key, "values": dim.values},
    )
    return dim


@transaction.atomic
def demographics_set(*, actor: User, person: Person, attributes: dict[str, Any]) -> dict[str, str]:
    """Replace a person's self-identified answers. Keys left out, null or "" are cleared.

    Only HR and the person themself may call this; answers are never shown elsewhere.
    """
    if not (is_hr(actor) or person.user_id == getattr(actor, "pk", None)):
        raise PermissionDenied("Only the person and HR can change these answers.")
    if not isinstance(attributes, dict):
        raise ValidationError({"attributes": ["Expected an object of dimension: value."]})
    dims = {d.key: d for d in DemographicDimension.objects.all()}
    errors: dict[str, list[str]] = {}
    wanted: dict[str, str] = {}
    for key, value in attributes.items():
        dim = dims.get(key)
        if dim is None:
            errors.setdefault("attributes", []).append(f"Unknown dimension '{key}'.")
            continue
        if value is None or value == "":
            continue
        if not isinstance(value, str) or value not in dim.allowed_values:
            errors.setdefault("attributes", []).append(
                f"'{value}' is not an allowed value for '{key}': "
                f"choose one of {', '.join(dim.allowed_values)}."
            )
            continue
        wanted[key] = value
    if errors:
        raise ValidationError(errors)
    DemographicAnswer.objects.filter(person=person).exclude(dimension__key__in=wanted).delete()
    for key, value in wanted.items():
        DemographicAnswer.objects.update_or_create(
            person=person, dimension=dims[key], defaults={"value": value}
        )
    # The log records that answers changed, never the answers themselves.
    activity_record(
        actor=actor,
        action=Activity.Action.DEMOGRAPHICS_UPDATED,
        target=person,
        new={"dimensions_answered": sorted(wanted)},
    )
    return wanted
