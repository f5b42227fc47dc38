"""Role-test rows for the fairness audit pages (imported by tests/test_routes.py): HR
only; everyone else gets 404 so the audit is not revealed (SPEC §3)."""

from __future__ import annotations

from tests.route_cases import ANON_HTML, NO_ARGS, Case, hr_only


def _cycle(w):
    return [w.cycle.pk]


ROUTES: list[Case] = [
    Case("audit:index", "get", NO_ARGS, hr_only(200, 404, ANON_HTML)),
    Case("audit:report", "get", _cycle, hr_only(200, 404, ANON_HTML)),
    # The report page's sections, each at its own address (loaded on demand).
    Case(
        "audit:report-dimension",
        "get",
        lambda w: [w.cycle.pk, "team"],
        hr_only(200, 404, ANON_HTML),
    ),
    Case(
        "audit:report-section",
        "get",
        lambda w: [w.cycle.pk, "comparison"],
        hr_only(200, 404, ANON_HTML),
    ),
    Case("audit:csv", "get", _cycle, hr_only(200, 404, ANON_HTML)),
    Case("audit:compare", "get", NO_ARGS, hr_only(200, 404, ANON_HTML)),
    # Asking for the PDF queues its build and shows the progress page.
    Case("audit:pdf", "get", _cycle, hr_only(200, 404, ANON_HTML)),
    Case("audit:pdf-status", "get", _cycle, hr_only(200, 404, ANON_HTML)),
    # Before it is built, the download leads HR back to the progress page.
    Case("audit:pdf-download", "get", _cycle, hr_only(302, 404, ANON_HTML)),
]
