"""Test data built through the real services (so the rules that matter still apply)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import factory
from django.conf import settings
from django.contrib.auth.models import Group

from org import services as org_services
from org.models import Person, Team, User
from rubrics import services as rubric_services
from rubrics.models import Ladder, RubricVersion


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests")


def make_superuser() -> User:
    return User.objects.create_superuser("root", "root@example.org", "pw-for-tests")


def rubric_contents(
    level_codes: list[str] | None = None, competency_keys: list[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """A complete, publishable set of rubric contents."""
    codes = level_codes or ["L3", "L4", "L5"]
    keys = competency_keys or ["execution", "collaboration"]
    return {
        "levels": [
            {"code": c, "title": f"Level {c}", "order": i + 1, "summary": f"Scope of {c}."}
            for i, c in enumerate(codes)
        ],
        "competencies": [
            {
                "key": k,
                "name": k.replace("_", " ").title(),
                "description": f"About {k}.",
                "order": i + 1,
            }
            for i, k in enumerate(keys)
        ],
        "expectations": [
            {
                "level": c,
                "competency": k,
                "text": f"At {c}, {k} looks like this.",
                "examples": f"Evidence of {k} at {c}.",
            }
            for c in codes
            for k in keys
        ],
        "ratings": [
            {
                "key": "below",
                "label": "Below",
                "order": 1,
                "is_baseline": False,
                "definition": "Below the level.",
                "level_definitions": {codes[0]: "Below at start."},
            },
            {
                "key": "meets",
                "label": "Meets",
                "order": 2,
                "is_baseline": True,
                "definition": "Meets the level.",
                "level_definitions": {},
            },
            {
                "key": "exceeds",
                "label": "Exceeds",
                "order": 3,
                "is_baseline": False,
                "definition": "Beyond the level.",
                "level_definitions": {},
            },
            {
                "key": "strongly_exceeds",
                "label": "Strongly exceeds",
                "order": 4,
                "is_baseline": False,
                "definition": "Well beyond.",
                "level_definitions": {},
            },
        ],
    }


def make_ladder(
    actor: User,
    *,
    slug: str = "engineering-ic",
    name: str = "Engineering IC",
    level_codes: list[str] | None = None,
    competency_keys: list[str] | None = None,
    publish: bool = True,
) -> tuple[Ladder, RubricVersion]:
    ladder = rubric_services.ladder_create(actor=actor, name=name, slug=slug)
    version = rubric_services.rubric_version_create(
        actor=actor,
        ladder=ladder,
        change_summary="First version",
        **rubric_contents(level_codes, competency_keys),
    )
    if publish:
        version = rubric_services.rubric_version_publish(actor=actor, version=version)
    return ladder, version


def make_person(actor: User, username: str, **kw: Any) -> Person:
    person = org_services.person_create(
        actor=actor,
        username=username,
        full_name=kw.pop("full_name", username.title()),
        email=f"{username}@example.org",
        **kw,
    )
    person.user.set_password("pw-for-tests")
    person.user.save(update_fields=["password"])
    return person


class World(SimpleNamespace):
    """The cast. ``world.calib`` (a calibrating cycle with two sessions, see
    tests/calibration/conftest.py) is built the first time a test touches it."""

    def __getattr__(self, name: str) -> Any:
        if name == "calib":
            from tests.calibration.conftest import build_calibration

            self.calib = build_calibration(self)
            return self.calib
        raise AttributeError(name)


def build_world() -> SimpleNamespace:
    """The fixed cast used across tests.

    Engineering
      ├─ Team A: manager (m) → engineer (e), teammate (t)
      └─ Team B: other_manager (om) → other engineer (oe)
    director (d) manages m and om; hr (People team) holds the HR role.
    root is a superuser with no person record (and not in the HR group); no_person is a
    signed-in user with no person record.
    The IC ladder has v1 published and v2 draft.
    """
    root = make_superuser()
    no_person = User.objects.create_user("noperson", "noperson@example.org", "pw-for-tests")
    Group.objects.get_or_create(name=settings.HR_GROUP_NAME)
    ladder, v1 = make_ladder(root)
    v2 = rubric_services.rubric_version_clone(actor=root, ladder=ladder)
    eng = org_services.team_create(actor=root, name="Engineering", slug="engineering")
    team_a = org_services.team_create(actor=root, name="Team A", slug="team-a", parent=eng)
    team_b = org_services.team_create(actor=root, name="Team B", slug="team-b", parent=eng)
    people_team = org_services.team_create(actor=root, name="People", slug="people")
    hr = make_person(root, "hr", team=people_team, is_hr=True, full_name="Hana HR")
    director = make_person(root, "director", team=eng, full_name="Dana Director")
    manager = make_person(root, "manager", team=team_a, manager=director, full_name="Mia Manager")
    other_manager = make_person(
        root, "othermanager", team=team_b, manager=director, full_name="Omar Othermanager"
    )
    engineer = make_person(
        root,
        "engineer",
        team=team_a,
        manager=manager,
        ladder=ladder,
        level="L4",
        function="Backend",
        full_name="Erin Engineer",
    )
    teammate = make_person(
        root,
        "teammate",
        team=team_a,
        manager=manager,
        ladder=ladder,
        level="L3",
        function="Frontend",
        full_name="Toby Teammate",
    )
    other_engineer = make_person(
        root,
        "otherengineer",
        team=team_b,
        manager=other_manager,
        ladder=ladder,
        level="L5",
        function="SRE",
        full_name="Olga Otherengineer",
    )
    return World(
        root=root,
        ladder=ladder,
        v1=v1,
        v2=v2,
        eng=eng,
        team_a=team_a,
        team_b=team_b,
        people_team=people_team,
        hr=hr,
        director=director,
        manager=manager,
        other_manager=other_manager,
        engineer=engineer,
        teammate=teammate,
        other_engineer=other_engineer,
        no_person=no_person,
    )


def bulk_people(
    actor: User, team: Team, manager: Person, n: int, ladder: Ladder | None = None, level: str = ""
) -> list[Person]:
    return [
        make_person(
            actor, f"{team.slug}-p{i}", team=team, manager=manager, ladder=ladder, level=level
        )
        for i in range(n)
    ]


def seed_demo(**options: Any) -> None:
    """`manage.py seed_demo` as `make run` runs it: with DEBUG on (pytest turns it off, and
    the command refuses to load demo logins on what looks like a production server)."""
    from django.core.management import call_command
    from django.test import override_settings

    with override_settings(DEBUG=True):
        call_command("seed_demo", **options)
