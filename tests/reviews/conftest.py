from __future__ import annotations

import datetime

import pytest

from reviews.models import Evidence, ReviewCycle
from reviews.services.cycles import cycle_create, cycle_transition
from reviews.services.evidence import evidence_create

START = datetime.date(2026, 1, 1)
END = datetime.date(2026, 6, 30)


def make_cycle(world, *, status: str = "open", name: str = "H1 2026") -> ReviewCycle:
    cycle = cycle_create(
        actor=world.hr.user,
        name=name,
        starts_on=START,
        ends_on=END,
        rubric_versions=[world.v1],
    )
    path = ["open", "calibrating", "finalized", "released"]
    for step in path[: path.index(status) + 1] if status != "draft" else []:
        cycle = cycle_transition(actor=world.hr.user, cycle=cycle, to=step)
    return cycle


def add_evidence(
    world, person, title: str, day: datetime.date, kind: str = "pull_request", by=None
) -> Evidence:
    return evidence_create(
        actor=(by or world.manager).user,
        person=person,
        title=title,
        occurred_on=day,
        kind=kind,
        url=f"https://github.com/acme/api/pull/{abs(hash(title)) % 10000}",
    )


@pytest.fixture
def cycle(world) -> ReviewCycle:
    return make_cycle(world)


@pytest.fixture
def evidence(world):
    """Three items in the engineer's library, spread through the period."""
    return [
        add_evidence(world, world.engineer, "Split the billing service", datetime.date(2026, 2, 3)),
        add_evidence(
            world,
            world.engineer,
            "Postmortem: queue backlog",
            datetime.date(2026, 3, 9),
            kind="postmortem",
        ),
        add_evidence(
            world,
            world.engineer,
            "Mentored two new joiners",
            datetime.date(2026, 4, 20),
            kind="mentoring",
        ),
    ]


def complete_assessments(evidence_ids: list[int], rating: str = "meets") -> list[dict]:
    return [
        {
            "competency": "execution",
            "rating": rating,
            "narrative": "Delivered the billing split on time.",
            "evidence": evidence_ids[:1],
        },
        {
            "competency": "collaboration",
            "rating": "meets",
            "narrative": "Ran the incident review with the payments team.",
            "evidence": evidence_ids[1:2],
        },
    ]
