"""Role-test rows for the appeal pages and API (imported by tests/test_routes.py).

``extend_world`` adds ``w.appeals``: a third cycle (2024), released, with the engineer's
review (written by the manager, outside any calibration session) and an open appeal by
the engineer on it. Who sees the appeal: the engineer, their manager chain (manager,
director) and HR (hr, superuser); everyone else gets 404, the committee member included.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from tests.route_cases import ANON_API, ANON_HTML, NO_ARGS, Case, everyone, roles

# Who can see the appeal and its review: the subject, their manager chain, HR.
SEES = {"engineer": 200, "manager": 200, "director": 200, "hr": 200, "superuser": 200}
RESOLVE_FORM = {
    "resolution": "upheld",
    "resolution_note": "The review's evidence meets the L4 execution expectation.",
    "rubric_refs": ["L4|execution"],
}
RESOLVE_API = {
    "resolution": "upheld",
    "resolution_note": "The review's evidence meets the L4 execution expectation.",
    "rubric_refs": [{"level": "L4", "competency": "execution"}],
}

ROUTES: list[Case] = [
    Case("calibration:appeals", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case(
        "calibration:appeal", "get", lambda w: [w.appeals.appeal.pk], roles(404, ANON_HTML, **SEES)
    ),
    Case(
        "calibration:appeal",
        "post",
        lambda w: [w.appeals.appeal.pk],
        roles(404, ANON_HTML, engineer=403, manager=403, director=403, hr=302, superuser=302),
        data=lambda w: RESOLVE_FORM,
        note="HR resolves",
    ),
    Case(
        "calibration:appeal-open",
        "get",
        lambda w: [w.appeals.review.pk],
        roles(404, ANON_HTML, engineer=302, manager=403, director=403, hr=403, superuser=403),
        note="already appealed: the subject is sent to the appeal",
    ),
    Case(
        "calibration:appeal-open",
        "post",
        lambda w: [w.appeals.review.pk],
        roles(404, ANON_HTML, engineer=409, manager=403, director=403, hr=403, superuser=403),
        data=lambda w: {"reason": "A second appeal."},
        note="a second appeal",
    ),
    Case("api:appeal-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:appeal-list",
        "post",
        NO_ARGS,
        roles(400, ANON_API, engineer=409, manager=403, director=403, hr=403, superuser=403),
        api=True,
        data=lambda w: {"review": w.appeals.review.pk, "reason": "A second appeal."},
        note="a second appeal; an unseen review reads as no such review (400)",
    ),
    Case(
        "api:appeal-detail",
        "get",
        lambda w: [w.appeals.appeal.pk],
        roles(404, ANON_API, **SEES),
        api=True,
    ),
    Case(
        "api:appeal-resolve",
        "post",
        lambda w: [w.appeals.appeal.pk],
        roles(404, ANON_API, engineer=403, manager=403, director=403, hr=200, superuser=200),
        api=True,
        data=lambda w: RESOLVE_API,
    ),
]


def released_review(w: SimpleNamespace, *, name: str, year: int, subjects: list[str]) -> dict:
    """A cycle of ``year`` taken through to released, with a submitted review (rated
    "meets") of each cast member named in ``subjects``; no calibration session."""
    from reviews.services.cycles import cycle_create, cycle_transition
    from tests.calibration.conftest import submitted_review

    cycle = cycle_create(
        actor=w.hr.user,
        name=name,
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 6, 30),
        rubric_versions=[w.v1],
    )
    cycle = cycle_transition(actor=w.hr.user, cycle=cycle, to="open")
    reviews = {s: submitted_review(w, cycle, getattr(w, s), rating="meets") for s in subjects}
    for to in ("calibrating", "finalized", "released"):
        cycle = cycle_transition(actor=w.hr.user, cycle=cycle, to=to)
    for review in reviews.values():
        review.refresh_from_db()
    return {"cycle": cycle, **reviews}


def extend_world(w: SimpleNamespace) -> None:
    """Add what these routes act on to the route world (called by build_route_world)."""
    from calibration.appeals import appeal_open

    made = released_review(w, name="H1 2024", year=2024, subjects=["engineer"])
    review = made["engineer"]
    appeal = appeal_open(
        actor=w.engineer.user, review=review, reason="The execution rating misses the migration."
    )
    w.appeals = SimpleNamespace(cycle=made["cycle"], review=review, appeal=appeal)
