"""Role-test rows for calibration pages (imported by tests/test_routes.py).

world.calib.session is Team A's open session (see build_route_world in tests/test_routes.py):
other_manager (the committee role) facilitates it and is its only member; the manager sits
on Team B's session only, so Team A's is invisible to them (404), as it is to the engineer,
one of its subjects, and to the director (the chain alone gives no session). HR (and a
superuser) sees every session but is not on this committee: HR reads the board, the cases
and the pre-read packet, and is refused (403) what only the committee does (deciding).
"""

from __future__ import annotations

from tests.route_cases import ANON_HTML, NO_ARGS, Case, everyone, hr_only, roles


def _session(w):
    return [w.calib.session.pk]


def _case(w):
    return [w.calib.case.pk]


ROUTES: list[Case] = [
    Case(
        "calibration:apply-promotions",
        "post",
        lambda w: [w.calib.cycle.pk],
        hr_only(400, 404, ANON_HTML),
        data=lambda w: {"effective_on": "2025-12-31"},
        note="cycle still calibrating: refused on the page",
    ),
    Case(
        "calibration:apply-promotions",
        "get",
        lambda w: [w.calib.cycle.pk],
        everyone(405, ANON_HTML),
        note="POST only",
    ),
    Case("calibration:sessions", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case(
        "calibration:sessions",
        "post",
        NO_ARGS,
        hr_only(302, 403, ANON_HTML),
        data=lambda w: {
            "cycle": w.calib.cycle.pk,
            "name": "Levels 5+",
            "facilitator": w.director.pk,
            "committee": [w.director.pk],
            "scope_levels": "L5",
        },
    ),
    Case(
        "calibration:session",
        "get",
        _session,
        roles(404, ANON_HTML, committee=200, hr=200, superuser=200),
    ),
    Case(
        "calibration:session",
        "get",
        lambda w: [w.calib.other_session.pk],
        roles(404, ANON_HTML, manager=200, hr=200, superuser=200),
        note="Team B's session",
    ),
    # HR's refusal (already open) comes back to the board as a message.
    Case(
        "calibration:session-open",
        "post",
        _session,
        roles(404, ANON_HTML, committee=403, hr=302, superuser=302),
        note="already open",
    ),
    Case("calibration:session-open", "get", _session, everyone(405, ANON_HTML), note="POST only"),
    Case(
        "calibration:session-finalize",
        "post",
        _session,
        roles(404, ANON_HTML, committee=302, hr=302, superuser=302),
        note="cases pending: refused with a message",
    ),
    Case(
        "calibration:session-finalize",
        "get",
        _session,
        everyone(405, ANON_HTML),
        note="POST only",
    ),
    Case(
        "calibration:log",
        "get",
        _session,
        roles(404, ANON_HTML, committee=200, hr=200, superuser=200),
    ),
    Case(
        "calibration:packet",
        "get",
        _session,
        roles(404, ANON_HTML, committee=200, hr=200, superuser=200),
        note="the committee and HR",
    ),
    Case(
        "calibration:packet-status",
        "get",
        _session,
        roles(404, ANON_HTML, committee=200, hr=200, superuser=200),
        note="the committee and HR",
    ),
    Case(
        "calibration:packet-download",
        "get",
        _session,
        roles(404, ANON_HTML, committee=302, hr=302, superuser=302),
        note="not built yet: back to the packet page",
    ),
    Case(
        "calibration:export",
        "get",
        _session,
        roles(404, ANON_HTML, committee=403, hr=409, superuser=409),
        note="HR only, once finalized",
    ),
    Case(
        "calibration:case",
        "get",
        _case,
        roles(404, ANON_HTML, committee=200, hr=200, superuser=200),
    ),
    Case(
        "calibration:case",
        "post",
        _case,
        roles(404, ANON_HTML, committee=302, hr=403, superuser=403),
        data=lambda w: {"version": 1, "calibrated_rating": "exceeds"},
        note="keeps the proposed rating: no rationale needed",
    ),
]
