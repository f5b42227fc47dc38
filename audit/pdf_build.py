"""Building the fairness audit report as a PDF (SPEC §6): the same sections, charts and
tables as the report page, laid out for A4 by WeasyPrint.

A big cycle takes seconds (the review-by-review language pass, then the layout), so the
PDF is built by the background task ``audit.tasks.build_report_pdf``, which calls
``report_pdf_build``; asking for it and handing it out is ``audit.documents``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from audit import presentation
from audit.models import ReportPdf
from audit.selectors.report import audit_report
from audit.selectors.report_cache import report_state_key
from core.background_documents import Lease, build_claim
from core.pdf import render_pdf_pages
from org.types import Viewer
from reviews.models import ReviewCycle

# Bump when the PDF's layout changes, so that kept PDFs are rebuilt.
LAYOUT_VERSION = 1

# The charts in the PDF use the fonts bundled for PDFs (see core.pdf).
PDF_CHART_FONT = "LH Sans, DejaVu Sans, sans-serif"


def report_pdf_state_key(cycle: ReviewCycle, state: str | None = None) -> str:
    """The state of the data the report is computed from (``state``, when the caller has
    just read ``report_state_key``), and of the PDF's layout: a PDF is kept for one such
    state."""
    return f"{state or report_state_key(cycle)}-{LAYOUT_VERSION}"


def report_pdf_context(report: dict[str, Any], cycle: ReviewCycle) -> dict[str, Any]:
    return {
        "cycle": cycle,
        "report": report,
        "sections": presentation.report_sections(report, chart_font=PDF_CHART_FONT),
        "comparison": presentation.comparison_sections(report),
        **presentation.findings_context(report),
    }


def report_pdf_pages(*, cycle: ReviewCycle, report: dict[str, Any]) -> tuple[bytes, int]:
    """The report laid out now: PDF bytes and page count. (tests/hanging_worker.py
    replaces this function, where ``report_pdf_build`` looks it up, to stop a build in
    its layout step.)"""
    return render_pdf_pages("audit/report_pdf.html", report_pdf_context(report, cycle))


def report_pdf_render(*, user: Viewer, cycle: ReviewCycle) -> bytes:
    """The report as PDF bytes, computed and laid out now, for HR (`make bench` times
    this)."""
    return report_pdf_pages(cycle=cycle, report=audit_report(user=user, cycle=cycle))[0]


def report_pdf_build(pdf: ReportPdf, lease: Lease | None = None) -> ReportPdf:
    """Compute the report and lay it out, reporting progress through the lease as it
    goes: the review-by-review pass is the first 70%, the layout the rest. (The task
    passes its lease; a direct call claims the queued row.)

    The report is computed for whoever asked for the PDF, through the same HR gate as
    the page: someone who is no longer HR by the time the worker gets to it gets a
    failed build, not the numbers."""
    if lease is None:
        lease = build_claim(ReportPdf, pdf.pk)
        if lease is None:
            raise ValueError(f"Report PDF {pdf.pk} is not queued.")
    claimed = lease

    def progress(done: int, total: int) -> None:
        claimed.progress(max(1, int(70 * done / max(total, 1))))

    try:
        if pdf.requested_by is None:
            raise Http404("No account.")
        report = audit_report(user=pdf.requested_by, cycle=pdf.cycle, progress=progress)
    except Http404 as e:
        # Written on the row for HR to read: "The build failed: … Ask again to retry."
        raise ValueError("whoever asked for it may no longer read the audit") from e
    lease.progress(70)
    data, pages = report_pdf_pages(cycle=pdf.cycle, report=report)
    lease.finish(pdf=data, pages=pages)
    # Superseded PDFs hold numbers that are no longer current: keep only the newest.
    ReportPdf.objects.filter(
        cycle_id=pdf.cycle_id, status__in=[ReportPdf.Status.DONE, ReportPdf.Status.FAILED]
    ).exclude(pk=pdf.pk).delete()
    pdf.refresh_from_db()
    return pdf
