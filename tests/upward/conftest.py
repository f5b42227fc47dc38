"""Helpers for the upward feedback tests: a manager ladder, a manager with enough reports."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import override_settings

from tests.factories import make_ladder, make_person
from upward import services
from upward.models import UpwardRound

MANAGER_COMPETENCIES = ["coaching", "delivery", "hiring", "strategy"]


def add_manager_ladder(
    w: SimpleNamespace, *, slug: str = "engineering-manager", name: str = "Engineering Manager"
) -> None:
    """The Engineering Manager ladder (the route world has only the IC one)."""
    w.em_ladder, w.em_v1 = make_ladder(
        w.root,
        slug=slug,
        name=name,
        level_codes=["M1", "M2"],
        competency_keys=MANAGER_COMPETENCIES,
    )


def round_on_manager(w: SimpleNamespace, **kw: object) -> UpwardRound:
    """The director asks the manager's two reports (the engineer and the teammate). With
    only two reports the threshold is lowered to 2 for the asking."""
    with override_settings(ANONYMOUS_MIN_RESPONSES=2):
        return services.round_create(actor=w.director.user, subject=w.manager, **kw)  # type: ignore[arg-type]


def answer(
    person: object, upward_round: UpwardRound, choice: str = "often", comment: str = ""
) -> None:
    answers = {
        p["key"]: {"choice": choice, "comment": f"{comment} ({p['key']})" if comment else ""}
        for p in upward_round.prompts
    }
    services.round_answer(actor=person.user, round=upward_round, answers=answers)  # type: ignore[attr-defined]


@pytest.fixture
def upward_world(world: SimpleNamespace) -> SimpleNamespace:
    """The cast, the manager ladder, and three more reports for the manager (five in all),
    so rounds on the manager pass the default threshold of 3."""
    add_manager_ladder(world)
    world.extra_reports = [
        make_person(
            world.root,
            f"report{i}",
            team=world.team_a,
            manager=world.manager,
            full_name=f"Rhea Report{i}",
        )
        for i in range(3)
    ]
    world.reports = [world.engineer, world.teammate, *world.extra_reports]
    return world
