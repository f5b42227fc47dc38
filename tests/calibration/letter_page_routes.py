"""Role-test rows for the outcome letter (imported by tests/test_routes.py).

In the `extras` world nothing is released yet, so whoever can see a review gets 409 (the
letter does not exist yet) and everyone else 404; the subject cannot see their own review
before release (404). The released letter is tested in tests/calibration/test_documents.py.
"""

from __future__ import annotations

from tests.route_cases import ANON_HTML, Case

# engineer: the subject (not released: 404); manager: the subject's manager; other_manager:
# on the committee of the engineer's session (sees the review through its case).
NOT_RELEASED = {
    "anonymous": ANON_HTML,
    "engineer": 404,
    "manager": 409,
    "other_manager": 409,
    "hr": 409,
}
# A draft in another cycle: only the subject's manager chain and HR can see it.
DRAFT = {**NOT_RELEASED, "other_manager": 404}

ROUTES: list[Case] = [
    Case(
        "calibration:letter",
        "get",
        lambda w: [w.calib.review.pk],
        NOT_RELEASED,
        note="submitted, in calibration",
    ),
    Case("calibration:letter", "get", lambda w: [w.review.pk], DRAFT, note="draft"),
    Case(
        "calibration:letter-pdf",
        "get",
        lambda w: [w.calib.review.pk],
        NOT_RELEASED,
        note="submitted, in calibration",
    ),
    Case("calibration:letter-pdf", "get", lambda w: [w.review.pk], DRAFT, note="draft"),
]
