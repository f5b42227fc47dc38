"""A believable demo organisation: a VP, three directors, twelve teams with their
managers and engineers, and an HR partner. Deterministic (fixed random seed)."""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from org import services
from org.models import PREFER_NOT_TO_SAY, DemographicAnswer, Person, Team, User
from org.selectors import person_list

DEMO_PASSWORD = "levelhead-demo"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    name: str
    what: str


DEMO_LOGINS = [
    DemoLogin("Engineer", "sam", "Sam Okafor", "L4 backend engineer on the Checkout team"),
    DemoLogin("Manager", "priya", "Priya Raman", "manages the Checkout team"),
    DemoLogin("Director", "marcus", "Marcus Lindqvist", "director of the Product group (4 teams)"),
    DemoLogin("HR", "hana", "Hana Kim", "HR business partner for Engineering"),
]

GROUPS = {
    "Product": ["Checkout", "Search and Discovery", "Mobile Apps", "Growth"],
    "Platform": ["Identity", "Payments Platform", "Developer Experience", "Reliability"],
    "Data and Infrastructure": [
        "Data Platform",
        "Machine Learning",
        "Analytics Engineering",
        "Cloud Infrastructure",
    ],
}
TEAM_FUNCTIONS = {
    "Checkout": ["Backend", "Frontend"],
    "Search and Discovery": ["Backend", "Data"],
    "Mobile Apps": ["Mobile"],
    "Growth": ["Frontend", "Backend"],
    "Identity": ["Backend", "Security"],
    "Payments Platform": ["Backend"],
    "Developer Experience": ["Backend", "SRE"],
    "Reliability": ["SRE"],
    "Data Platform": ["Data"],
    "Machine Learning": ["Machine learning", "Data"],
    "Analytics Engineering": ["Data"],
    "Cloud Infrastructure": ["SRE", "Backend"],
}
FIRST = [
    "Aisha",
    "Ben",
    "Carmen",
    "Daniel",
    "Elif",
    "Felipe",
    "Grace",
    "Hiroshi",
    "Ines",
    "Jamal",
    "Kavya",
    "Liam",
    "Mei",
    "Nikolai",
    "Olivia",
    "Pedro",
    "Quinn",
    "Rosa",
    "Samir",
    "Tara",
    "Uche",
    "Valentina",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Amara",
    "Bruno",
    "Chloe",
    "Dev",
    "Esther",
    "Farah",
    "Gabriel",
    "Hannah",
    "Ivan",
    "Julia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Oscar",
    "Priyanka",
    "Rafael",
    "Sofia",
    "Tomasz",
    "Ngozi",
    "Arjun",
    "Freya",
    "Kenji",
    "Leila",
]
LAST = [
    "Adeyemi",
    "Bergström",
    "Castillo",
    "Dubois",
    "Erikson",
    "Fernandes",
    "Goldberg",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Mensah",
    "Nakamura",
    "O'Brien",
    "Petrov",
    "Quispe",
    "Rossi",
    "Santos",
    "Takahashi",
    "Usman",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Abara",
    "Novak",
    "Moreau",
    "Chen",
    "Patel",
    "García",
    "Müller",
    "Silva",
    "Nguyen",
]
IC_LEVELS = ["L3", "L4", "L4", "L5", "L5", "L5", "L6", "L3", "L4"]

DIMENSIONS = [
    ("gender", "Gender", ["woman", "man", "non-binary", "a gender not listed"]),
    (
        "ethnicity",
        "Ethnicity",
        [
            "Asian",
            "Black",
            "Hispanic or Latino",
            "Middle Eastern or North African",
            "White",
            "Multiracial",
            "an ethnicity not listed",
        ],
    ),
    ("age_band", "Age band", ["under 25", "25-34", "35-44", "45-54", "55 and over"]),
]
# Engineers' gender by level, as relative weights ("" = no answer). The graduate intakes
# of the last two years were mostly women and most senior engineers are men, so women are
# concentrated at L3 and L4; the smallest groups stay below the audit's reporting size.
ENGINEER_GENDER_BY_LEVEL: dict[str, dict[str, float]] = {
    "L3": {"woman": 17, "man": 4, "non-binary": 1},
    "L4": {"woman": 20, "man": 10, "non-binary": 1, "": 1},
    "L5": {"woman": 4, "man": 30, "a gender not listed": 1, PREFER_NOT_TO_SAY: 1},
    "L6": {"woman": 1, "man": 10, "non-binary": 1},
}


def _slug(name: str) -> str:
    return name.lower().replace(" and ", "-").replace(" ", "-")


class _Namer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = {d.name for d in DEMO_LOGINS} | {"Victoria Ashworth"}

    def name(self) -> str:
        while True:
            n = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
            if n not in self.used:
                self.used.add(n)
                return n


def _username(full_name: str, taken: set[str]) -> str:
    first, last = full_name.split(" ", 1)
    base = (first[0] + last).lower()
    base = "".join(ch for ch in base if ch.isascii() and ch.isalnum())
    name, i = base, 2
    while name in taken:
        name, i = f"{base}{i}", i + 1
    taken.add(name)
    return name


# Where demo people work, and when they started (between these two days).
DEMO_LOCATIONS = ("Berlin", "London", "Lisbon", "Remote (EU)", "Toronto")
DEMO_FIRST_START = datetime.date(2016, 3, 1)
DEMO_START_DAYS = (datetime.date(2026, 6, 1) - DEMO_FIRST_START).days


def seed_org(*, actor: User, ladders: dict[str, Any]) -> dict[str, Person]:
    rng = random.Random(2026)
    namer = _Namer(rng)
    ic, em = ladders["engineering-ic"], ladders["engineering-manager"]
    taken = {d.username for d in DEMO_LOGINS} | {"victoria"}

    # Hash once: every demo login shares the password, and hashing is slow on purpose.
    hashed = make_password(DEMO_PASSWORD)

    # The HR system's fields (SPEC §10.5), from their own generator so the rest of the
    # demo org is the same as before they existed: tenure bands and locations for the
    # fairness audit.
    hris = random.Random(1005)
    counter = iter(range(1001, 10_000))

    def person(username: str, name: str, **kw: Any) -> Person:
        p = services.person_create(
            actor=actor,
            username=username,
            full_name=name,
            email=f"{username}@example.org",
            employee_id=f"E{next(counter)}",
            start_date=DEMO_FIRST_START + datetime.timedelta(days=hris.randrange(DEMO_START_DAYS)),
            location=hris.choices(DEMO_LOCATIONS, weights=(5, 3, 2, 3, 1))[0],
            **kw,
        )
        User.objects.filter(pk=p.user_id).update(password=hashed)
        return p

    engineering = services.team_create(actor=actor, name="Engineering", slug="engineering")
    people_team = services.team_create(actor=actor, name="People", slug="people")
    vp = person(
        "victoria",
        "Victoria Ashworth",
        team=engineering,
        ladder=em,
        level="M4",
        function="Engineering management",
    )
    person("hana", "Hana Kim", team=people_team, function="People partner", is_hr=True)
    directors = {
        "Product": ("marcus", "Marcus Lindqvist"),
        "Platform": (None, None),
        "Data and Infrastructure": (None, None),
    }
    named_managers = {"Checkout": ("priya", "Priya Raman")}
    out: dict[str, Person] = {"vp": vp}
    for group, teams in GROUPS.items():
        group_team = services.team_create(
            actor=actor, name=group, slug=_slug(group), parent=engineering
        )
        du, dn = directors[group]
        dn = dn or namer.name()
        du = du or _username(dn, taken)
        director = person(
            du,
            dn,
            team=group_team,
            manager=vp,
            ladder=em,
            level="M3",
            function="Engineering management",
        )
        for team_name in teams:
            team = services.team_create(
                actor=actor, name=team_name, slug=_slug(team_name), parent=group_team
            )
            mu, mn = named_managers.get(team_name, (None, None))
            mn = mn or namer.name()
            mu = mu or _username(mn, taken)
            manager = person(
                mu,
                mn,
                team=team,
                manager=director,
                ladder=em,
                level=rng.choice(["M1", "M1", "M2"]),
                function="Engineering management",
            )
            functions = TEAM_FUNCTIONS[team_name]
            for i, level in enumerate(IC_LEVELS[: 7 + (len(team_name) % 3)]):
                if team_name == "Checkout" and i == 1:
                    u, n, level, fn = "sam", "Sam Okafor", "L4", "Backend"
                else:
                    n = namer.name()
                    u, fn = _username(n, taken), functions[i % len(functions)]
                person(u, n, team=team, manager=manager, ladder=ic, level=level, function=fn)
    # Two new starters HR has added and not invited yet (no password): the people the
    # Invitations page lists. No ladder or level yet, so no review is due from them.
    checkout = Team.objects.get(slug="checkout")
    for username, name, location in (
        ("noor", "Noor Haddad", "Lisbon"),
        ("tomas", "Tomás Ruiz", "Berlin"),
    ):
        services.person_create(
            actor=actor,
            username=username,
            full_name=name,
            email=f"{username}@example.org",
            team=checkout,
            manager=person_list(user=actor).get(user__username="priya"),
            function="Backend",
            employee_id=f"E{next(counter)}",
            start_date=datetime.date(2026, 11, 16),
            location=location,
        )
    return out


def apportion(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """``total`` split in proportion to ``weights`` into whole numbers that add up to
    ``total`` (largest remainder; ties go to the first key by name)."""
    whole = sum(weights.values())
    exact = {k: total * w / whole if whole else 0.0 for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (out[k] - exact[k], k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def _engineer_genders(*, actor: User, rng: random.Random) -> dict[int, str]:
    """Person id → gender answer ("" = none) for the engineers, by level: exactly the
    proportions of ``ENGINEER_GENDER_BY_LEVEL``, shuffled within each level."""
    by_level: dict[str, list[int]] = defaultdict(list)
    for pk, level in (
        person_list(user=actor)
        .filter(ladder__slug="engineering-ic")
        .order_by("pk")
        .values_list("pk", "level")
    ):
        by_level[level].append(pk)
    out: dict[int, str] = {}
    for level, pks in sorted(by_level.items()):
        weights = ENGINEER_GENDER_BY_LEVEL.get(level)
        if weights is None:
            continue
        values = [v for v, k in apportion(len(pks), weights).items() for _ in range(k)]
        rng.shuffle(values)
        out.update(zip(pks, values, strict=True))
    return out


def seed_demographics(*, actor: User) -> None:
    rng = random.Random(7)
    dims = [
        services.dimension_save(actor=actor, key=k, label=label, values=values, order=i)
        for i, (k, label, values) in enumerate(DIMENSIONS)
    ]
    weights = {
        "gender": [38, 56, 4, 2],
        "ethnicity": [26, 10, 11, 6, 38, 7, 2],
        "age_band": [8, 42, 32, 13, 5],
    }
    engineer_genders = _engineer_genders(actor=actor, rng=rng)
    answers = []
    for p in person_list(user=actor).order_by("pk"):
        if p.user.username in {"hana"}:
            continue
        for dim in dims:
            if dim.key == "gender" and p.pk in engineer_genders:
                if engineer_genders[p.pk]:
                    answers.append(
                        DemographicAnswer(person=p, dimension=dim, value=engineer_genders[p.pk])
                    )
                continue
            roll = rng.random()
            if roll < 0.08:
                continue  # never answered: reported as "undisclosed"
            if roll < 0.13:
                value = dim.allowed_values[-1]  # prefer not to say
            else:
                value = rng.choices(dim.values, weights=weights[dim.key])[0]
            answers.append(DemographicAnswer(person=p, dimension=dim, value=value))
    DemographicAnswer.objects.bulk_create(answers)


def demo_loaded() -> bool:
    return User.objects.filter(username="hana").exists()


def ensure_hr_group() -> Group:
    group, _ = Group.objects.get_or_create(name=settings.HR_GROUP_NAME)
    return group


def seed_actor() -> User:
    """A system superuser that performs the seeding (and can sign in to the admin)."""
    user, created = User.objects.get_or_create(
        username="admin", defaults={"is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user
