from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from calibration import services as calibration
from calibration.models import CalibrationCase
from reviews.services.cycles import cycle_create, cycle_transition
from reviews.services.reviews import review_create, review_submit, review_update
from tests.reviews.conftest import add_evidence

START = datetime.date(2025, 7, 1)
END = datetime.date(2025, 12, 31)


def submitted_review(world, cycle, person, *, rating="meets", promotion_to=""):
    ev = [
        add_evidence(world, person, f"{person.pk}-a", datetime.date(2025, 8, 1), by=person.parent),
        add_evidence(
            world,
            person,
            f"{person.pk}-b",
            datetime.date(2025, 9, 15),
            kind="mentoring",
            by=person.parent,
        ),
    ]
    manager = person.parent
    review = review_create(actor=manager.user, cycle=cycle, subject=person)
    review_update(
        actor=manager.user,
        review=review,
        version=review.version,
        overall_rating=rating,
        promotion_to=promotion_to,
        narrative={
            "ownership": "Owned the billing split.",
            "impact": "Errors fell by half.",
            "outcomes": "p95 latency down 40%.",
            "growth": "Lead a design review.",
            "context": "A migration took half the period.",
        },
        assessments=[
            {
                "competency": "execution",
                "rating": rating,
                "evidence": [ev[0].pk],
                "narrative": "Delivered the split with a staged rollout.",
            },
            {
                "competency": "collaboration",
                "rating": rating,
                "evidence": [ev[1].pk],
                "narrative": "Mentored two new joiners.",
            },
        ],
    )
    review.refresh_from_db()
    return review_submit(actor=manager.user, review=review)


def build_calibration(world) -> SimpleNamespace:
    """A calibrating cycle with submitted reviews of everyone on the IC ladder, and two
    sessions:

    - session: Team A (engineer, with a promotion nomination to L5, and teammate);
      committee = other_manager (also the facilitator) and hr's colleague director.
    - other_session: Team B (other_engineer); committee = manager.

    So for `session`: other_manager decides, director decides, manager (on another
    committee) and engineer (a subject) get 404, HR sees all.
    """
    cycle = cycle_create(
        actor=world.hr.user,
        name="H2 2025",
        starts_on=START,
        ends_on=END,
        rubric_versions=[world.v1],
    )
    cycle = cycle_transition(actor=world.hr.user, cycle=cycle, to="open")
    r_eng = submitted_review(world, cycle, world.engineer, rating="exceeds", promotion_to="L5")
    r_mate = submitted_review(world, cycle, world.teammate, rating="meets")
    r_other = submitted_review(world, cycle, world.other_engineer, rating="meets")
    cycle = cycle_transition(actor=world.hr.user, cycle=cycle, to="calibrating")
    session = calibration.session_create(
        actor=world.hr.user,
        cycle=cycle,
        name="Team A calibration",
        facilitator=world.other_manager,
        committee=[world.other_manager, world.director],
        scope_teams=[world.team_a],
    )
    session = calibration.session_open(actor=world.hr.user, session=session)
    other_session = calibration.session_create(
        actor=world.hr.user,
        cycle=cycle,
        name="Team B calibration",
        facilitator=world.manager,
        committee=[world.manager],
        scope_teams=[world.team_b],
    )
    other_session = calibration.session_open(actor=world.hr.user, session=other_session)
    cases = {(c.subject_id, c.kind): c for c in CalibrationCase.objects.filter(session=session)}
    return SimpleNamespace(
        cycle=cycle,
        session=session,
        other_session=other_session,
        review=r_eng,
        teammate_review=r_mate,
        other_review=r_other,
        case=cases[(world.engineer.pk, "rating")],
        promo_case=cases[(world.engineer.pk, "promotion")],
        teammate_case=cases[(world.teammate.pk, "rating")],
    )


def run_task_worker() -> int:
    """Run every queued background task the way `manage.py db_worker` does (claim it, run
    it, record the result), without the polling loop's connection recycling, which would
    close the connection a test's transaction lives on."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        result = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
        if result is None:
            return ran
        result.claim("test-worker")
        worker.run_task(result)
        ran += 1


@pytest.fixture
def calib(world) -> SimpleNamespace:
    return build_calibration(world)
