"""The fairness audit report as a PDF (SPEC §6): the same sections, charts and tables as
the report page, laid out for A4 by WeasyPrint.

A big cycle takes seconds (the review-by-review language pass, then the layout), so the
PDF is built by a background task (``audit.tasks.build_report_pdf``) and kept for the
state of the data it was computed from: asking again while nothing changed returns the
same PDF; after a change (a review, a calibration decision, a demographic answer, a word
list edit), a new one is built.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify

from audit import presentation, selectors, services
from audit.models import AuditRun, ReportPdf
from core.background_documents import Lease, build_claim, build_request
from core.pdf import render_pdf_pages
from reviews.models import ReviewCycle

# Bump when the PDF's layout changes, so that kept PDFs are rebuilt.
LAYOUT_VERSION = 1


def report_state_key(cycle: ReviewCycle) -> str:
    """The state of the data the report is computed from, and of the PDF's layout."""
    return f"{selectors.report_state_key(cycle)}-{LAYOUT_VERSION}"


# The charts in the PDF use the fonts bundled for PDFs (see core.pdf).
PDF_CHART_FONT = "LH Sans, DejaVu Sans, sans-serif"


def report_pdf_current(cycle: ReviewCycle) -> ReportPdf | None:
    """The PDF (built, building or failed) for the data as it is now, if one was asked for."""
    return ReportPdf.objects.filter(cycle=cycle, state_key=report_state_key(cycle)).first()


def report_pdf_request(*, user: Any, cycle: ReviewCycle) -> ReportPdf:
    """The PDF for the data as it is now: found, or created and queued for the background
    worker (`manage.py worker`). A failed build, or one whose worker died, is queued
    again (core.background_documents)."""
    from audit.tasks import build_report_pdf

    return build_request(
        ReportPdf,
        key={"cycle": cycle, "state_key": report_state_key(cycle)},
        user=user,
        task=build_report_pdf,
    )


def report_pdf_response(
    *, user: Any, cycle: ReviewCycle, pdf: ReportPdf, path: str, attachment: bool
) -> HttpResponse:
    """Hand a built PDF to HR (the page downloads it, the API shows it inline), logging
    the delivery as an AuditRun with who and when."""
    services.audit_run_record(
        actor=user, cycle=cycle, kind=AuditRun.Kind.REPORT_PDF, params={"pdf": pdf.pk}, path=path
    )
    assert pdf.pdf is not None, "only a built PDF is handed out"
    response = HttpResponse(bytes(pdf.pdf), content_type="application/pdf")
    name = f"fairness-audit-{cycle.pk}-{slugify(cycle.name)}.pdf"
    response["Content-Disposition"] = (
        f'{"attachment" if attachment else "inline"}; filename="{name}"'
    )
    return response


def report_pdf_context(report: dict[str, Any], cycle: ReviewCycle) -> dict[str, Any]:
    return {
        "cycle": cycle,
        "report": report,
        "sections": presentation.report_sections(report, chart_font=PDF_CHART_FONT),
        "comparison": presentation.comparison_sections(report),
        **presentation.findings_context(report),
    }


def report_pdf_pages(
    *, cycle: ReviewCycle, report: dict[str, Any] | None = None
) -> tuple[bytes, int]:
    """The report as PDF bytes and its page count, computed and laid out now."""
    if report is None:
        report = selectors.audit_report(cycle=cycle)
    return render_pdf_pages("audit/report_pdf.html", report_pdf_context(report, cycle))


def report_pdf_render(*, cycle: ReviewCycle, report: dict[str, Any] | None = None) -> bytes:
    """The report as PDF bytes, computed and laid out now (`make bench` times this)."""
    return report_pdf_pages(cycle=cycle, report=report)[0]


def report_pdf_build(pdf: ReportPdf, lease: Lease | None = None) -> ReportPdf:
    """Compute the report and lay it out, reporting progress through the lease as it
    goes: the review-by-review pass is the first 70%, the layout the rest. (The task
    passes its lease; a direct call claims the queued row.)"""
    if lease is None:
        lease = build_claim(ReportPdf, pdf.pk)
        if lease is None:
            raise ValueError(f"Report PDF {pdf.pk} is not queued.")
    claimed = lease

    def progress(done: int, total: int) -> None:
        claimed.progress(max(1, int(70 * done / max(total, 1))))

    report = selectors.audit_report(cycle=pdf.cycle, progress=progress)
    lease.progress(70)
    data, pages = report_pdf_pages(cycle=pdf.cycle, report=report)
    lease.finish(pdf=data, pages=pages)
    # Superseded PDFs hold numbers that are no longer current: keep only the newest.
    ReportPdf.objects.filter(
        cycle_id=pdf.cycle_id, status__in=[ReportPdf.Status.DONE, ReportPdf.Status.FAILED]
    ).exclude(pk=pdf.pk).delete()
    pdf.refresh_from_db()
    return pdf
