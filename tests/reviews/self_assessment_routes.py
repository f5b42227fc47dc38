"""Role-test rows for the self-assessment pages and API (imported by tests/test_routes.py).

extend_world adds w.sa, the engineer's draft in the open w.cycle (only its subject sees
it), and w.sa_done, the engineer's submitted one in the calibrating w.calib.cycle (the
engineer, their manager chain, HR, a superuser and the Team A committee read it; only the
engineer would write it, and it is immutable). w.sa_done is written with the models: the
service takes self-assessments only while a cycle is open, and w.calib.cycle has moved on.
"""

from __future__ import annotations

from types import SimpleNamespace

from tests.route_cases import ANON_API, ANON_HTML, NO_ARGS, Case, everyone, roles


def _draft(w):
    return [w.sa.pk]


def _done(w):
    return [w.sa_done.pk]


# Who reads a submitted self-assessment: the subject, their chain, HR, their committee.
READERS = ("engineer", "manager", "director", "committee", "hr", "superuser")


def _readers(code: int, anon: int, **cells: int) -> dict[str, int]:
    return roles(404, anon, **{**dict.fromkeys(READERS, code), **cells})


ROUTES: list[Case] = [
    # --- Pages ---
    Case("reviews:self-assessments", "get", NO_ARGS, everyone(200, ANON_HTML)),
    # Every refusal (already has one, no ladder, no person record) comes back as a message.
    Case(
        "reviews:self-assessment-start",
        "post",
        NO_ARGS,
        everyone(302, ANON_HTML),
        data=lambda w: {"cycle": w.cycle.pk},
    ),
    Case(
        "reviews:self-assessment-start",
        "get",
        NO_ARGS,
        everyone(405, ANON_HTML),
        note="POST only",
    ),
    Case(
        "reviews:self-assessment",
        "get",
        _draft,
        roles(404, ANON_HTML, engineer=200),
        note="draft",
    ),
    Case("reviews:self-assessment", "get", _done, _readers(200, ANON_HTML), note="submitted"),
    Case(
        "reviews:self-assessment-edit",
        "get",
        _draft,
        roles(404, ANON_HTML, engineer=200),
        note="draft",
    ),
    Case(
        "reviews:self-assessment-edit",
        "get",
        _done,
        _readers(403, ANON_HTML, engineer=302),
        note="submitted: the subject goes to the read view",
    ),
    Case(
        "reviews:self-assessment-edit",
        "post",
        _draft,
        roles(404, ANON_HTML, engineer=302),
        data=lambda w: {"version": w.sa.version, "ownership": "I owned the billing split."},
    ),
    Case(
        "reviews:self-assessment-lint",
        "post",
        _draft,
        roles(404, ANON_HTML, engineer=200),
        data=lambda w: {"version": w.sa.version, "ownership": "Not strategic."},
    ),
    Case(
        "reviews:self-assessment-lint",
        "get",
        _draft,
        everyone(405, ANON_HTML),
        note="POST only",
    ),
    Case(
        "reviews:self-assessment-submit",
        "post",
        _draft,
        roles(404, ANON_HTML, engineer=400),
        data=lambda w: {"version": w.sa.version},
        note="nothing written yet",
    ),
    Case(
        "reviews:self-assessment-submit",
        "get",
        _draft,
        everyone(405, ANON_HTML),
        note="POST only",
    ),
    # --- API ---
    Case("api:self-assessment-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:self-assessment-list",
        "post",
        NO_ARGS,
        # teammate and respondent are on a ladder with none yet; the engineer has one;
        # managers and HR have no ladder; superuser and no_person no person record.
        roles(400, ANON_API, teammate=201, respondent=201, superuser=403, no_person=403),
        api=True,
        data=lambda w: {"cycle": w.cycle.pk},
    ),
    Case(
        "api:self-assessment-detail",
        "get",
        _draft,
        roles(404, ANON_API, engineer=200),
        api=True,
        note="draft",
    ),
    Case(
        "api:self-assessment-detail",
        "get",
        _done,
        _readers(200, ANON_API),
        api=True,
        note="submitted",
    ),
    Case(
        "api:self-assessment-detail",
        "patch",
        _draft,
        roles(404, ANON_API, engineer=200),
        api=True,
        data=lambda w: {"version": w.sa.version, "narrative": {"impact": "Errors halved."}},
        note="draft",
    ),
    Case(
        "api:self-assessment-detail",
        "patch",
        _done,
        _readers(403, ANON_API, engineer=409),
        api=True,
        data=lambda w: {"version": w.sa_done.version, "narrative": {"impact": "Changed."}},
        note="submitted: immutable",
    ),
    Case(
        "api:self-assessment-submit",
        "post",
        _draft,
        roles(404, ANON_API, engineer=400),
        api=True,
        data=lambda w: {},
        note="nothing written yet",
    ),
]


def extend_world(w: SimpleNamespace) -> None:
    """Add what these routes act on to the route world (called by build_route_world)."""
    from reviews.models import SelfAssessment, SelfAssessmentItem
    from reviews.services.self_assessments import self_assessment_create

    w.sa = self_assessment_create(actor=w.engineer.user, cycle=w.cycle)
    w.sa_done = SelfAssessment.objects.create(
        cycle=w.calib.cycle,
        subject=w.engineer,
        rubric_version=w.calib.review.rubric_version,
        status=SelfAssessment.Status.SUBMITTED,
        impact="Halved the checkout errors.",
    )
    SelfAssessmentItem.objects.create(
        self_assessment=w.sa_done, competency="execution", rating="exceeds", order=1
    )
