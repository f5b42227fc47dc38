"""Role-test rows for the outcome letter (imported by tests/test_routes.py).

In the route world (build_route_world in tests/test_routes.py) nothing is released yet, so
whoever can see a review gets 409 (the letter does not exist yet) and everyone else 404;
the subject cannot see their own review before release (404). The released letter is
tested in tests/calibration/test_documents.py.
"""

from __future__ import annotations

from tests.route_cases import ANON_HTML, Case, roles

# The review in calibration: its subject (not released: 404), the subject's manager chain,
# the committee of its session (through its case) and HR can see it: 409. The draft in
# the open cycle: only the manager chain and HR.
ROUTES: list[Case] = [
    Case(
        "calibration:letter",
        "get",
        lambda w: [w.calib.review.pk],
        roles(409, ANON_HTML, engineer=404, teammate=404, respondent=404, no_person=404),
        note="submitted, in calibration",
    ),
    Case(
        "calibration:letter",
        "get",
        lambda w: [w.review.pk],
        roles(404, ANON_HTML, manager=409, director=409, hr=409, superuser=409),
        note="draft",
    ),
    Case(
        "calibration:letter-pdf",
        "get",
        lambda w: [w.calib.review.pk],
        roles(409, ANON_HTML, engineer=404, teammate=404, respondent=404, no_person=404),
        note="submitted, in calibration",
    ),
    Case(
        "calibration:letter-pdf",
        "get",
        lambda w: [w.review.pk],
        roles(404, ANON_HTML, manager=409, director=409, hr=409, superuser=409),
        note="draft",
    ),
]
