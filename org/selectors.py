"""Reads for org data, scoped by what the asking user may see (SPEC §3).

Every list, detail, page, export and admin changelist of people goes through
``person_list`` so there is exactly one place that decides visibility.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Exists, Model, OuterRef, Q, QuerySet, Value, When
from django.http import Http404

from core.hooks import Hook
from org.models import DemographicAnswer, DemographicDimension, LevelChange, Person, Team, User
from org.types import Viewer


def is_hr(user: Viewer) -> bool:
    """HR role: superusers and members of the HR group. Cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_levelhead_is_hr", None)
    if cached is None:
        cached = bool(user.is_superuser or user.groups.filter(name=settings.HR_GROUP_NAME).exists())
        setattr(user, "_levelhead_is_hr", cached)  # noqa: B010
    return cached


def person_for_user(user: Viewer) -> Person | None:
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


# What of a person each tier shows (SPEC §3). Rows carry their tier as ``person_tier``;
# serializers, filters and pages keep to it rather than deciding for themselves.
TIER_FULL = "full"  # the person themself, their manager chain, HR: the whole record
TIER_SUBJECT = "subject"  # a committee member, of the subjects of an open session
TIER_BASIC = "basic"  # a teammate, or someone asked for feedback on the person
PERSON_BASIC_FIELDS = frozenset({"id", "full_name", "team"})
PERSON_TIER_FIELDS: dict[str, frozenset[str] | None] = {
    TIER_FULL: None,  # every field
    TIER_SUBJECT: PERSON_BASIC_FIELDS | {"level"},
    TIER_BASIC: PERSON_BASIC_FIELDS,
}


def person_tiers_showing(field: str) -> list[str]:
    """The tiers whose rows show ``field``: a filter on it may only match those rows."""
    return [t for t, shown in PERSON_TIER_FIELDS.items() if shown is None or field in shown]


def person_fields(person: Person) -> frozenset[str] | None:
    """The fields of ``person`` the asker may see (None: all). A row that did not come
    from ``person_list``/``person_directory`` has no tier and shows the least."""
    return PERSON_TIER_FIELDS.get(getattr(person, "person_tier", TIER_BASIC), PERSON_BASIC_FIELDS)


def _nobody_ids(me: Person, *, open_only: bool = False) -> QuerySet[Any]:
    return Person.objects.none().values("pk")


# People whose calibration cases sit in sessions ``me`` sits on (``open_only``: open
# sessions only), as a subquery of person ids. Answered by calibration (calibration.apps).
session_subject_ids: Hook[..., QuerySet[Any]] = Hook("session_subject_ids", _nobody_ids)

# People ``me`` has been asked to give feedback on, as a subquery of person ids. Answered
# by reviews (reviews.apps).
feedback_subject_ids: Hook[..., QuerySet[Any]] = Hook("feedback_subject_ids", _nobody_ids)


def _person_tiers(user: Viewer) -> tuple[dict[str, Q] | None, Q | None]:
    """The Q of each tier's rows for ``user`` (None: every row in full) and the Q of every
    visible row (None: all).

    A committee member's subjects are theirs only while the session is open: once it is
    finalized they see them again only as a teammate would, or not at all.
    """
    if is_hr(user):
        return None, None
    me = person_for_user(user)
    if me is None:
        return {}, Q(pk__in=[])
    full = Q(pk=me.pk) | Q(pk__in=reporting_chain_ids(me))
    subject = Q(pk__in=session_subject_ids(me, open_only=True))
    basic = Q(pk__in=feedback_subject_ids(me))
    if me.team_id:
        basic |= Q(team_id=me.team_id)
    return {TIER_FULL: full, TIER_SUBJECT: subject, TIER_BASIC: basic}, full | subject | basic


def _tier_annotation(tiers: dict[str, Q] | None) -> Value | Case:
    """Each row's tier; a row in no tier (only in ``person_directory``) is basic."""
    if tiers is None:
        return Value(TIER_FULL, output_field=CharField())
    if not tiers:
        return Value(TIER_BASIC, output_field=CharField())
    # Most generous first: a manager sees their own team's reports in full.
    return Case(
        *(When(q, then=Value(t)) for t, q in tiers.items()),
        default=Value(TIER_BASIC),
        output_field=CharField(),
    )


def person_visibility_filter(user: Viewer) -> Q | None:
    """The Q that limits people to those ``user`` may see; None means everyone (HR)."""
    return _person_tiers(user)[1]


def _people() -> QuerySet[Person]:
    return (
        Person.objects.without_tree_fields()
        .select_related("user", "team", "ladder", "parent")
        .annotate(user_is_hr=_hr_flag() | Q(user__is_superuser=True))
        .order_by("full_name", "id")
    )


def person_list(*, user: Viewer) -> QuerySet[Person]:
    """People the user may see, each annotated with ``person_tier`` (what of them they
    may see): HR all in full; others themself and their reporting chain in full, the
    subjects of their open calibration sessions (name, team, level), their own team and
    the people they were asked to give feedback on (name, team)."""
    tiers, visible = _person_tiers(user)
    qs = _people().annotate(person_tier=_tier_annotation(tiers))
    return qs if visible is None else qs.filter(visible)


def person_choices(*, user: Viewer) -> QuerySet[Person]:
    """The people ``user`` may name in a form or an API body: the visible, active ones."""
    return person_list(user=user).filter(is_active=True)


def person_directory(*, user: Viewer) -> QuerySet[Person]:
    """Everyone active, to ask for feedback: a cross-functional partner is usually on
    another team. Outside what ``person_list`` shows, a row gives its name and team only."""
    if not getattr(user, "is_authenticated", False):
        return Person.objects.none()
    tiers, _ = _person_tiers(user)
    return _people().filter(is_active=True).annotate(person_tier=_tier_annotation(tiers))


def person_get(*, user: Viewer, pk: Any) -> Person:
    try:
        return person_list(user=user).get(pk=int(pk))
    except (Person.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404("No such person.") from exc


def person_in_chain(*, manager: Person, person: Person) -> bool:
    return Person.objects.descendants(manager).filter(pk=person.pk).exists()


def team_list(*, user: Viewer) -> QuerySet[Team]:
    """Team names are organisation structure that every signed-in person may read."""
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    return Team.objects.without_tree_fields().select_related("parent").order_by("name", "id")


def team_get(*, user: Viewer, pk: Any) -> Team:
    try:
        return team_list(user=user).get(pk=int(pk))
    except (Team.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404("No such team.") from exc


def team_subtree_ids(team: Team) -> QuerySet[Team]:
    return Team.objects.descendants(team, include_self=True).values("pk")


def demographics_person_get(*, user: Viewer, pk: Any) -> Person:
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


# --- Ladders: a person's ladder is a rubrics row, and rubrics sits above org ------------


def ladder_model() -> type[Model]:
    """The model of ``Person.ladder`` (rubrics.Ladder), taken from org's own field so org
    need not import rubrics."""
    model = Person._meta.get_field("ladder").related_model
    assert isinstance(model, type) and issubclass(model, Model)
    return model


def _no_ladders(*, user: Viewer) -> QuerySet[Any]:
    return ladder_model()._default_manager.none()


def _any_level(ladder: Model) -> set[str] | None:
    return None


# The ladders ``user`` may name in a person's record. Answered by rubrics (rubrics.apps).
ladder_choices: Hook[..., QuerySet[Any]] = Hook("ladder_choices", _no_ladders)

# The level codes of a ladder's current published version; None while nothing is
# published (then any level is accepted). Answered by rubrics (rubrics.apps).
ladder_level_codes: Hook[..., set[str] | None] = Hook("ladder_level_codes", _any_level)


def level_history(*, person: Person) -> list[LevelChange]:
    """``person``'s recorded level changes, oldest first (shown to the person themself;
    HR reads them in the admin and through the promotions they applied)."""
    return list(LevelChange.objects.filter(person=person).order_by("effective_on", "pk"))


def people_not_signed_in_yet() -> QuerySet[Person]:
    """Active people with an email address whose login has never signed in and has no
    password: those an invitation is for (org.accounts; HR's page checks the role)."""
    return (
        Person.objects.filter(is_active=True, user__is_active=True, user__last_login__isnull=True)
        .exclude(email="")
        .filter(user__password__startswith="!")  # Django's mark of an unusable password
        .select_related("user", "team")
        .order_by("full_name", "pk")
    )


def person_for_sign_in(*, email: str = "", user: User | None = None) -> Person | None:
    """The person a company sign-in names (org.oidc): by email address, any case, or by
    their login. Not scoped: it decides who is signing in, before anyone is."""
    people = Person.objects.select_related("user")
    if user is not None:
        return people.filter(user=user).first()
    return people.filter(email__iexact=email).first() if email else None
