"""Builders shared by the audit tests: real services throughout."""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.urls import reverse

from org import services as org_services
from reviews.services.cycles import cycle_create, cycle_transition
from tests.calibration.conftest import END, START, submitted_review
from tests.factories import make_person


def open_cycle(world, *, name: str = "H2 2025"):
    cycle = cycle_create(
        actor=world.hr.user, name=name, starts_on=START, ends_on=END, rubric_versions=[world.v1]
    )
    return cycle_transition(actor=world.hr.user, cycle=cycle, to="open")


def gender(world):
    return org_services.dimension_save(
        actor=world.hr.user, key="gender", label="Gender", values=["woman", "man", "non-binary"]
    )


def answer(world, person, value: str | None) -> None:
    org_services.demographics_set(
        actor=world.hr.user, person=person, attributes={"gender": value} if value else {}
    )


# username, team, level, gender (None: no answer), rating
SEVENTEEN = [
    ("engineer", "a", "L4", "woman", "exceeds"),
    ("teammate", "a", "L3", "man", "meets"),
    ("a1", "a", "L3", "woman", "exceeds"),
    ("a2", "a", "L4", "man", "meets"),
    ("a3", "a", "L5", "woman", "meets"),
    ("a4", "a", "L5", "man", "exceeds"),
    ("a5", "a", "L3", "non-binary", "exceeds"),
    ("a6", "a", "L4", None, "meets"),
    ("otherengineer", "b", "L5", "prefer not to say", "exceeds"),
    ("b1", "b", "L3", "man", "below"),
    ("c1", "c", "L4", "woman", "exceeds"),
    ("c2", "c", "L4", "woman", "meets"),
    ("c3", "c", "L5", "woman", "below"),
    ("c4", "c", "L3", "man", "exceeds"),
    ("c5", "c", "L4", "man", "meets"),
    ("c6", "c", "L5", "non-binary", "below"),
    ("c7", "c", "L5", None, "exceeds"),
]


def seventeen(world, *, ratings: dict[str, str] | None = None) -> SimpleNamespace:
    """An open cycle with 17 submitted reviews, built for small-group suppression (min 5):

    - team: A 8 shown; B 2 suppressed, so C 7 is suppressed too (complementary);
    - gender: woman 6 and man 6 shown; non-binary 2 + undisclosed 3 (no answer and
      "prefer not to say") suppressed, together 5, of whom 3 rated high and 1 low.

    ``ratings`` replaces some people's ratings (username → rating).
    """
    gender(world)
    team_c = org_services.team_create(
        actor=world.root, name="Team C", slug="team-c", parent=world.eng
    )
    cara = make_person(
        world.root, "cara", team=team_c, manager=world.director, full_name="Cara Clark"
    )
    teams = {
        "a": (world.team_a, world.manager),
        "b": (world.team_b, world.other_manager),
        "c": (team_c, cara),
    }
    cycle = open_cycle(world)
    people = {}
    for username, team_key, level, value, rating in SEVENTEEN:
        rating = (ratings or {}).get(username, rating)
        team, manager = teams[team_key]
        person = {
            "engineer": world.engineer,
            "teammate": world.teammate,
            "otherengineer": world.other_engineer,
        }.get(username)
        if person is None:
            person = make_person(
                world.root,
                username,
                team=team,
                manager=manager,
                ladder=world.ladder,
                level=level,
                function="Backend",
            )
        answer(world, person, value)
        submitted_review(world, cycle, person, rating=rating)
        people[username] = person
    return SimpleNamespace(cycle=cycle, team_c=team_c, cara=cara, people=people)


# A section of the report page not loaded yet: htmx swaps its own page in for it.
PLACEHOLDER = re.compile(
    r'<section class="section" aria-labelledby="[^"]+" hx-get="([^"]+)" '
    r'hx-trigger="revealed" hx-swap="outerHTML">.*?</section>',
    re.DOTALL,
)


def report_page(client, cycle) -> str:
    """The report page of ``cycle`` as a browser with JavaScript shows it once every
    section has scrolled into view: each placeholder replaced by its section, as htmx asks
    for it (each of those reads is logged, like the page)."""
    html = client.get(reverse("audit:report", args=[cycle.pk])).content.decode()

    def section(match: re.Match[str]) -> str:
        response = client.get(match.group(1), HTTP_HX_REQUEST="true")
        assert response.status_code == 200, match.group(1)
        return response.content.decode()

    return PLACEHOLDER.sub(section, html)


def generated_at(html: str) -> str:
    """When the report a page shows was computed (its methods section says)."""
    found = re.search(r'Generated <time datetime="([^"]+)">', html)
    assert found, "no generation time on the page"
    return found.group(1)
