"""Role-test rows for the reviews app's HTML pages (imported by tests/test_routes.py).

Evidence, feedback, check-ins and cycles. The route world (build_route_world in
tests/test_routes.py) provides w.cycle (open), w.ev (the engineer's evidence), w.fb (the
manager asked other_engineer, the respondent, about the engineer) and w.ci (a check-in of
the engineer). The committee role sits on the session holding the engineer's and the
teammate's cases, so it reads their evidence (SPEC §3) but may not add to it.
"""

from __future__ import annotations

from tests.route_cases import ANON_HTML, NO_ARGS, Case, everyone, hr_only, roles

ROUTES: list[Case] = [
    # --- Evidence libraries --------------------------------------------------------------
    Case("reviews:my-evidence", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case(
        "reviews:my-evidence",
        "post",
        NO_ARGS,
        roles(302, ANON_HTML, superuser=403, no_person=403),
        data=lambda w: {"title": "Ran the retro", "occurred_on": "2026-03-03"},
    ),
    Case(
        "reviews:person-evidence",
        "get",
        lambda w: [w.engineer.pk],
        roles(200, ANON_HTML, teammate=404, respondent=404, no_person=404),
        note="the engineer's library",
    ),
    Case(
        "reviews:person-evidence",
        "post",
        lambda w: [w.engineer.pk],
        roles(
            302,
            ANON_HTML,
            teammate=404,
            committee=403,
            respondent=404,
            hr=403,
            superuser=403,
            no_person=404,
        ),
        data=lambda w: {"title": "Design doc", "occurred_on": "2026-03-03"},
        note="the engineer's library",
    ),
    Case(
        "reviews:person-evidence",
        "get",
        lambda w: [w.teammate.pk],
        roles(200, ANON_HTML, engineer=404, respondent=404, no_person=404),
        note="a teammate's library",
    ),
    # --- Feedback ------------------------------------------------------------------------
    Case("reviews:feedback-inbox", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case("reviews:feedback-new", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case(
        "reviews:feedback-new",
        "post",
        NO_ARGS,
        roles(
            400, ANON_HTML, engineer=302, manager=302, director=302, superuser=403, no_person=403
        ),
        data=lambda w: {
            "subject": w.engineer.pk,
            "respondent": w.teammate.pk,
            "relationship": "peer",
            "cycle": w.cycle.pk,
        },
        note="about the engineer",
    ),
    Case(
        "reviews:feedback-answer",
        "get",
        lambda w: [w.fb.pk],
        roles(200, ANON_HTML, teammate=404, committee=404, no_person=404),
    ),
    Case(
        "reviews:feedback-answer",
        "post",
        lambda w: [w.fb.pk],
        roles(403, ANON_HTML, teammate=404, committee=404, respondent=302, no_person=404),
        data=lambda w: {"owned": "The billing split", "changed": "Faster invoices"},
        note="answer",
    ),
    Case(
        "reviews:feedback-answer",
        "post",
        lambda w: [w.fb.pk],
        roles(403, ANON_HTML, teammate=404, committee=404, respondent=302, no_person=404),
        data=lambda w: {"decline": "1"},
        note="decline",
    ),
    # --- Check-ins -----------------------------------------------------------------------
    Case("reviews:check-ins", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case(
        "reviews:person-check-ins",
        "get",
        lambda w: [w.engineer.pk],
        roles(404, ANON_HTML, engineer=200, manager=200, director=200),
    ),
    Case(
        "reviews:person-check-ins",
        "post",
        lambda w: [w.engineer.pk],
        roles(404, ANON_HTML, engineer=302, manager=302, director=302),
        data=lambda w: {"occurred_on": "2026-03-03", "what_changed": "Shipped the importer"},
    ),
    Case(
        "reviews:check-in-promote",
        "post",
        lambda w: [w.ci.pk],
        roles(404, ANON_HTML, engineer=302, manager=302, director=302),
        data=lambda w: {"item": "what_changed", "title": "Billing on-call", "kind": "on_call"},
    ),
    # --- Cycles (HR only; to everyone else they do not exist) ----------------------------
    Case("reviews:cycles", "get", NO_ARGS, hr_only(200, 404, ANON_HTML)),
    Case(
        "reviews:cycles",
        "post",
        NO_ARGS,
        hr_only(302, 404, ANON_HTML),
        data=lambda w: {
            "name": "H2 2026",
            "starts_on": "2026-07-01",
            "ends_on": "2026-12-31",
            "rubric_versions": [w.v1.pk],
        },
    ),
    Case("reviews:cycle", "get", lambda w: [w.cycle.pk], hr_only(200, 404, ANON_HTML)),
    Case(
        "reviews:cycle-transition",
        "post",
        lambda w: [w.cycle.pk],
        hr_only(302, 404, ANON_HTML),
        data=lambda w: {"to": "calibrating", "confirm": "on"},
        note="open → calibrating",
    ),
    Case(
        "reviews:cycle-transition",
        "post",
        lambda w: [w.cycle.pk],
        hr_only(409, 404, ANON_HTML),
        data=lambda w: {"to": "released", "confirm": "on"},
        note="open → released is forbidden",
    ),
]
