"""How the fairness audit's documents are handed out (SPEC §6): the report (a page for
HR, JSON for the API), its CSV and its PDF. Each has one ``<document>_deliver``, which
the page view and the API view both call: the HR gate, the state check, the AuditRun row
(with its who-viewed-what AccessLog line, ``audit.services.audit_run_record``) and what
is handed out.

The PDF is built by the background worker (``audit.pdf_build``) and kept for the state
of the data it was computed from: asking again while nothing changed returns the same
PDF; after a change (a review, a calibration decision, a demographic answer, a word
list edit), a new one is built.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils.text import slugify

from audit import services
from audit.csv import report_csv
from audit.models import AuditRun, ReportPdf
from audit.pdf_build import report_pdf_state_key
from audit.presentation import report_outline
from audit.selectors.access import audit_reader_require
from audit.selectors.outcome_tables import min_size
from audit.selectors.report_cache import CachedReport, audit_report_cached, audit_report_entry
from audit.tasks import build_report_pdf
from core.background_documents import build_request
from org.types import Viewer
from reviews.models import ReviewCycle


def _file_name(cycle: ReviewCycle, extension: str) -> str:
    return f"fairness-audit-{cycle.pk}-{slugify(cycle.name)}.{extension}"


# --- The report ------------------------------------------------------------------------


def report_entry(*, user: Viewer, cycle: ReviewCycle, section: str = "") -> CachedReport:
    """The report of the cycle (computed once per state of its data, then cached), not
    yet logged: with ``section``, Http404 unless it names a ``part`` of
    ``presentation.report_outline``. Whoever hands it out logs it
    (``report_view_record``)."""
    actor = audit_reader_require(user=user)
    entry = audit_report_entry(user=actor, cycle=cycle)
    if section and section not in {s["part"] for s in report_outline(entry.head)}:
        raise Http404("No such section of the report.")
    return entry


def report_view_record(
    *, user: Viewer, cycle: ReviewCycle, path: str, page: bool, section: str = ""
) -> AuditRun:
    """Log one view of the report page (``page``; with ``section``, of one section of
    it) or of its JSON: every time it is handed out, also when the answer was kept
    from an earlier view of the same data."""
    actor = audit_reader_require(user=user)
    params: dict[str, Any] = {"min_group_size": min_size(None)}
    if section:
        params["section"] = section
    return services.audit_run_record(
        actor=actor,
        cycle=cycle,
        kind=AuditRun.Kind.REPORT_HTML if page else AuditRun.Kind.REPORT,
        params=params,
        path=path,
    )


def report_deliver(
    *, user: Viewer, cycle: ReviewCycle, path: str, page: bool, section: str = ""
) -> CachedReport:
    """``report_entry``, logged (``report_view_record``)."""
    entry = report_entry(user=user, cycle=cycle, section=section)
    report_view_record(user=user, cycle=cycle, path=path, page=page, section=section)
    return entry


def report_csv_deliver(*, user: Viewer, cycle: ReviewCycle, path: str) -> HttpResponse:
    """The report's outcome tables as a CSV download (the same cached numbers as the
    page), logged."""
    actor = audit_reader_require(user=user)
    report = audit_report_cached(user=actor, cycle=cycle)
    services.audit_run_record(
        actor=actor,
        cycle=cycle,
        kind=AuditRun.Kind.REPORT_CSV,
        params={"min_group_size": report["min_group_size"]},
        path=path,
    )
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(cycle, "csv")}"'
    return response


# --- The PDF ---------------------------------------------------------------------------


def report_pdf_current(
    *, user: Viewer, cycle: ReviewCycle, state: str | None = None
) -> ReportPdf | None:
    """The PDF (built, building or failed) for the data as it is now, if one was asked for
    (``state``: the report's state key, when the caller has just read it)."""
    audit_reader_require(user=user)
    # Not the PDF itself: it is read when it is downloaded.
    return (
        ReportPdf.objects.filter(cycle=cycle, state_key=report_pdf_state_key(cycle, state))
        .defer("pdf")
        .first()
    )


def report_pdf_request(*, user: Viewer, cycle: ReviewCycle) -> ReportPdf:
    """The PDF for the data as it is now: found, or created and queued for the background
    worker (`manage.py worker`). A failed build, or one whose worker died, is queued
    again (core.background_documents)."""
    actor = audit_reader_require(user=user)
    return build_request(
        ReportPdf,
        key={"cycle": cycle, "state_key": report_pdf_state_key(cycle)},
        user=actor,
        task=build_report_pdf,
    )


def report_pdf_deliver(
    *, user: Viewer, cycle: ReviewCycle, pdf: ReportPdf | None, path: str, attachment: bool
) -> HttpResponse | None:
    """Hand the PDF to HR when it is built (the page downloads it, the API shows it
    inline), logging the delivery. None while it is not built for the data as it is now:
    the caller says so its own way (the page leads back to the progress page, the API
    answers 202 with the progress)."""
    actor = audit_reader_require(user=user)
    if pdf is None or pdf.status != ReportPdf.Status.DONE or not pdf.pdf:
        return None
    services.audit_run_record(
        actor=actor, cycle=cycle, kind=AuditRun.Kind.REPORT_PDF, params={"pdf": pdf.pk}, path=path
    )
    response = HttpResponse(bytes(pdf.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'{"attachment" if attachment else "inline"}; filename="{_file_name(cycle, "pdf")}"'
    )
    return response
