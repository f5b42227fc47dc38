"""Background tasks of the fairness audit (django-tasks; run by `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from audit.models import ReportPdf


@task()
def build_report_pdf(pdf_id: int) -> int:
    """Build one report PDF. Idempotent: a PDF already built is left as it is."""
    from audit.documents import report_pdf_build

    pdf = ReportPdf.objects.select_related("cycle").get(pk=pdf_id)
    if pdf.status == ReportPdf.Status.DONE:
        return pdf.pk
    try:
        report_pdf_build(pdf)
    except Exception as exc:  # the failure is shown to HR, who can ask again
        ReportPdf.objects.filter(pk=pdf_id).update(
            status=ReportPdf.Status.FAILED, error=str(exc)[:2000]
        )
        raise
    return pdf.pk
