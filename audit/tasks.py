"""Background tasks of the fairness audit (django-tasks; run by `manage.py worker`)."""

from __future__ import annotations

from django_tasks import task

from audit.models import ReportPdf
from audit.pdf_build import report_pdf_build
from core.background_documents import build_run


@task()
def build_report_pdf(pdf_id: int, attempt: int | None = None) -> int:
    """Build one attempt of a report PDF (core.background_documents: the lease). Idempotent: a PDF
    built, taken by another worker or queued again since is left as it is."""
    return build_run(ReportPdf, pdf_id, report_pdf_build, attempt=attempt)
