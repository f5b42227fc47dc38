"""Role-test rows (imported by tests/test_routes.py): the fairness-audit API, HR only;
everyone else gets 404 (SPEC §3)."""

from __future__ import annotations

from tests.route_cases import ANON_API, NO_ARGS, Case, hr_only

ROUTES: list[Case] = [
    Case(
        "api:audit-outcomes",
        "get",
        NO_ARGS,
        hr_only(200, 404, ANON_API),
        api=True,
        query="cycle={cycle}&dimension=team&outcome=high_rating",
    ),
    Case(
        "api:audit-report",
        "get",
        NO_ARGS,
        hr_only(200, 404, ANON_API),
        api=True,
        query="cycle={cycle}",
    ),
    # 202: the PDF is queued for the background worker.
    Case(
        "api:audit-report-pdf",
        "get",
        NO_ARGS,
        hr_only(202, 404, ANON_API),
        api=True,
        query="cycle={cycle}",
    ),
]
