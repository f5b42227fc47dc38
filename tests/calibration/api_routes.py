"""Role-test rows (imported by tests/test_routes.py): the calibration API. world.calib:
see build_route_world in tests/test_routes.py (other_manager, the committee role,
facilitates the engineer's session and is its only member)."""

from __future__ import annotations

from tests.route_cases import ANON_API, NO_ARGS, Case, everyone, hr_only, roles

ROUTES: list[Case] = [
    Case(
        "api:cycle-apply-promotions",
        "post",
        lambda w: [w.calib.cycle.pk],
        hr_only(409, 403, ANON_API),
        api=True,
        data=lambda w: {"effective_on": "2025-12-31"},
        note="cycle still calibrating",
    ),
    Case(
        "api:cycle-apply-promotions",
        "get",
        lambda w: [w.calib.cycle.pk],
        everyone(405, ANON_API),
        api=True,
        note="POST only",
    ),
    Case("api:calibration-session-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:calibration-session-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {
            "cycle": w.calib.cycle.pk,
            "name": "Levels 5+",
            "facilitator": w.director.pk,
            "committee": [w.director.pk],
            "scope": {"levels": ["L5"]},
        },
    ),
    Case(
        "api:calibration-session-detail",
        "get",
        lambda w: [w.calib.session.pk],
        roles(404, ANON_API, committee=200, hr=200, superuser=200),
        api=True,
    ),
    Case(
        "api:calibration-session-open",
        "post",
        lambda w: [w.calib.session.pk],
        roles(404, ANON_API, committee=403, hr=409, superuser=409),
        api=True,
        note="already open",
    ),
    Case(
        "api:calibration-session-finalize",
        "post",
        lambda w: [w.calib.session.pk],
        roles(404, ANON_API, committee=409, hr=409, superuser=409),
        api=True,
        note="cases pending",
    ),
    Case(
        "api:calibration-session-log",
        "get",
        lambda w: [w.calib.session.pk],
        roles(404, ANON_API, committee=200, hr=200, superuser=200),
        api=True,
    ),
    Case(
        "api:calibration-session-packet",
        "get",
        lambda w: [w.calib.session.pk],
        roles(404, ANON_API, committee=202, hr=202, superuser=202),
        api=True,
        note="the committee and HR",
    ),
    Case("api:calibration-case-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:calibration-case-detail",
        "get",
        lambda w: [w.calib.case.pk],
        roles(404, ANON_API, committee=200, hr=200, superuser=200),
        api=True,
    ),
    Case(
        "api:calibration-case-detail",
        "patch",
        lambda w: [w.calib.case.pk],
        roles(404, ANON_API, committee=200, hr=403, superuser=403),
        api=True,
        data=lambda w: {"version": 1, "calibrated_rating": "exceeds"},
    ),
    Case(
        "api:review-outcome",
        "get",
        lambda w: [w.review.pk],
        roles(404, ANON_API, manager=409, director=409, hr=409, superuser=409),
        api=True,
        note="not released yet",
    ),
]
