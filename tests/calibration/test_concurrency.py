"""Real concurrent transactions (PostgreSQL): two members deciding, two finalizes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from calibration import services
from calibration.models import CalibrationCase, DecisionLog
from core.errors import ConflictError
from reviews.models import Review

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL; CI runs the suite on PostgreSQL too",
    ),
]


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment in separate threads (separate connections)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def decide_all(world, calib) -> None:
    refs = [{"level": "L5", "competency": "execution"}]
    for case in CalibrationCase.objects.filter(session=calib.session):
        services.case_decide(
            actor=world.other_manager.user,
            case=case,
            version=case.version,
            **(
                {"promotion_decision": "approved"}
                if case.kind == "promotion"
                else {"calibrated_rating": case.proposed_rating}
            ),
            rationale="Per the rubric.",
            rubric_refs=refs,
        )


def test_two_finalizes_at_once_finalize_once(world, calib):
    decide_all(world, calib)
    versions = dict(Review.objects.values_list("pk", "version"))
    results = race(
        lambda: services.session_finalize(actor=world.hr.user, session=calib.session),
        lambda: services.session_finalize(actor=world.other_manager.user, session=calib.session),
    )
    successes = [r for r in results if not isinstance(r, Exception)]
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(successes) == 1, results
    assert len(failures) == 1 and isinstance(failures[0], ConflictError)
    assert (
        DecisionLog.objects.filter(session=calib.session, action="session_finalized").count() == 1
    )
    # each review written back exactly once
    for review in Review.objects.filter(calibration_cases__session=calib.session).distinct():
        assert review.version == versions[review.pk] + 1
        assert review.status == "calibrated"


def test_two_members_deciding_the_same_version_one_gets_a_conflict(world, calib):
    case = calib.case
    refs = [{"level": "L4", "competency": "execution"}]
    results = race(
        lambda: services.case_decide(
            actor=world.other_manager.user,
            case=case,
            version=1,
            calibrated_rating="meets",
            rationale="Meets L4.",
            rubric_refs=refs,
        ),
        lambda: services.case_decide(
            actor=world.director.user,
            case=case,
            version=1,
            calibrated_rating="below",
            rationale="Below L4.",
            rubric_refs=refs,
        ),
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert any(isinstance(r, ConflictError) and r.code == "stale_version" for r in results)
    assert DecisionLog.objects.filter(case=case).count() == 1
    case.refresh_from_db()
    assert case.version == 2
